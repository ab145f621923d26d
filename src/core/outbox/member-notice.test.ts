import { randomUUID } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../pubsub/in-process-event-bus.ts';
import { createDatabase } from '../../storage/database.ts';
import { openStore } from '../../storage/kysely-store.ts';
import {
  migrationLockTableName,
  migrations,
  migrationTableName,
} from '../../storage/migrations/migrate-to-latest.ts';
import { sharedDatabases } from '../../storage/test-support/shared-databases.ts';
import { CaseService } from '../cases/case-service.ts';
import type { Contact, OutboundMessage } from '../model.ts';
import type { ChannelConnector, SendResult } from '../ports/channel-connector.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { OutboxDispatcher } from './outbox-dispatcher.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL member-notice tests: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(pgUrl, 'switchboard-notices-');
afterAll(() => databases.drop());

/** A channel that delivers notices and records who was told what, by which dispatcher. */
class NoticeConnector implements ChannelConnector {
  readonly channel = 'test';
  readonly notices = true;
  constructor(
    private readonly name: string,
    readonly log: { by: string; to: string; text: string }[],
  ) {}
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  health = () => ({ status: 'connected' as const, detail: null });
  async send(message: OutboundMessage): Promise<SendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    const to = String(message.address.externalId ?? message.address.thread);
    this.log.push({
      by: this.name,
      to,
      text: message.notice?.type === 'case.status' ? message.notice.case.status : message.text,
    });
    return { externalId: `${this.name}-${this.log.length}` };
  }
}

async function reporter(store: Store, n: number, at: string): Promise<Contact> {
  const contact: Contact = {
    id: randomUUID(),
    name: `Reporter ${n}`,
    avatarUrl: null,
    locale: null,
    identities: [{ channel: 'test', externalId: `member-${n}` }],
    createdAt: at,
  };
  await store.contacts.create(contact);
  return contact;
}

