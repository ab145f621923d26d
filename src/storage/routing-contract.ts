import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { DomainError } from '../core/errors.ts';
import type { Agent, Contact, Conversation, Queue, Reservation } from '../core/model.ts';
import type { Repositories, Store } from '../core/ports/repositories.ts';
import type { KyselyStore } from './kysely-store.ts';
import { recordBuilders } from './test-support/record-builders.ts';

/** The PostgreSQL backend serving this transaction. */
async function backendOf(tx: Repositories): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute((tx as KyselyStore).db);
  return Number(rows[0]?.pid);
}

/** Whether that backend waits for a row lock (PostgreSQL's own report, not a guess from timing). */
async function waitsForLock(store: Store, pid: number): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from pg_stat_activity where pid = ${pid} and wait_event_type = 'Lock'`.execute(
    (store as KyselyStore).db,
  );
  return Number(rows[0]?.n) > 0;
}

/**
 * The router's queries, on each engine (see `routing-contract.test.ts`): claims of waiting conversations,
 * agents with room, one pending offer per conversation, offers ended once, insert-if-absent queues and
 * contacts. `makeStores` gives two stores on one database (two instances); on SQLite :memory: both are
 * the same store. One pair serves the whole suite: every test makes its own rows and filters by them.
 */
export function describeRoutingContract(
  name: string,
  makeStores: () => Promise<[Store, Store]>,
  options: { concurrentTransactions: boolean },
): void {
  describe(`routing contract: ${name}`, () => {
    let first: Store;
    let second: Store;
    beforeAll(async () => {
      [first, second] = await makeStores();
    });
    afterAll(async () => {
      await first?.close();
      if (second !== first) await second?.close();
    });

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;
    /** ISO-8601 timestamps `n` seconds after a fixed instant. */
    const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();
    const far = '2099-01-01T00:00:00.000Z';
    /**
     * Runs the calls at once where transactions of two stores can interleave (PostgreSQL). Two SQLite
     * stores in one process cannot: the synchronous driver would wait on the other's write lock forever.
     */
    const race = <T>(calls: (() => Promise<T>)[]): Promise<T[]> =>
      options.concurrentTransactions
        ? Promise.all(calls.map((call) => call()))
        : calls.reduce<Promise<T[]>>(
            async (done, call) => [...(await done), await call()],
            Promise.resolve([]),
          );

    async function seedQueue(skills: string[] = []): Promise<Queue> {
      const queue: Queue = {
        id: id('queue'),
        name: id('name'),
        skills,
        sendTranscript: false,
        createdAt: at(0),
      };
      await first.queues.create(queue);
      return queue;
    }
    const make = recordBuilders(at(0));
    async function seedConversation(over: Partial<Conversation> = {}): Promise<Conversation> {
      const contact = make.contact();
      await first.contacts.create(contact);
      const conversation = make.conversation(contact.id, { state: 'queued', queuedAt: at(0), ...over });
      await first.conversations.create(conversation);
      return conversation;
    }
    async function seedAgent(over: Partial<Agent> = {}): Promise<Agent> {
      const agent = make.agent({ capacity: 2, presence: 'available', ...over });
      await first.agents.create(agent);
      return agent;
    }
    const offer = (
      conversationId: string,
      agentId: string,
      over: Partial<Reservation> = {},
    ): Reservation => ({
      id: id('res'),
      conversationId,
      queueId: 'q',
      agentId,
      status: 'pending',
      createdAt: at(1),
      expiresAt: far,
      respondedAt: null,
      ...over,
    });

    describe('waiting conversations', () => {
      it('claims by priority (urgent first), then oldest, up to the limit, in the given queues only', async () => {
        const queue = await seedQueue();
        const other = await seedQueue();
        const normalOld = await seedConversation({ queueId: queue.id, queuedAt: at(1) });
        const low = await seedConversation({ queueId: queue.id, queuedAt: at(0) });
        const urgent = await seedConversation({ queueId: queue.id, queuedAt: at(5) });
        const normalNew = await seedConversation({ queueId: queue.id, queuedAt: at(2) });
        await seedConversation({ queueId: other.id, queuedAt: at(0) });
        await first.conversations.setPriority(low.id, 'low');
        await first.conversations.setPriority(urgent.id, 'urgent');
        const ids = async (limit: number) =>
          (await first.conversations.claimWaiting({ queueIds: [queue.id], limit })).map((c) => c.id);
        expect(await ids(10)).toEqual([urgent.id, normalOld.id, normalNew.id, low.id]);
        expect(await ids(2)).toEqual([urgent.id, normalOld.id]);
        // The queue lists in the order it is served, and positions follow it.
        const listed = await first.conversations.list({ state: 'queued', queueId: queue.id });
        expect(listed.map((c) => c.id)).toEqual([urgent.id, normalOld.id, normalNew.id, low.id]);
        expect(await first.conversations.queuePosition(urgent.id)).toBe(1);
        expect(await first.conversations.queuePosition(normalNew.id)).toBe(3);
        expect(await first.conversations.queuePosition(low.id)).toBe(4);
        // A conversation keeps its place when it is written again (say, a new message).
        await first.conversations.update({ ...urgent, updatedAt: at(9) });
        expect(await ids(1)).toEqual([urgent.id]);
      });

      it('skips conversations with a pending offer, those not queued, and those excluded', async () => {
        const queue = await seedQueue();
        const agent = await seedAgent();
        const offered = await seedConversation({ queueId: queue.id, queuedAt: at(1) });
        const answered = await seedConversation({ queueId: queue.id, queuedAt: at(2) });
        const excluded = await seedConversation({ queueId: queue.id, queuedAt: at(3) });
        const free = await seedConversation({ queueId: queue.id, queuedAt: at(4) });
        await seedConversation({ queueId: queue.id, state: 'assigned', queuedAt: at(0) });
        await first.reservations.create(offer(offered.id, agent.id));
        await first.reservations.create(offer(answered.id, agent.id, { status: 'rejected' }));
        const claimed = await first.conversations.claimWaiting({
          queueIds: [queue.id],
          limit: 10,
          exclude: [excluded.id],
        });
        expect(claimed.map((c) => c.id)).toEqual([answered.id, free.id]);
        expect(await first.conversations.claimWaiting({ queueIds: [], limit: 10 })).toEqual([]);
      });

      it('keeps the skill a conversation needs, and claims it only for agents who have it', async () => {
        const queue = await seedQueue();
        const partner = await seedConversation({
          queueId: queue.id,
          queuedAt: at(1),
          requiredSkill: 'partner',
        });
        const anyone = await seedConversation({ queueId: queue.id, queuedAt: at(2) });
        expect((await first.conversations.get(partner.id))?.requiredSkill).toBe('partner');
        expect(await first.conversations.get(anyone.id)).toEqual(anyone);
        const ids = async (skills?: string[]) =>
          (
            await first.conversations.claimWaiting({
              queueIds: [queue.id],
              limit: 10,
              ...(skills ? { skills } : {}),
            })
          ).map((c) => c.id);
        expect(await ids()).toEqual([partner.id, anyone.id]);
        expect(await ids([])).toEqual([anyone.id]);
        expect(await ids(['billing'])).toEqual([anyone.id]);
        expect(await ids(['billing', 'partner'])).toEqual([partner.id, anyone.id]);
      });

      it('queue position is null when not queued; waiting counts per queue with the oldest', async () => {
        const queue = await seedQueue();
        const empty = await seedQueue();
        const older = await seedConversation({ queueId: queue.id, queuedAt: at(3) });
        await seedConversation({ queueId: queue.id, queuedAt: at(7) });
        const held = await seedConversation({ queueId: queue.id, state: 'assigned', queuedAt: at(1) });
        expect(await first.conversations.queuePosition(held.id)).toBeNull();
        expect(await first.conversations.queuePosition('missing')).toBeNull();
        const waiting = await first.conversations.waitingByQueue();
        expect(waiting.find((w) => w.queueId === queue.id)).toEqual({
          queueId: queue.id,
          waiting: 2,
          oldestQueuedAt: older.queuedAt,
        });
        expect(waiting.find((w) => w.queueId === empty.id)).toBeUndefined();
      });
    });

    describe('agents with room', () => {
      it('counts held conversations and pending offers against capacity, longest idle first', async () => {
        const queue = await seedQueue();
        const busy = await seedAgent({ capacity: 2, idleSince: at(1) });
        const roomy = await seedAgent({ capacity: 2, idleSince: at(3) });
        const idlest = await seedAgent({ capacity: 1, idleSince: at(0) });
        const away = await seedAgent({ presence: 'away' });
        const gone = await seedAgent({ status: 'deactivated' });
        const held = await seedConversation({ queueId: queue.id, state: 'assigned', agentId: busy.id });
        await seedConversation({ queueId: queue.id, state: 'wrapping', agentId: roomy.id });
        await seedConversation({ queueId: queue.id, state: 'closed', agentId: roomy.id });
        const waiting = await seedConversation({ queueId: queue.id });
        await first.reservations.create(offer(waiting.id, busy.id));
        await first.reservations.create(offer(held.id, roomy.id, { status: 'timed_out' }));
        const mine = new Set([busy.id, roomy.id, idlest.id, away.id, gone.id]);
        const rooms = (await first.agents.listWithRoom()).filter((r) => mine.has(r.agent.id));
        expect(rooms.map((r) => [r.agent.id, r.load])).toEqual([
          [idlest.id, 0],
          [roomy.id, 1],
        ]);
        expect(rooms[0]?.agent).toEqual(idlest);
        expect(await first.agents.loadOf(busy.id)).toBe(2);
        expect(await first.agents.loadOf(roomy.id)).toBe(1);
        expect(await first.agents.loadOf('missing')).toBe(0);
      });
    });

    describe('reservations', () => {
      it('a conversation has one pending offer at a time, on any store', async () => {
        const conversation = await seedConversation();
        const [a, b] = [await seedAgent(), await seedAgent()];
        const results = await Promise.all([
          first.reservations.createPending(offer(conversation.id, a.id)),
          second.reservations.createPending(offer(conversation.id, b.id)),
          first.reservations.createPending(offer(conversation.id, b.id)),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const pending = await first.reservations.list({ conversationId: conversation.id, status: 'pending' });
        expect(pending).toHaveLength(1);
        await expect(first.reservations.create(offer(conversation.id, a.id))).rejects.toThrow();
        // Once it is answered, the next offer may be made.
        expect(await first.reservations.settle(pending[0]!.id, 'rejected', at(2))).toBeDefined();
        expect(await second.reservations.createPending(offer(conversation.id, b.id))).toBe(true);
      });

      it('ends a pending offer once: the second caller, on any store, gets nothing', async () => {
        const agent = await seedAgent();
        const conversation = await seedConversation();
        const reservation = offer(conversation.id, agent.id, { expiresAt: at(100) });
        await first.reservations.create(reservation);
        const [one, two] = await Promise.all([
          first.reservations.settle(reservation.id, 'accepted', at(5), at(5)),
          second.reservations.settle(reservation.id, 'accepted', at(6), at(6)),
        ]);
        const winners = [one, two].filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ id: reservation.id, status: 'accepted' });
        expect(await first.reservations.settle(reservation.id, 'rejected', at(7))).toBeUndefined();
        expect((await first.reservations.get(reservation.id))?.status).toBe('accepted');
        // An expired offer cannot be accepted, but is still pending (the time-out ends it).
        const late = offer((await seedConversation()).id, agent.id, { expiresAt: at(10) });
        await first.reservations.create(late);
        expect(await first.reservations.settle(late.id, 'accepted', at(10), at(10))).toBeUndefined();
        expect((await first.reservations.get(late.id))?.status).toBe('pending');
      });

      it('times out each due offer once when stores expire at the same time', async () => {
        const agent = await seedAgent();
        const due: Reservation[] = [];
        for (let i = 0; i < 12; i++) {
          const conversation = await seedConversation();
          due.push(offer(conversation.id, agent.id, { expiresAt: at(100 + i) }));
        }
        const notYet = offer((await seedConversation()).id, agent.id, { expiresAt: at(200) });
        for (const r of [...due, notYet]) await first.reservations.create(r);
        const now = at(150);
        const [a, b, c] = await Promise.all([
          first.reservations.expireDue(now),
          second.reservations.expireDue(now),
          first.reservations.expireDue(now),
        ]);
        const mine = new Set([...due, notYet].map((r) => r.id));
        const expired = [...a!, ...b!, ...c!].filter((r) => mine.has(r.id));
        expect(expired.map((r) => r.id).sort()).toEqual(due.map((r) => r.id).sort());
        expect(expired.every((r) => r.status === 'timed_out' && r.respondedAt === now)).toBe(true);
        expect((await first.reservations.get(notYet.id))?.status).toBe('pending');
      });

      it('cancels the pending offers of an agent, or of a conversation', async () => {
        const [agent, other] = [await seedAgent(), await seedAgent()];
        const [c1, c2, c3] = [await seedConversation(), await seedConversation(), await seedConversation()];
        const r1 = offer(c1.id, agent.id);
        const r2 = offer(c2.id, agent.id);
        const r3 = offer(c3.id, other.id);
        const done = offer(c3.id, agent.id, { status: 'rejected' });
        for (const r of [r1, r2, r3, done]) await first.reservations.create(r);
        const canceled = await first.reservations.cancelPending({ agentId: agent.id }, at(9));
        expect(canceled.map((r) => r.id).sort()).toEqual([r1.id, r2.id].sort());
        expect(canceled.every((r) => r.status === 'canceled' && r.respondedAt === at(9))).toBe(true);
        expect(await second.reservations.cancelPending({ agentId: agent.id }, at(10))).toEqual([]);
        const byConversation = await first.reservations.cancelPending({ conversationId: c3.id }, at(11));
        expect(byConversation.map((r) => r.id)).toEqual([r3.id]);
        expect((await first.reservations.get(done.id))?.status).toBe('rejected');
      });

      it('lists who declined each conversation since it was last queued', async () => {
        const [a, b, c, d] = [await seedAgent(), await seedAgent(), await seedAgent(), await seedAgent()];
        const conversation = await seedConversation({ queuedAt: at(10) });
        const other = await seedConversation({ queuedAt: at(0) });
        await first.reservations.create(
          offer(conversation.id, a.id, { status: 'rejected', createdAt: at(11) }),
        );
        await first.reservations.create(
          offer(conversation.id, b.id, { status: 'timed_out', createdAt: at(12) }),
        );
        await first.reservations.create(
          offer(conversation.id, b.id, { status: 'timed_out', createdAt: at(13) }),
        );
        // Before it was queued again, and withdrawn offers, do not count.
        await first.reservations.create(
          offer(conversation.id, c.id, { status: 'rejected', createdAt: at(9) }),
        );
        await first.reservations.create(
          offer(conversation.id, d.id, { status: 'canceled', createdAt: at(14) }),
        );
        await first.reservations.create(offer(other.id, c.id, { status: 'rejected', createdAt: at(1) }));
        const declined = await first.reservations.listDeclined([conversation.id, other.id]);
        const key = (r: { conversationId: string; agentId: string }) => `${r.conversationId}/${r.agentId}`;
        expect(declined.map(key).sort()).toEqual(
          [
            key({ conversationId: conversation.id, agentId: a.id }),
            key({ conversationId: conversation.id, agentId: b.id }),
            key({ conversationId: other.id, agentId: c.id }),
          ].sort(),
        );
        expect(await first.reservations.listDeclined([])).toEqual([]);
      });
    });

    describe('insert-if-absent', () => {
      it('creates a queue once when stores race for its name, and every caller gets it', async () => {
        const name = id('support');
        const queues = await Promise.all(
          [first, second, first, second].map((store, i) =>
            store.queues.createIfAbsent({
              id: id(`q${i}`),
              name,
              skills: [],
              sendTranscript: false,
              createdAt: at(i),
            }),
          ),
        );
        expect(new Set(queues.map((q) => q.id)).size).toBe(1);
        expect((await first.queues.list()).filter((q) => q.name === name)).toHaveLength(1);
        expect(await first.queues.getByName(name)).toEqual(queues[0]);
      });

      it('creates a contact once per identity; the others get the contact that holds it', async () => {
        const externalId = id('member');
        const contact = (n: number): Contact => ({
          id: id(`contact${n}`),
          name: `Member ${n}`,
          avatarUrl: null,
          locale: null,
          identities: [{ channel: 'discord', externalId }],
          createdAt: at(n),
        });
        const stored = await race(
          [first, second, first, second, first, second].map(
            (store, n) => () => store.contacts.createIfAbsent(contact(n)),
          ),
        );
        expect(new Set(stored.map((c) => c.id)).size).toBe(1);
        expect(await first.contacts.findByIdentity('discord', externalId)).toEqual(stored[0]);
        // The losers' rows are gone: one contact matches the identity.
        expect(await first.contacts.list({ text: externalId })).toHaveLength(1);
      });

      it('concurrent updates of one contact do not collide on its identities', async () => {
        const externalId = id('member');
        const contact: Contact = {
          id: id('contact'),
          name: 'Member',
          avatarUrl: null,
          locale: null,
          identities: [{ channel: 'discord', externalId }],
          createdAt: at(0),
        };
        await first.contacts.create(contact);
        await race(
          [first, second, first, second].map(
            (store, n) => () =>
              store.transaction((tx) => tx.contacts.update({ ...contact, name: `Member ${n}` })),
          ),
        );
        const found = await first.contacts.findByIdentity('discord', externalId);
        expect(found?.identities).toEqual(contact.identities);
        // An identity held by another contact stays theirs.
        const other: Contact = { ...contact, id: id('contact'), identities: [] };
        await first.contacts.create(other);
        const stealing = first.contacts.update({ ...other, identities: contact.identities });
        await expect(stealing).rejects.toSatisfy((e) => e instanceof DomainError && e.kind === 'conflict');
        expect((await first.contacts.findByIdentity('discord', externalId))?.id).toBe(contact.id);
      });
    });

    if (options.concurrentTransactions) {
      describe('concurrent offer rounds (two instances)', () => {
        it('claims different conversations in concurrent transactions', async () => {
          const queue = await seedQueue();
          const waiting: Conversation[] = [];
          for (let i = 0; i < 4; i++)
            waiting.push(await seedConversation({ queueId: queue.id, queuedAt: at(i) }));
          let release!: () => void;
          const held = new Promise<void>((resolve) => {
            release = resolve;
          });
          let claimedFirst: string[] = [];
          const round = first.transaction(async (tx) => {
            claimedFirst = (await tx.conversations.claimWaiting({ queueIds: [queue.id], limit: 2 })).map(
              (c) => c.id,
            );
            await held;
          });
          await eventually('the first round claimed', () => claimedFirst.length > 0);
          const claimedSecond = await second.transaction(async (tx) =>
            (await tx.conversations.claimWaiting({ queueIds: [queue.id], limit: 4 })).map((c) => c.id),
          );
          release();
          await round;
          expect(claimedFirst).toEqual([waiting[0]!.id, waiting[1]!.id]);
          expect(claimedSecond).toEqual([waiting[2]!.id, waiting[3]!.id]);
        });

        it("a round counts an agent's load after the lock, so it sees the offers of the round before", async () => {
          const agent = await seedAgent({ capacity: 1 });
          const conversation = await seedConversation();
          let release!: () => void;
          const held = new Promise<void>((resolve) => {
            release = resolve;
          });
          let locked = false;
          const round = first.transaction(async (tx) => {
            const rooms = await tx.agents.listWithRoom({ lock: true });
            expect(rooms.some((r) => r.agent.id === agent.id)).toBe(true);
            locked = true;
            await held;
            await tx.reservations.createPending(offer(conversation.id, agent.id));
          });
          await eventually('the first round locked the agents', () => locked);
          let pid = 0;
          let secondDone = false;
          const other = second
            .transaction(async (tx) => {
              pid = await backendOf(tx);
              return tx.agents.listWithRoom({ lock: true });
            })
            .finally(() => {
              secondDone = true;
            });
          // The second round waits for the first one's lock, then sees its offer.
          await eventually(
            'the second round waits for the lock',
            async () => pid > 0 && waitsForLock(first, pid),
            10_000,
          );
          expect(secondDone).toBe(false);
          release();
          await round;
          const rooms = await other;
          expect(rooms.some((r) => r.agent.id === agent.id)).toBe(false);
        });

        it('an agent locked by a round is waited for by a direct transfer counting its load', async () => {
          const agent = await seedAgent({ capacity: 1 });
          const conversation = await seedConversation();
          let release!: () => void;
          const held = new Promise<void>((resolve) => {
            release = resolve;
          });
          let locked = false;
          const round = first.transaction(async (tx) => {
            await tx.agents.listWithRoom({ lock: true });
            locked = true;
            await held;
            await tx.reservations.createPending(offer(conversation.id, agent.id));
          });
          await eventually('the round locked the agents', () => locked);
          let pid = 0;
          const load = second.transaction(async (tx) => {
            pid = await backendOf(tx);
            return tx.agents.loadOf(agent.id, { lock: true });
          });
          await eventually(
            'the transfer waits for the lock',
            async () => pid > 0 && waitsForLock(first, pid),
            10_000,
          );
          release();
          await round;
          expect(await load).toBe(1);
        });
      });
    }
  });
}
