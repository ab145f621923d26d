import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';
import { connectRealtime } from './realtime-client.ts';

/** Linking a conversation to a case obeys the conversation routes' holder rule, and tells the desktops. */
describe('POST /api/v1/cases with a conversationId', () => {
  let api: Api;
  let ana: Caller;
  let bob: Caller;
  let conversationId: string;
  beforeEach(async () => {
    api = await startApi();
    ana = await api.signIn('ana@example.com', 'agent', { presence: 'available' });
    bob = await api.signIn('bob@example.com', 'agent');
    await api.tc.connector.receive({ text: 'I want to talk to a human please', from: 'member-7' });
    const [offer] = await api.tc.store.reservations.list({ agentId: ana.agent.id, status: 'pending' });
    expect((await ana.call('POST', `/api/v1/reservations/${offer!.id}/accept`)).status).toBe(200);
    conversationId = offer!.conversationId;
  });
  afterEach(async () => api.close());

  const link = (caller: Caller, subject: string) =>
    caller.call('POST', '/api/v1/cases', { kind: 'support', subject, conversationId });

  it('refuses an agent who does not hold the conversation, changing nothing', async () => {
    const before = await api.tc.store.conversations.get(conversationId);
    const casesBefore = await api.tc.store.cases.list({});
    const res = await link(bob, 'Hijack');
    expect(res.status).toBe(403);
    expect((await res.json()).error).toEqual({
      code: 'forbidden',
      message: 'this conversation is not assigned to you',
    });
    expect((await api.tc.store.conversations.get(conversationId))?.caseId).toBe(before?.caseId);
    expect(await api.tc.store.cases.list({})).toEqual(casesBefore);
  });

  it('lets the holder (and supervisors) link it, and pushes the change to the desktop', async () => {
    const ws = await connectRealtime(api.base, { cookie: ana.cookie });
    await ws.waitFor((e) => e.type === 'hello', 'hello');
    const res = await link(ana, 'Billing question');
    expect(res.status).toBe(201);
    const kase = await res.json();
    const event = await ws.waitFor(
      (e) =>
        e.type === 'conversation.updated' &&
        (e.conversation as { id: string; caseId: string }).caseId === kase.id,
      'conversation.updated with the new case',
    );
    expect(event.conversation).toMatchObject({ id: conversationId, caseId: kase.id });
    ws.close();

    const supervisor = await api.signIn('sup@example.com', 'supervisor');
    const moved = await link(supervisor, 'Escalated');
    expect(moved.status).toBe(201);
    expect((await api.tc.store.conversations.get(conversationId))?.caseId).toBe((await moved.json()).id);
  });
});
