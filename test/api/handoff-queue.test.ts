import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, startApi } from './api-harness.ts';

/** Issue 9, item 12: the default queue exists from the start, and an admin chooses where hand-offs go. */
describe('the hand-off queue', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  const conversationOf = async (from: string) => {
    const contact = await api.tc.store.contacts.findByIdentity('test', from);
    const [conversation] = await api.tc.store.conversations.list({ contactId: contact!.id });
    return conversation!;
  };

  it('creates the default queue once, however many instances start at the same moment', async () => {
    const queues = await Promise.all(Array.from({ length: 5 }, () => api.tc.center.queues.ensureDefault()));
    expect(new Set(queues.map((q) => q.id)).size).toBe(1);
    const admin = await api.signIn('admin@example.com', 'admin');
    const listed = (await (await admin.call('GET', '/api/v1/queues')).json()) as {
      queues: { name: string }[];
    };
    expect(listed.queues.map((q) => q.name)).toEqual(['support']);
    const handoff = await (await admin.call('GET', '/api/v1/routing/handoff-queue')).json();
    expect(handoff).toMatchObject({ queue: { name: 'support' }, usedByActiveFlow: true });
  });

  it('sends hand-offs of the default flow to the queue an admin chose, without editing the flow', async () => {
    await api.tc.center.queues.ensureDefault();
    const admin = await api.signIn('admin@example.com', 'admin');
    const agent = await api.signIn('agent@example.com', 'agent');
    const created = await admin.call('POST', '/api/v1/queues', { name: 'billing' });
    expect(created.status).toBe(201);
    const billing = (await created.json()) as { id: string };

    expect((await agent.call('PUT', '/api/v1/routing/handoff-queue', { queueId: billing.id })).status).toBe(
      403,
    );
    const unknown = await admin.call('PUT', '/api/v1/routing/handoff-queue', { queueId: 'no-such-queue' });
    expect(unknown.status).toBe(404);
    const chosen = await admin.call('PUT', '/api/v1/routing/handoff-queue', { queueId: billing.id });
    expect(chosen.status).toBe(200);
    expect(await chosen.json()).toMatchObject({ queue: { id: billing.id, name: 'billing' } });

    // The queue hand-offs go to cannot be deleted from under them.
    const refused = await admin.call('DELETE', `/api/v1/queues/${billing.id}`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'hand-offs go to billing',
    );

    await api.tc.connector.receive({ from: 'member-1', text: 'I need a human', action: 'handoff' });
    const conversation = await conversationOf('member-1');
    expect(conversation.state).toBe('queued');
    expect(conversation.queueId).toBe(billing.id);
  });
});
