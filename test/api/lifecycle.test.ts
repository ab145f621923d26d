import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';
import { connectRealtime, type RealtimeClient } from './realtime-client.ts';

/**
 * One conversation from first message to close, driven as a contact (through the test channel's
 * connector) and as an agent (through the REST API and the realtime WebSocket).
 */
describe('conversation lifecycle over HTTP', () => {
  let api: Api;
  let ana: Caller;
  let desk: RealtimeClient;
  let conversationId: string;
  let reservationId: string;

  beforeAll(async () => {
    api = await startApi();
    ana = await api.signIn('ana@example.com', 'agent');
    desk = await connectRealtime(api.base, { cookie: ana.cookie });
  });
  afterAll(async () => {
    desk.close();
    await api.close();
  });

  const deliver = () => api.tc.center.dispatcher.tick();

  it('the bot answers a first message', async () => {
    await api.tc.connector.receive({ text: 'How do I change my username?', from: 'member-7' });
    await deliver();
    const texts = api.tc.connector.textsTo('member-7');
    expect(texts.length).toBeGreaterThanOrEqual(1);
    const sent = api.tc.connector.sent.at(-1)!;
    expect(sent.authorKind).toBe('bot');
  });

  it('the agent goes available', async () => {
    const res = await ana.call('PUT', `/api/v1/agents/${ana.agent.id}/presence`, { presence: 'available' });
    expect(res.status).toBe(200);
    expect((await res.json()).presence).toBe('available');
  });

  it('hand-off: a case is opened, the conversation queued and offered to the agent', async () => {
    await api.tc.connector.receive({ text: 'I want to talk to a human please', from: 'member-7' });
    const offer = await desk.waitFor((e) => e.type === 'reservation.created', 'reservation.created');
    reservationId = (offer.reservation as { id: string }).id;
    conversationId = (offer.reservation as { conversationId: string }).conversationId;

    const mine = await (await ana.call('GET', '/api/v1/reservations?status=pending')).json();
    expect(mine.reservations.map((r: { id: string }) => r.id)).toEqual([reservationId]);
    // Offered but not yet accepted: the agent may look at it.
    const conversation = await (await ana.call('GET', `/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.state).toBe('queued');
    expect(conversation.caseId).toBeTruthy();

    await deliver();
    expect(api.tc.connector.textsTo('member-7').at(-1)).toMatch(/case #\d+/);
  });

  it('the agent accepts the reservation', async () => {
    const res = await ana.call('POST', `/api/v1/reservations/${reservationId}/accept`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: conversationId, state: 'assigned', agentId: ana.agent.id });
    const again = await ana.call('POST', `/api/v1/reservations/${reservationId}/accept`);
    expect(again.status).toBe(409);
    const list = await (await ana.call('GET', '/api/v1/conversations')).json();
    expect(list.conversations.map((c: { id: string }) => c.id)).toEqual([conversationId]);
  });

  it("the agent's reply is delivered to the contact through the outbox", async () => {
    const res = await ana.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Hi, I am Ana. Let me help you with that.',
    });
    expect(res.status).toBe(201);
    const message = await res.json();
    expect(message).toMatchObject({ authorKind: 'agent', authorId: ana.agent.id });
    await desk.waitFor(
      (e) => e.type === 'message.created' && (e.message as { id: string }).id === message.id,
    );
    await deliver();
    const sent = api.tc.connector.sent.at(-1)!;
    expect(sent).toMatchObject({
      text: 'Hi, I am Ana. Let me help you with that.',
      authorKind: 'agent',
      authorName: 'ana',
    });
    expect(sent.address).toEqual({ thread: 'member-7' });
  });

  it('the contact answers and the transcript has the whole exchange', async () => {
    await api.tc.connector.receive({ text: 'Thanks! It says the name is taken.', from: 'member-7' });
    await desk.waitFor(
      (e) =>
        e.type === 'message.created' &&
        (e.message as { text: string }).text === 'Thanks! It says the name is taken.',
    );
    const { messages } = await (
      await ana.call('GET', `/api/v1/conversations/${conversationId}/messages`)
    ).json();
    const kinds = messages.map((m: { authorKind: string }) => m.authorKind);
    expect(kinds[0]).toBe('contact');
    expect(kinds).toEqual(expect.arrayContaining(['contact', 'bot', 'system', 'agent']));
    expect(kinds.at(-1)).toBe('contact');
  });

  it('another agent cannot read or answer it', async () => {
    const bob = await api.signIn('bob@example.com');
    expect((await bob.call('GET', `/api/v1/conversations/${conversationId}`)).status).toBe(403);
    expect((await bob.call('GET', `/api/v1/conversations/${conversationId}/messages`)).status).toBe(403);
    const reply = await bob.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'hijack',
    });
    expect(reply.status).toBe(403);
  });

  it('wrap-up and close: the contact is asked to rate, the case is solved', async () => {
    const wrap = await ana.call('POST', `/api/v1/conversations/${conversationId}/wrap-up`, {
      note: 'Explained name rules',
    });
    expect(wrap.status).toBe(200);
    expect((await wrap.json()).state).toBe('wrapping');
    const close = await ana.call('POST', `/api/v1/conversations/${conversationId}/close`);
    expect(close.status).toBe(200);
    const closed = await close.json();
    expect(closed.state).toBe('closed');
    await deliver();
    const last = api.tc.connector.sent.at(-1)!;
    expect(last.actions.map((a) => a.id)).toEqual(['rate:1', 'rate:2', 'rate:3', 'rate:4', 'rate:5']);

    const detail = await (await ana.call('GET', `/api/v1/cases/${closed.caseId}`)).json();
    expect(detail.case).toMatchObject({ status: 'solved', assigneeId: ana.agent.id });
    expect(detail.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['created', 'note']),
    );
    const byNumber = await ana.call('GET', `/api/v1/cases/${encodeURIComponent(`#${detail.case.number}`)}`);
    expect((await byNumber.json()).case.id).toBe(closed.caseId);
  });

  it('case work: filter, update, note', async () => {
    const { cases } = await (await ana.call('GET', '/api/v1/cases?assignee=me&status=solved')).json();
    expect(cases).toHaveLength(1);
    const id = cases[0].id;
    const patched = await ana.call('PATCH', `/api/v1/cases/${id}`, { priority: 'high', tags: ['usernames'] });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ priority: 'high', tags: ['usernames'] });
    const note = await ana.call('POST', `/api/v1/cases/${id}/notes`, { text: 'Follow up next week' });
    expect(note.status).toBe(201);
    expect((await note.json()).type).toBe('note');
    const { cases: found } = await (
      await ana.call('GET', '/api/v1/cases?text=username&priority=high')
    ).json();
    expect(found.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('queue figures are visible', async () => {
    const sup = await api.signIn('sup@example.com', 'supervisor');
    const { queues } = await (await sup.call('GET', '/api/v1/queues/stats')).json();
    expect(queues).toEqual([expect.objectContaining({ name: 'support', waiting: 0, longestWaitSeconds: 0 })]);
  });
});
