import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { DomainEvent } from '../ports/event-bus.ts';

let t: TestCenter;
let events: DomainEvent[];
beforeEach(async () => {
  t = await createTestCenter();
  events = [];
  t.bus.subscribe((event) => {
    events.push(event);
  });
});
afterEach(() => t.close());

const presenceOf = async (id: string) => (await t.center.agents.get(id)).presence;

async function handOff(from: string): Promise<string> {
  await t.connector.receive({ from, text: 'I need a human please', action: 'handoff' });
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!.id;
}

describe('presence follows the live desktop', () => {
  it('turns an available agent without a heartbeat for the grace time away, and tells supervisors', async () => {
    const gone = await t.agent('gone@example.com', { presence: 'available' });
    const here = await t.agent('here@example.com', { presence: 'available' });
    t.clock.advance(20_000);
    await t.center.presence.heartbeat(here.id);
    t.clock.advance(9_000);
    await t.center.tick();
    // 29 s without a heartbeat: still within the grace.
    expect(await presenceOf(gone.id)).toBe('available');
    t.clock.advance(2_000);
    await t.center.tick();
    expect(await presenceOf(gone.id)).toBe('away');
    expect(await presenceOf(here.id)).toBe('available');
    expect(
      events.some((e) => e.type === 'agent.updated' && e.agent.id === gone.id && e.agent.presence === 'away'),
    ).toBe(true);
  });

  it('offers the next conversation to the agent who is there, and withdraws the offer of one who left', async () => {
    const gone = await t.agent('gone@example.com', { presence: 'available' });
    t.clock.advance(1_000);
    const here = await t.agent('here@example.com', { presence: 'available' });
    const first = await handOff('m1');
    // The longest-idle agent gets the offer, then closes the browser.
    const [offer] = await t.store.reservations.list({ agentId: gone.id, status: 'pending' });
    expect(offer?.conversationId).toBe(first);
    t.clock.advance(25_000);
    await t.center.presence.heartbeat(here.id);
    t.clock.advance(6_000);
    await t.center.tick();
    expect((await t.store.reservations.get(offer!.id))?.status).toBe('canceled');
    const offeredToHere = await t.store.reservations.list({ agentId: here.id, status: 'pending' });
    expect(offeredToHere.map((r) => r.conversationId)).toEqual([first]);
    const second = await handOff('m2');
    expect(await t.store.reservations.list({ conversationId: second, agentId: gone.id })).toEqual([]);
    // Both offered at the same instant of the test clock: compare without order.
    expect(
      (await t.store.reservations.list({ agentId: here.id, status: 'pending' }))
        .map((r) => r.conversationId)
        .sort(),
    ).toEqual([first, second].sort());
  });

  it('keeps an agent whose desktop keeps beating available, and one who reconnects within the grace', async () => {
    const agent = await t.agent('steady@example.com', { presence: 'available' });
    for (let i = 0; i < 10; i++) {
      t.clock.advance(10_000);
      await t.center.presence.heartbeat(agent.id);
      await t.center.tick();
    }
    expect(await presenceOf(agent.id)).toBe('available');
    // The browser closed; a new desktop connects 25 s later.
    t.clock.advance(25_000);
    await t.center.presence.heartbeat(agent.id, true);
    t.clock.advance(10_000);
    await t.center.tick();
    expect(await presenceOf(agent.id)).toBe('available');
  });

  it('does not bring an away agent back by itself: the agent says so', async () => {
    const agent = await t.agent('back@example.com', { presence: 'available' });
    t.clock.advance(31_000);
    await t.center.tick();
    expect(await presenceOf(agent.id)).toBe('away');
    await t.center.presence.heartbeat(agent.id, true);
    await t.center.tick();
    expect(await presenceOf(agent.id)).toBe('away');
    await t.center.agents.setPresence(agent.id, 'available');
    t.clock.advance(20_000);
    await t.center.tick();
    // Going available started a new grace time.
    expect(await presenceOf(agent.id)).toBe('available');
  });
});
