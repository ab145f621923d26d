import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';
import { connectRealtime, type RealtimeClient } from './realtime-client.ts';

/**
 * The supervisor monitor, internal notes, reassignment and macros over HTTP: roles on every route, bad input
 * refused with nothing changed, and a note never reaching the contact.
 */
describe('supervisor monitor and macros API', () => {
  let api: Api;
  let ana: Caller;
  let bo: Caller;
  let sup: Caller;
  let admin: Caller;
  let anaDesk: RealtimeClient;
  let conversationId: string;

  beforeAll(async () => {
    api = await startApi();
    ana = await api.signIn('ana@example.com', 'agent', { presence: 'available' });
    bo = await api.signIn('bo@example.com', 'agent');
    sup = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
    anaDesk = await connectRealtime(api.base, { cookie: ana.cookie });
    await api.tc.connector.receive({ text: 'I want to talk to a human please', from: 'member-9' });
    const offer = await anaDesk.waitFor((e) => e.type === 'reservation.created');
    const reservation = offer.reservation as { id: string; conversationId: string };
    conversationId = reservation.conversationId;
    expect((await ana.call('POST', `/api/v1/reservations/${reservation.id}/accept`)).status).toBe(200);
    await api.tc.center.dispatcher.tick();
  });
  afterAll(async () => {
    anaDesk.close();
    await api.close();
  });

  const anonymous = (method: string, path: string, body?: unknown) =>
    api.call(method, path, body, { 'x-switchboard-csrf': '1' });
  const sentToMember = () => api.tc.connector.textsTo('member-9');
  const stored = async () =>
    JSON.stringify({
      conversation: await api.tc.store.conversations.get(conversationId),
      notes: await api.tc.store.conversationNotes.listByConversation(conversationId),
      messages: await api.tc.store.messages.listByConversation(conversationId),
      outbox: await api.tc.store.outbox.listByConversation(conversationId),
    });

  it('shows supervisors and admins every live conversation with its holder, and what each agent views', async () => {
    anaDesk.ws.send(JSON.stringify({ type: 'viewing', conversationId }));
    const statuses = [];
    for (const who of [null, ana, sup, admin]) {
      const res = who ? await who.call('GET', '/api/v1/monitor') : await anonymous('GET', '/api/v1/monitor');
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 403, 200, 200]);
    // The desktop's report arrives over the socket: the monitor shows it once recorded.
    type Monitor = {
      conversations: { conversation: { id: string }; waitSeconds: number }[];
      agents: { id: string; viewing: unknown }[];
    };
    const monitor = await eventually('the viewing report recorded', async () => {
      const seen = (await (await sup.call('GET', '/api/v1/monitor')).json()) as Monitor;
      return seen.agents.find((a) => a.id === ana.agent.id)?.viewing ? seen : null;
    });
    const row = monitor.conversations.find((c) => c.conversation.id === conversationId);
    expect(row).toMatchObject({
      conversation: { state: 'assigned', channel: 'test', agentId: ana.agent.id },
      holderName: 'ana',
      queueName: 'support',
      sla: null,
    });
    expect(row?.waitSeconds).toBeGreaterThanOrEqual(0);
    expect(monitor.agents.find((a) => a.id === ana.agent.id)).toMatchObject({
      presence: 'available',
      load: 1,
      viewing: { conversationId },
    });
    expect(monitor.agents.find((a) => a.id === bo.agent.id)?.viewing).toBeNull();
  });

  it('records only conversations that exist, and clears the viewing when that desktop closes', async () => {
    const supDesk = await connectRealtime(api.base, { cookie: sup.cookie });
    const second = await connectRealtime(api.base, { cookie: ana.cookie });
    await second.waitFor((e) => e.type === 'hello');
    for (const conversationIdSent of ['no-such-conversation', '../../etc', 42])
      second.ws.send(JSON.stringify({ type: 'viewing', conversationId: conversationIdSent }));
    second.ws.send(JSON.stringify({ type: 'viewing', conversationId }));
    second.close();
    const cleared = await supDesk.waitFor(
      (e) => e.type === 'agent.viewing' && (e.viewing as { conversationId: unknown }).conversationId === null,
    );
    expect(cleared.viewing).toMatchObject({ agentId: ana.agent.id });
    // Ana's other desktop reported nothing but the real conversation: no bogus id was ever recorded.
    const reported = supDesk.events
      .filter((e) => e.type === 'agent.viewing')
      .map((e) => (e.viewing as { conversationId: unknown }).conversationId);
    expect(reported.every((id) => id === null || id === conversationId)).toBe(true);
    const monitor = await (await sup.call('GET', '/api/v1/monitor')).json();
    expect(monitor.agents.find((a: { id: string }) => a.id === ana.agent.id).viewing).toBeNull();
    // Agents do not hear what colleagues look at.
    expect(anaDesk.events.some((e) => e.type === 'agent.viewing')).toBe(false);
    supDesk.close();
  });

  it('takes a note from a supervisor, shows it to the holder at once, and never sends it to the contact', async () => {
    const before = sentToMember().length;
    const outboxBefore = (await api.tc.store.outbox.listByConversation(conversationId)).length;
    const res = await sup.call('POST', `/api/v1/conversations/${conversationId}/notes`, {
      text: 'Offer the refund, they were charged twice',
    });
    expect(res.status).toBe(201);
    const note = await res.json();
    const pushed = await anaDesk.waitFor((e) => e.type === 'note.created');
    expect(pushed.note).toEqual(note);
    await api.tc.center.dispatcher.tick();
    expect(sentToMember().length).toBe(before);
    expect((await api.tc.store.outbox.listByConversation(conversationId)).length).toBe(outboxBefore);
    expect(
      (await api.tc.store.messages.listByConversation(conversationId)).some((m) => m.text.includes('refund')),
    ).toBe(false);
    // The holder reads notes; an agent who does not hold the conversation neither reads nor writes them.
    const seen = await (await ana.call('GET', `/api/v1/conversations/${conversationId}/notes`)).json();
    expect(seen.notes.map((n: { text: string }) => n.text)).toEqual([note.text]);
    expect((await bo.call('GET', `/api/v1/conversations/${conversationId}/notes`)).status).toBe(403);
    expect(
      (await bo.call('POST', `/api/v1/conversations/${conversationId}/notes`, { text: 'x' })).status,
    ).toBe(403);
    expect((await anonymous('GET', `/api/v1/conversations/${conversationId}/notes`)).status).toBe(401);
  });

  it('refuses bad notes and leaves everything as it was', async () => {
    const before = await stored();
    for (const body of [{ text: '   ' }, {}, { text: 'x', kind: 'public' }, { text: 'x'.repeat(5_001) }]) {
      const res = await sup.call('POST', `/api/v1/conversations/${conversationId}/notes`, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toBeTruthy();
    }
    expect((await sup.call('POST', '/api/v1/conversations/nope/notes', { text: 'x' })).status).toBe(404);
    expect(await stored()).toBe(before);
  });

  it('lets only supervisors and admins reassign, refuses bad targets, and hands the conversation over', async () => {
    await api.tc.center.agents.setPresence(bo.agent.id, 'available');
    const path = `/api/v1/monitor/conversations/${conversationId}/reassign`;
    const before = await stored();
    expect((await ana.call('POST', path, { agentId: bo.agent.id })).status).toBe(403);
    expect((await anonymous('POST', path, { agentId: bo.agent.id })).status).toBe(401);
    expect((await sup.call('POST', path, {})).status).toBe(400);
    expect((await sup.call('POST', path, { agentId: bo.agent.id, queueId: 'q' })).status).toBe(400);
    expect((await sup.call('POST', path, { agentId: 'nobody' })).status).toBe(404);
    expect((await sup.call('POST', path, { agentId: ana.agent.id })).status).toBe(400);
    expect(await stored()).toBe(before);
    const res = await sup.call('POST', path, { agentId: bo.agent.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'assigned', agentId: bo.agent.id });
    // The new holder reads the notes left before.
    const notes = await (await bo.call('GET', `/api/v1/conversations/${conversationId}/notes`)).json();
    expect(notes.notes).toHaveLength(1);
  });

  it('keeps macro actions on canned responses, refusing bad ones', async () => {
    const base = { shortcut: 'refund-close', title: 'Refund and close', text: 'Your refund is on its way.' };
    for (const actions of [
      { priority: 'sky-high' },
      { tags: 'refund' },
      { close: 'yes' },
      { status: 'new', close: true },
      { reopen: true },
    ]) {
      const res = await sup.call('POST', '/api/v1/canned-responses', { ...base, actions });
      expect(res.status).toBe(400);
    }
    expect(await api.tc.store.cannedResponses.getByShortcut('refund-close')).toBeUndefined();
    const created = await sup.call('POST', '/api/v1/canned-responses', {
      ...base,
      actions: { priority: 'high', tags: ['Refund', 'billing'], close: true },
    });
    expect(created.status).toBe(201);
    expect((await created.json()).actions).toEqual({
      priority: 'high',
      tags: ['refund', 'billing'],
      close: true,
    });
  });

  it('applies a macro in one step: text sent, case priority and tags set, conversation closed', async () => {
    const macro = (await api.tc.store.cannedResponses.getByShortcut('refund-close'))!;
    const path = `/api/v1/canned-responses/${macro.id}/apply`;
    const before = await stored();
    // Not the holder, no such conversation, a bad body: refused, nothing sent or changed.
    expect((await ana.call('POST', path, { conversationId })).status).toBe(403);
    expect((await bo.call('POST', path, { conversationId: 'nope' })).status).toBe(404);
    expect((await bo.call('POST', path, {})).status).toBe(400);
    expect((await bo.call('POST', '/api/v1/canned-responses/nope/apply', { conversationId })).status).toBe(
      404,
    );
    expect((await anonymous('POST', path, { conversationId })).status).toBe(401);
    expect(await stored()).toBe(before);

    const res = await bo.call('POST', path, { conversationId });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.message).toMatchObject({ authorKind: 'agent', text: 'Your refund is on its way.' });
    expect(body.conversation).toMatchObject({ state: 'closed' });
    const conversation = (await api.tc.store.conversations.get(conversationId))!;
    const kase = (await api.tc.store.cases.get(conversation.caseId!))!;
    expect(kase).toMatchObject({ priority: 'high', status: 'solved' });
    expect(kase.tags).toEqual(expect.arrayContaining(['refund', 'billing']));
    await api.tc.center.dispatcher.tick();
    expect(sentToMember()).toContain('Your refund is on its way.');
    expect(sentToMember().some((t) => t.includes('Offer the refund'))).toBe(false);
  });
});
