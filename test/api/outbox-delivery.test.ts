import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpConfig } from '../../src/http/http-config.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Messages the channel did not take: shown on the transcript, resent by a person, reported by health. */
describe('delivery status, resend and delivery health over HTTP', () => {
  let api: Api;
  let dana: Caller;
  let conversationId: string;

  /** Dana holds a handed-off conversation, its messages so far delivered. */
  const holdConversation = async (config: Partial<HttpConfig> = {}) => {
    api = await startApi({ config });
    dana = await api.signIn('dana@example.com', 'agent', { presence: 'available' });
    await api.tc.connector.receive({ from: 'm1', text: 'a person please', action: 'handoff' });
    const [offer] = await api.tc.store.reservations.list({ agentId: dana.agent.id, status: 'pending' });
    conversationId = (await api.tc.center.router.accept(offer!.id, dana.agent.id)).id;
    await api.tc.center.dispatcher.tick();
    api.tc.connector.sent.length = 0;
  };
  beforeEach(() => holdConversation());
  afterEach(() => api.close());

  const transcript = async (caller: Caller) => {
    const res = await caller.call('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(res.status).toBe(200);
    return (await res.json()).messages as { id: string; text: string; delivery: unknown }[];
  };
  const health = async () => (await api.fetch('/healthz')).json();

  it('shows a refused reply as failed with its reason, lets the holder resend it, and it is delivered', async () => {
    api.tc.connector.failNext(1, false);
    const sent = await dana.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Here is the fix',
    });
    expect(sent.status).toBe(201);
    await api.tc.center.dispatcher.tick();
    const failed = (await transcript(dana)).find((m) => m.text === 'Here is the fix');
    expect(failed?.delivery).toMatchObject({ status: 'failed', lastError: 'test channel unavailable' });
    const seq = (failed!.delivery as { seq: number }).seq;

    expect(await health()).toMatchObject({
      status: 'degraded',
      database: 'ok',
      delivery: {
        status: 'degraded',
        channels: [{ channel: 'test', status: 'degraded', recentlyFailed: 1, pending: 0 }],
      },
    });

    // Another agent may not; a malformed seq is a 400; the holder may.
    const other = await api.signIn('omar@example.com', 'agent');
    const refused = await other.call('POST', `/api/v1/conversations/${conversationId}/outbox/${seq}/resend`);
    expect(refused.status).toBe(403);
    const bad = await dana.call('POST', `/api/v1/conversations/${conversationId}/outbox/abc/resend`);
    expect(bad.status).toBe(400);
    const missing = await dana.call('POST', `/api/v1/conversations/${conversationId}/outbox/999999/resend`);
    expect(missing.status).toBe(404);

    const res = await dana.call('POST', `/api/v1/conversations/${conversationId}/outbox/${seq}/resend`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ seq, status: 'pending' });
    await api.tc.center.dispatcher.tick();
    expect(api.tc.connector.textsTo('m1')).toEqual(['Here is the fix']);
    expect((await transcript(dana)).find((m) => m.text === 'Here is the fix')?.delivery).toMatchObject({
      status: 'sent',
      lastError: null,
    });
    // Delivered now: nothing to resend.
    const again = await dana.call('POST', `/api/v1/conversations/${conversationId}/outbox/${seq}/resend`);
    expect(again.status).toBe(409);
  });

  it('lets a supervisor resend in a conversation someone else holds', async () => {
    api.tc.connector.failNext(1, false);
    await dana.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'refused' });
    await api.tc.center.dispatcher.tick();
    const seq = ((await transcript(dana)).find((m) => m.text === 'refused')!.delivery as { seq: number }).seq;
    const sam = await api.signIn('sam@example.com', 'supervisor');
    const res = await sam.call('POST', `/api/v1/conversations/${conversationId}/outbox/${seq}/resend`);
    expect(res.status).toBe(200);
    await api.tc.center.dispatcher.tick();
    expect(api.tc.connector.textsTo('m1')).toEqual(['refused']);
  });

  it('reports delivery degraded when messages wait too long, and the outbox gauges', async () => {
    expect((await health()).delivery).toEqual({ status: 'ok', channels: [] });
    api.tc.connector.failNext(1_000);
    await dana.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'stuck' });
    await api.tc.center.dispatcher.tick();
    expect((await health()).status).toBe('ok');
    api.tc.clock.advance(61_000);
    expect(await health()).toMatchObject({
      status: 'degraded',
      delivery: { channels: [{ channel: 'test', status: 'degraded', pending: 1, oldestPendingSeconds: 61 }] },
    });
    const admin = await api.signIn('ada@example.com', 'admin');
    const metrics = await (await admin.call('GET', '/metrics')).text();
    expect(metrics).toMatch(/^switchboard_outbox_pending\{channel="test"\} 1$/m);
    expect(metrics).toMatch(/^switchboard_outbox_oldest_pending_age_seconds\{channel="test"\} 61$/m);
  });

  it('reports delivery degraded after the wait the operator set (SWITCHBOARD_DELIVERY_STALL_SECONDS)', async () => {
    await api.close();
    await holdConversation({ deliveryStallMs: 10_000 });
    api.tc.connector.failNext(1_000);
    await dana.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'stuck' });
    await api.tc.center.dispatcher.tick();
    api.tc.clock.advance(9_000);
    expect((await health()).status).toBe('ok');
    api.tc.clock.advance(2_000);
    expect(await health()).toMatchObject({
      status: 'degraded',
      delivery: { channels: [{ channel: 'test', status: 'degraded', pending: 1, oldestPendingSeconds: 11 }] },
    });
  });
});
