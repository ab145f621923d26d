import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';
import { connectRealtime, type RealtimeClient } from './realtime-client.ts';

/** Presence over real HTTP and the realtime WebSocket: the agent is there while a desktop is connected. */
describe('presence follows the live desktop', () => {
  let api: Api;
  let alice: Caller;
  let bob: Caller;
  const sockets: RealtimeClient[] = [];

  beforeEach(async () => {
    api = await startApi();
    alice = await api.signIn('alice@example.com');
    bob = await api.signIn('bob@example.com');
    // Alice has waited longest: without presence she would get the next offer.
    expect(
      (await alice.call('PUT', `/api/v1/agents/${alice.agent.id}/presence`, { presence: 'available' }))
        .status,
    ).toBe(200);
    api.tc.clock.advance(1_000);
    expect(
      (await bob.call('PUT', `/api/v1/agents/${bob.agent.id}/presence`, { presence: 'available' })).status,
    ).toBe(200);
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await api.close();
  });

  const connect = async (caller: Caller) => {
    const socket = await connectRealtime(api.base, { cookie: caller.cookie });
    sockets.push(socket);
    const hello = await socket.waitFor((e) => e.type === 'hello', 'hello');
    // The desktop is told how often to beat.
    expect(hello.heartbeatMs).toBe(10_000);
    return socket;
  };

  /** A heartbeat as the desktop sends it; resolves once the server has recorded it. */
  const beat = async (socket: RealtimeClient) => {
    const before = socket.events.filter((e) => e.type === 'heartbeat').length;
    socket.ws.send(JSON.stringify({ type: 'heartbeat' }));
    await socket.waitFor(
      () => socket.events.filter((e) => e.type === 'heartbeat').length > before,
      'heartbeat answer',
    );
  };

  const presenceOf = async (caller: Caller) =>
    ((await (await bob.call('GET', `/api/v1/agents/${caller.agent.id}`)).json()) as { presence: string })
      .presence;

  it('a closed desktop makes the agent away after the grace, and the next conversation goes to the live agent', async () => {
    const aliceDesktop = await connect(alice);
    const bobDesktop = await connect(bob);
    aliceDesktop.close();
    await aliceDesktop.closed;

    api.tc.clock.advance(20_000);
    await beat(bobDesktop);
    api.tc.clock.advance(11_000);
    await api.tc.center.tick();

    expect(await presenceOf(alice)).toBe('away');
    expect(await presenceOf(bob)).toBe('available');
    await bobDesktop.waitFor(
      (e) =>
        e.type === 'agent.updated' &&
        (e.agent as { id: string; presence: string }).id === alice.agent.id &&
        (e.agent as { presence: string }).presence === 'away',
      'alice away',
    );

    await api.tc.connector.receive({ from: 'member-1', text: 'I need a person', action: 'handoff' });
    const offer = await bobDesktop.waitFor((e) => e.type === 'reservation.created', 'an offer to bob');
    expect((offer.reservation as { agentId: string }).agentId).toBe(bob.agent.id);
    expect(await api.tc.store.reservations.list({ agentId: alice.agent.id })).toEqual([]);
  });

  it('a desktop that reconnects within the grace keeps the agent available', async () => {
    const first = await connect(alice);
    const bobDesktop = await connect(bob);
    first.close();
    await first.closed;
    api.tc.clock.advance(25_000);
    await connect(alice);
    await beat(bobDesktop);
    api.tc.clock.advance(10_000);
    await api.tc.center.tick();
    expect(await presenceOf(alice)).toBe('available');
  });
});
