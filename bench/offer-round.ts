/**
 * What one offer round costs with 10, 1,000 and 10,000 conversations waiting, on PostgreSQL
 * (TEST_DATABASE_URL or DATABASE_URL; a schema of its own per size, dropped afterwards).
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/offer-round.ts
 *
 * Ten agents with capacity 3: a round with room offers 30 conversations (then the offers are withdrawn
 * and the round runs again); a round without room (every agent full) offers nothing. Prints the median
 * and the slowest of each, in milliseconds. It prints figures; it asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Agent, Contact, Conversation } from '../src/core/model.ts';
import { createTestCenter, type TestCenter } from '../test/support/test-center.ts';

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) {
  console.error('Set TEST_DATABASE_URL (or DATABASE_URL) to a PostgreSQL database.');
  process.exit(1);
}
const sizes = (process.env.OFFER_ROUND_SIZES ?? '10,1000,10000').split(',').map(Number);
const rounds = Number(process.env.OFFER_ROUND_REPEATS ?? 15);

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

async function seed(t: TestCenter, waiting: number): Promise<Agent[]> {
  const queue = await t.center.queues.ensureDefault();
  const agents: Agent[] = [];
  for (let i = 0; i < 10; i++) {
    agents.push(await t.agent(`bench${i}@example.com`, { presence: 'away', capacity: 3 }));
    t.clock.advance(10);
  }
  const start = t.clock.now().getTime();
  for (let from = 0; from < waiting; from += 500) {
    await t.store.transaction(async (tx) => {
      for (let i = from; i < Math.min(waiting, from + 500); i++) {
        const at = new Date(start + i).toISOString();
        const contact: Contact = {
          id: randomUUID(),
          name: `Member ${i}`,
          avatarUrl: null,
          locale: null,
          identities: [{ channel: 'test', externalId: `bench-${i}` }],
          createdAt: at,
        };
        await tx.contacts.create(contact);
        const conversation: Conversation = {
          id: randomUUID(),
          contactId: contact.id,
          channel: 'test',
          state: 'queued',
          address: { thread: `bench-${i}` },
          queueId: queue.id,
          agentId: null,
          caseId: null,
          language: null,
          wrapUpNote: null,
          queuedAt: at,
          assignedAt: null,
          firstAgentReplyAt: null,
          closedAt: null,
          createdAt: at,
          updatedAt: at,
        };
        await tx.conversations.create(conversation);
      }
    });
  }
  return agents;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fmt = (ms: number) => ms.toFixed(1).padStart(8);

async function measure(waiting: number) {
  const schema = `switchboard_bench_${randomUUID().replaceAll('-', '')}`;
  await admin(`create schema "${schema}"`);
  const schemaUrl = new URL(url as string);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  const t = await createTestCenter({ url: schemaUrl.toString() });
  try {
    const agents = await seed(t, waiting);
    await t.store.transaction(async (tx) => {
      for (const agent of agents) await tx.agents.update({ ...agent, presence: 'available' });
    });
    await t.center.router.offer(); // warm-up: plans, pools
    const withRoom: number[] = [];
    let offered = 0;
    for (let i = 0; i < rounds; i++) {
      // The offers of the last round are withdrawn (untimed, and without a round of its own).
      await t.store.transaction(async (tx) => {
        for (const agent of agents) {
          for (const r of await tx.reservations.list({ agentId: agent.id, status: 'pending' }))
            await tx.reservations.update({ ...r, status: 'canceled', respondedAt: r.createdAt });
        }
      });
      const before = performance.now();
      await t.center.router.offer();
      withRoom.push(performance.now() - before);
      offered = 0;
      for (const agent of agents)
        offered += (await t.store.reservations.list({ agentId: agent.id, status: 'pending' })).length;
    }
    // Every agent full now (30 pending offers): a hand-off's round finds no room.
    const full: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const before = performance.now();
      await t.center.router.offer();
      full.push(performance.now() - before);
    }
    return { waiting, offered, withRoom, full };
  } finally {
    await t.close();
    if (process.env.OFFER_ROUND_KEEP) console.log(`kept schema ${schema}`);
    else await admin(`drop schema if exists "${schema}" cascade`);
  }
}

console.log(`offer round on PostgreSQL, 10 agents × capacity 3, ${rounds} rounds each (ms)`);
console.log('   waiting  offered  room p50  room max  full p50  full max');
for (const size of sizes) {
  const r = await measure(size);
  console.log(
    `${String(r.waiting).padStart(10)}${String(r.offered).padStart(9)}${fmt(median(r.withRoom))}  ${fmt(Math.max(...r.withRoom))}  ${fmt(median(r.full))}  ${fmt(Math.max(...r.full))}`,
  );
}
