import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, startApi } from './api-harness.ts';

/** Issue 14: whether a queue sends members the transcript at close is a queue setting admins change. */
describe('the queue setting "send the transcript to the member"', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  it('is off by default, set by admins only, refused with 400 when not a boolean, nothing changed', async () => {
    const admin = await api.signIn('admin@example.com', 'admin');
    const supervisor = await api.signIn('supervisor@example.com', 'supervisor');
    const agent = await api.signIn('agent@example.com', 'agent');

    const created = await admin.call('POST', '/api/v1/queues', { name: 'billing' });
    expect(created.status).toBe(201);
    const billing = (await created.json()) as { id: string; sendTranscript: boolean };
    expect(billing.sendTranscript).toBe(false);
    const withIt = await admin.call('POST', '/api/v1/queues', { name: 'vip', sendTranscript: true });
    expect(await withIt.json()).toMatchObject({ name: 'vip', sendTranscript: true });

    for (const who of [agent, supervisor]) {
      const refused = await who.call('PATCH', `/api/v1/queues/${billing.id}`, { sendTranscript: true });
      expect(refused.status).toBe(403);
    }
    for (const bad of ['yes', 1, null]) {
      const res = await admin.call('PATCH', `/api/v1/queues/${billing.id}`, { sendTranscript: bad });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('sendTranscript');
    }
    const badCreate = await admin.call('POST', '/api/v1/queues', { name: 'other', sendTranscript: 'on' });
    expect(badCreate.status).toBe(400);
    expect((await api.tc.center.queues.list()).map((q) => q.name)).not.toContain('other');
    expect((await api.tc.center.queues.get(billing.id)).sendTranscript).toBe(false);

    const turnedOn = await admin.call('PATCH', `/api/v1/queues/${billing.id}`, { sendTranscript: true });
    expect(turnedOn.status).toBe(200);
    expect(await turnedOn.json()).toMatchObject({ id: billing.id, name: 'billing', sendTranscript: true });
    // Agents read it with the queues.
    const listed = (await (await agent.call('GET', '/api/v1/queues')).json()) as {
      queues: { name: string; sendTranscript: boolean }[];
    };
    expect(listed.queues.find((q) => q.name === 'billing')?.sendTranscript).toBe(true);
    // Renaming leaves it as it is.
    await admin.call('PATCH', `/api/v1/queues/${billing.id}`, { name: 'payments' });
    expect((await api.tc.center.queues.get(billing.id)).sendTranscript).toBe(true);
  });
});
