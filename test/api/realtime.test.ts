import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, startApi } from './api-harness.ts';
import { connectRealtime } from './realtime-client.ts';

describe('realtime WebSocket', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => api.close());

  it('refuses signed-out clients with a 401 before the upgrade', async () => {
    await expect(connectRealtime(api.base, {})).rejects.toMatchObject({ status: 401 });
    await expect(connectRealtime(api.base, { cookie: 'sb_session=forged' })).rejects.toMatchObject({
      status: 401,
    });
  });

  it('refuses a cross-site page using the session cookie', async () => {
    const ana = await api.signIn('ana@example.com');
    await expect(
      connectRealtime(api.base, { cookie: ana.cookie, origin: 'https://evil.example' }),
    ).rejects.toMatchObject({
      status: 403,
    });
  });

  it("pushes an agent their reservations and the queue, not colleagues' offers; supervisors everything", async () => {
    const ana = await api.signIn('ana@example.com', 'agent', { presence: 'available' });
    const bob = await api.signIn('bob@example.com', 'agent');
    const sup = await api.signIn('sup@example.com', 'supervisor');
    const anaWs = await connectRealtime(api.base, { cookie: ana.cookie });
    const bobWs = await connectRealtime(api.base, { cookie: bob.cookie });
    const token = (await (await sup.call('POST', '/api/v1/auth/tokens', { name: 'wall' })).json()).token;
    const supWs = await connectRealtime(api.base, { authorization: `Bearer ${token}` });
    expect((await anaWs.waitFor((e) => e.type === 'hello')).agent).toMatchObject({ id: ana.agent.id });

    await api.tc.connector.receive({ text: 'I want to talk to a human', from: 'm1' });

    const offer = await anaWs.waitFor((e) => e.type === 'reservation.created', 'reservation.created');
    expect(offer.reservation).toMatchObject({ agentId: ana.agent.id, status: 'pending' });
    await anaWs.waitFor((e) => e.type === 'message.created', 'message.created');
    await bobWs.waitFor(
      (e) => e.type === 'conversation.updated' && (e.conversation as { state: string }).state === 'queued',
      'queued conversation',
    );
    await supWs.waitFor((e) => e.type === 'reservation.created', 'reservation.created (supervisor)');
    await supWs.waitFor((e) => e.type === 'case.created', 'case.created (supervisor)');

    // Accepting is seen by the agent; Bob is told of nothing that is now Ana's.
    const { id } = offer.reservation as { id: string };
    expect((await ana.call('POST', `/api/v1/reservations/${id}/accept`)).status).toBe(200);
    await anaWs.waitFor(
      (e) => e.type === 'conversation.updated' && (e.conversation as { state: string }).state === 'assigned',
      'assigned conversation',
    );
    await supWs.waitFor((e) => e.type === 'reservation.updated', 'reservation.updated (supervisor)');
    expect(bobWs.events.some((e) => e.type.startsWith('reservation.'))).toBe(false);
    expect(
      bobWs.events.some(
        (e) =>
          e.type === 'conversation.updated' && (e.conversation as { state: string }).state === 'assigned',
      ),
    ).toBe(false);

    for (const client of [anaWs, bobWs, supWs]) {
      const all = JSON.stringify(client.events);
      expect(all).not.toContain('passwordHash');
      expect(all).not.toContain('scrypt$');
      expect(client.events.some((e) => e.type === 'outbox.enqueued')).toBe(false);
      client.close();
    }
  });

  it('gives a desktop each of many messages stored together as its own event, in the order they were stored', async () => {
    const sup = await api.signIn('sup@example.com', 'supervisor');
    const supWs = await connectRealtime(api.base, { cookie: sup.cookie });
    await supWs.waitFor((e) => e.type === 'hello', 'hello');
    // Received at once, they share a group commit and their events go out in one turn of the event loop.
    const texts = Array.from({ length: 30 }, (_, i) => `question number ${i}`);
    await Promise.all(texts.map((text, i) => api.tc.connector.receive({ text, from: `member-${i}` })));
    await supWs.waitFor(
      (e) => e.type === 'message.created' && (e.message as { text: string }).text === texts[29],
      'the last message',
    );
    const received = supWs.events
      .filter((e) => e.type === 'message.created')
      .map((e) => e.message as { text: string; authorKind: string })
      .filter((m) => m.authorKind === 'contact')
      .map((m) => m.text);
    expect(received).toEqual(texts);
  });

  it('closes the sockets of a session when it signs out', async () => {
    const ana = await api.signIn('ana@example.com');
    const ws = await connectRealtime(api.base, { cookie: ana.cookie });
    await ws.waitFor((e) => e.type === 'hello');
    expect((await ana.call('POST', '/api/v1/auth/logout')).status).toBe(204);
    expect(await ws.closed).toMatchObject({ code: 4001 });
  });

  it('closes sockets whose session expired or was ended on another instance', async () => {
    const quick = await startApi({ config: { realtimeHeartbeatMs: 50 } });
    try {
      const ana = await quick.signIn('ana@example.com');
      const bob = await quick.signIn('bob@example.com');
      const anaWs = await connectRealtime(quick.base, { cookie: ana.cookie });
      const bobWs = await connectRealtime(quick.base, { cookie: bob.cookie });
      // Another instance signs Bob out: only the shared store knows.
      const session = await quick.tc.store.sessions.findByTokenHash(
        (await import('../../src/http/auth/tokens.ts')).hashToken(bob.cookie.split('=')[1]!),
      );
      await quick.tc.store.sessions.delete(session!.id);
      expect(await bobWs.closed).toMatchObject({ code: 4001 });
      quick.tc.clock.advance(12 * 60 * 60 * 1000 + 1);
      expect(await anaWs.closed).toMatchObject({ code: 4001 });
    } finally {
      await quick.close();
    }
  });
});