const statuses = ['open', 'pending', 'solved'] as const;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !pgUrl)(
    `notices to members through the outbox (${engine})`,
    () => {
      it('a status change and its notice are stored together, or neither', async () => {
        const store = await openStore({ url: await databases.url(engine) });
        try {
          const clock = new ManualClock('2026-03-01T09:00:00.000Z');
          const cases = new CaseService(store, new InProcessEventBus(), clock, {
            noticeChannels: () => ['test'],
          });
          const contact = await reporter(store, 1, clock.now().toISOString());
          const kase = await cases.create(
            { kind: 'bug', subject: 'Crash', contactId: contact.id },
            {
              kind: 'contact',
              id: contact.id,
            },
          );
          const actor = { kind: 'system' as const, id: null };
          // The transaction that changed the status fails after the change: no notice is left behind.
          await expect(
            store.transaction(async (tx) => {
              await cases.updateIn(tx, () => {}, kase.id, { status: 'open' }, actor);
              throw new Error('rolled back');
            }),
          ).rejects.toThrow('rolled back');
          const now = clock.now().toISOString();
          const claim = { now, leaseUntil: now, owner: 'probe', limit: 100 };
          expect(await store.outbox.listDue(now, 100)).toEqual([]);
          await cases.update(kase.id, { status: 'open' }, actor);
          // Other changes, and support cases, tell nobody.
          await cases.update(kase.id, { priority: 'high' }, actor);
          const support = await cases.create(
            { kind: 'support', subject: 'Help', contactId: contact.id },
            actor,
          );
          await cases.update(support.id, { status: 'solved' }, actor);
          const due = await store.outbox.listDue(now, 100);
          expect(due).toHaveLength(1);
          expect(due[0]).toMatchObject({
            conversationId: null,
            contactId: contact.id,
            channel: 'test',
            status: 'pending',
            message: {
              conversationId: null,
              address: { contactId: contact.id, externalId: 'member-1' },
              notice: { type: 'case.status', case: { id: kase.id, number: kase.number, status: 'open' } },
            },
          });
          expect((await store.outbox.claimDue({ ...claim, owner: 'one' })).map((i) => i.seq)).toEqual([
            due[0]!.seq,
          ]);
        } finally {
          await store.close();
        }
      });

      it('two dispatchers on one database tell each of 20 reporters each status once, in order', async () => {
        const url = await databases.url(engine);
        const one = await openStore({ url });
        const two = await openStore({ url });
        try {
          const clock = new ManualClock('2026-03-01T09:00:00.000Z');
          const actor = { kind: 'system' as const, id: null };
          const cases = new CaseService(one, new InProcessEventBus(), clock, {
            noticeChannels: () => ['test'],
          });
          for (let n = 0; n < 20; n++) {
            const contact = await reporter(one, n, clock.now().toISOString());
            const kase = await cases.create(
              { kind: 'feature', subject: `Idea ${n}`, contactId: contact.id },
              actor,
            );
            for (const status of statuses) await cases.update(kase.id, { status }, actor);
          }
          const told: { by: string; to: string; text: string }[] = [];
          const dispatchers = [one, two].map(
            (store, i) =>
              new OutboxDispatcher(store, new Map([['test', new NoticeConnector(`d${i}`, told)]]), clock, {
                concurrency: 4,
              }),
          );
          for (let round = 0; told.length < 60 && round < 50; round++)
            await Promise.all(dispatchers.map((d) => d.tick()));
          expect(told).toHaveLength(60);
          for (let n = 0; n < 20; n++)
            expect(told.filter((t) => t.to === `member-${n}`).map((t) => t.text)).toEqual([...statuses]);
          expect(told.some((t) => t.by === 'd0')).toBe(true);
          expect(told.some((t) => t.by === 'd1')).toBe(true);
        } finally {
          await one.close();
          await two.close();
        }
      });

      it('the migration keeps the outbox of an existing database: order, claims and failed items', async () => {
        const url = await databases.url(engine);
        const db = createDatabase({ url });
        const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0014'));
        // As migrateToLatest does: the bookkeeping tables in this schema, not in any other one.
        const schema =
          engine === 'postgres'
            ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
            : undefined;
        const migrator = (set: typeof migrations) =>
          new Migrator({
            db,
            provider: { getMigrations: async () => set },
            migrationTableName,
            migrationLockTableName,
            ...(schema ? { migrationTableSchema: schema } : {}),
          });
        try {
          const older = await migrator(before).migrateToLatest();
          expect(older.error).toBeUndefined();
          const at = '2026-03-01T09:00:00.000Z';
          await sql`insert into contacts (id, name, created_at) values ('k1', 'Kim', ${at})`.execute(db);
          await sql`insert into conversations (id, contact_id, channel, state, address, created_at, updated_at)
          values ('c1', 'k1', 'test', 'bot', '{}', ${at}, ${at})`.execute(db);
          for (const [status, text] of [
            ['sent', 'first'],
            ['failed', 'refused'],
            ['pending', 'waiting'],
            ['pending', 'behind'],
          ])
            await sql`insert into outbox (conversation_id, channel, message, status, attempts, next_attempt_at, created_at)
            values ('c1', 'test', ${JSON.stringify({ text })}, ${status}, 0, ${at}, ${at})`.execute(db);
          const latest = await migrator(migrations).migrateToLatest();
          expect(latest.error).toBeUndefined();
        } finally {
          await db.destroy();
        }
        const store = await openStore({ url });
        try {
          const items = await store.outbox.listByConversation('c1');
          expect(items.map((i) => [i.status, i.message.text])).toEqual([
            ['sent', 'first'],
            ['failed', 'refused'],
            ['pending', 'waiting'],
            ['pending', 'behind'],
          ]);
          const now = '2026-03-01T09:00:01.000Z';
          const claimed = await store.outbox.claimDue({
            now,
            leaseUntil: '2026-03-01T09:01:00.000Z',
            owner: 'o',
            limit: 10,
          });
          // Only the conversation's head, as before the migration.
          expect(claimed.map((i) => i.message.text)).toEqual(['waiting']);
          // New items go after the old ones.
          const added = await store.outbox.add({
            ...items[3]!,
            message: { ...items[3]!.message, text: 'new' },
          });
          expect(added.seq).toBeGreaterThan(items[3]!.seq);
        } finally {
          await store.close();
        }
      });
    },
  );
}
