import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ContactService } from '../../src/core/contacts/contact-service.ts';
import type { Agent, Reservation } from '../../src/core/model.ts';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { DomainEvent } from '../../src/core/ports/event-bus.ts';
import { sharedDatabases } from '../../src/storage/test-support/shared-databases.ts';
import { createTestCenter, type TestCenter } from '../support/test-center.ts';

/**
 * Two contact centers on one PostgreSQL database, as two instances behind a load balancer: each has its
 * own store (connection pool), router and event bus. What one router does, the other must not do again.
 */

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the two-router tests: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(baseUrl, 'switchboard-routers-');

/** Runs `work` for every item, `width` at a time. */
async function inWaves<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>) {
  const results: PromiseSettledResult<R>[] = [];
  for (let i = 0; i < items.length; i += width) {
    const wave = items.slice(i, i + width);
    results.push(...(await Promise.allSettled(wave.map((item, j) => work(item, i + j)))));
  }
  return results;
}

const failures = (results: PromiseSettledResult<unknown>[]) =>
  results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));

describe.skipIf(!baseUrl)('two routers on one PostgreSQL database', () => {
  const _url = baseUrl ?? '';
  let centers: TestCenter[] = [];

  /** Two instances on a fresh database, sharing one clock (one wall clock for both machines). */
  async function twoInstances(): Promise<[TestCenter, TestCenter]> {
    const schemaUrl = await databases.url('postgres');
    const clock = new ManualClock('2026-03-01T09:00:00.000Z');
    const first = await createTestCenter({ url: schemaUrl, clock });
    const second = await createTestCenter({ url: schemaUrl, clock });
    centers = [first, second];
    return [first, second];
  }

  afterEach(async () => {
    await Promise.all(centers.map((c) => c.close()));
    centers = [];
  });

  afterAll(() => databases.drop());

  it('offers each conversation to one agent at a time, never over capacity, and every one is served once', async () => {
    const [a, b] = await twoInstances();
    const both = [a, b] as const;
    const events: DomainEvent[] = [];
    for (const c of both) c.bus.subscribe((event) => void events.push(event));
    const agents: Agent[] = [];
    for (let i = 0; i < 10; i++) {
      agents.push(await a.agent(`agent${i}@example.com`, { presence: 'available', capacity: 3 }));
      a.clock.advance(10);
    }
    const members = Array.from({ length: 300 }, (_, i) => `member-${i}`);

    /** What must hold at every pause: no conversation with two pending offers, no agent over capacity. */
    async function checkInvariants(): Promise<Reservation[]> {
      const pending = await a.store.reservations.list({ status: 'pending' });
      const perConversation = new Map<string, number>();
      for (const r of pending)
        perConversation.set(r.conversationId, (perConversation.get(r.conversationId) ?? 0) + 1);
      expect([...perConversation.values()].filter((n) => n > 1)).toEqual([]);
      for (const agent of agents) {
        const held = await a.store.conversations.list({ agentId: agent.id, state: ['assigned', 'wrapping'] });
        const offered = pending.filter((r) => r.agentId === agent.id).length;
        expect(held.length + offered, `${agent.name}'s load`).toBeLessThanOrEqual(agent.capacity);
      }
      return pending;
    }

    // The spike: 300 members ask for a person at once, half through each instance.
    const handoffs = await inWaves(members, 30, (from, i) =>
      both[i % 2]!.connector.receive({ from, text: 'I need a human please', action: 'handoff' }),
    );
    expect(failures(handoffs)).toEqual([]);
    expect(await a.store.queues.list()).toHaveLength(1);
    let pending = await checkInvariants();
    expect(pending).toHaveLength(30);

    // Both routers time offers out at once: each offer times out once, and is offered again.
    a.clock.advance(a.center.router.options.reservationTimeoutMs + 1_000);
    const timedOut = events.length;
    const [expiredA, expiredB] = await Promise.all([
      a.center.router.expireReservations(),
      b.center.router.expireReservations(),
    ]);
    const timeoutEvents = events
      .slice(timedOut)
      .filter((e) => e.type === 'reservation.updated' && e.reservation.status === 'timed_out');
    expect(timeoutEvents).toHaveLength(30);
    expect(new Set(timeoutEvents.map((e) => e.type === 'reservation.updated' && e.reservation.id)).size).toBe(
      30,
    );
    expect(expiredA + expiredB).toBe(30);
    pending = await checkInvariants();
    expect(pending).toHaveLength(30);

    // Agents answer each offer through both instances at once: one in five rejects it (it moves on to
    // another agent), the others accept and then close, until none waits. Both routers offer meanwhile.
    const offered = new Set<string>();
    for (let round = 0; round < 40; round++) {
      pending = await checkInvariants();
      if (pending.length === 0) break;
      for (const r of pending) offered.add(r.conversationId);
      const rejecting = (r: Reservation) => r.id.charCodeAt(r.id.length - 1) % 5 === 0;
      const answers = await inWaves(pending, 30, (r, i) =>
        Promise.allSettled(
          [both[i % 2]!, both[(i + 1) % 2]!].map((c) =>
            rejecting(r) ? c.center.router.reject(r.id, r.agentId) : c.center.router.accept(r.id, r.agentId),
          ),
        ),
      );
      for (const result of answers) {
        expect(result.status).toBe('fulfilled');
        const pair = (result as PromiseFulfilledResult<PromiseSettledResult<unknown>[]>).value;
        expect(pair.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
        // The loser is told the offer was taken, as a conflict.
        const lost = pair.find((p) => p.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ kind: 'conflict' });
      }
      await checkInvariants();
      const closes = await inWaves(
        pending.filter((r) => !rejecting(r)),
        30,
        (r, i) => both[i % 2]!.center.conversations.close(r.agentId, r.conversationId),
      );
      expect(failures(closes)).toEqual([]);
      await Promise.all([a.center.router.offer(), b.center.router.offer()]);
    }

    expect(offered.size).toBe(300);
    expect(await a.store.conversations.list({ state: 'queued' })).toHaveLength(0);
    const accepted = await a.store.reservations.list({ status: 'accepted' });
    expect(accepted).toHaveLength(300);
    expect((await a.store.reservations.list({ status: 'rejected' })).length).toBeGreaterThan(0);
    expect(new Set(accepted.map((r) => r.conversationId)).size).toBe(300);
    // "Joined the conversation" was posted once per conversation.
    const joined = await a.store.transaction(async (tx) => {
      let count = 0;
      for (const r of accepted) {
        const messages = await tx.messages.listByConversation(r.conversationId);
        const joins = messages.filter(
          (m) => m.authorKind === 'system' && m.text.endsWith('joined the conversation.'),
        );
        expect(joins).toHaveLength(1);
        count += joins.length;
      }
      return count;
    });
    expect(joined).toBe(300);
  }, 150_000);

  it('concurrent first contacts of one member make one contact', async () => {
    const [a, b] = await twoInstances();
    const services = [new ContactService(a.store, a.clock), new ContactService(b.store, b.clock)];
    for (let member = 0; member < 5; member++) {
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          services[i % 2]!.resolve('discord', { externalId: `first-${member}`, name: `Member ${member}` }),
        ),
      );
      expect(failures(results)).toEqual([]);
      const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id));
      expect(ids.size).toBe(1);
      const found = await a.store.contacts.findByIdentity('discord', `first-${member}`);
      expect(found?.id).toBe([...ids][0]);
      expect(await a.store.contacts.list({ text: `first-${member}` })).toHaveLength(1);
    }
  });

  it('first hand-offs on a fresh database make one default queue, and every member is answered', async () => {
    // The race is between two first hand-offs that both find no queue: repeated on fresh databases.
    for (let database = 0; database < 6; database++) {
      const [a, b] = await twoInstances();
      const both = [a, b] as const;
      const members = Array.from({ length: 20 }, (_, i) => `fresh-${i}`);
      const results = await Promise.allSettled(
        members.map((from, i) =>
          both[i % 2]!.connector.receive({ from, text: 'I need a human please', action: 'handoff' }),
        ),
      );
      expect(failures(results)).toEqual([]);
      const queues = await a.store.queues.list();
      expect(queues.map((q) => q.name)).toEqual(['support']);
      for (const from of members) {
        const contact = await a.store.contacts.findByIdentity('test', from);
        const [conversation] = await a.store.conversations.list({ contactId: contact!.id });
        expect(conversation?.state).toBe('queued');
        expect(conversation?.queueId).toBe(queues[0]!.id);
        // The member was answered: the bot's reply names their case number.
        const messages = await a.store.messages.listByConversation(conversation!.id);
        expect(
          messages.some((m) => m.authorKind !== 'contact' && /#\d+/.test(m.text)),
          from,
        ).toBe(true);
      }
      await Promise.all(centers.map((c) => c.close()));
      centers = [];
    }
  }, 120_000);
});
