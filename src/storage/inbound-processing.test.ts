import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, engineOf } from './database.ts';
import { describeInboundProcessingContract } from './inbound-processing-contract.ts';
import { openStore } from './kysely-store.ts';
import {
  migrateToLatest,
  migrationLockTableName,
  migrations,
  migrationTableName,
} from './migrations/migrate-to-latest.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-inbound-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two stores on one SQLite file: two processes sharing it.
describeInboundProcessingContract('SQLite file', async () => {
  const url = path.join(dir, 'contract.db');
  const first = await openStore({ url });
  return [first, await openStore({ url })];
});

/** Migrates to the migration before 0013, stores a message as an older release did, then migrates on. */
async function messageFromBeforeTheMigration(db: Kysely<Database>): Promise<void> {
  const names = Object.keys(migrations).sort();
  const before = names[names.indexOf('0013-inbound-processing') - 1];
  if (!before) throw new Error('0013-inbound-processing is not listed');
  // As migrateToLatest does: on PostgreSQL the bookkeeping tables live in the test's own schema.
  const schema =
    engineOf(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName,
    migrationLockTableName,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo(before);
  if (error) throw error;
  const old = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await old
    .insertInto('contacts')
    .values({
      id: 'c1',
      name: 'Layla',
      avatar_url: null,
      locale: null,
      created_at: '2024-01-01T00:00:00.000Z',
    })
    .execute();
  await old
    .insertInto('conversations')
    .values({
      id: 'v1',
      contact_id: 'c1',
      channel: 'discord',
      state: 'bot',
      address: '{}',
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
    })
    .execute();
  await old
    .insertInto('messages')
    .values({
      id: 'm1',
      conversation_id: 'v1',
      channel: 'discord',
      author_kind: 'contact',
      author_id: 'c1',
      text: 'stored by an older release',
      attachments: '[]',
      articles: '[]',
      external_id: 'e1',
      created_at: '2024-01-01T00:00:01.000Z',
    })
    .execute();
  await migrateToLatest(db);
}

describe('inbound processing migration (SQLite)', () => {
  it('counts messages stored before it as processed', async () => {
    const url = path.join(dir, 'old.db');
    const db = createDatabase({ url });
    await messageFromBeforeTheMigration(db);
    await db.destroy();
    const store = await openStore({ url });
    expect(await store.messages.hasUnprocessed('v1', 5)).toBe(false);
    expect(
      await store.messages.claimUnprocessed({
        now: '2030-01-01T00:00:00.000Z',
        leaseUntil: '2030-01-01T00:01:00.000Z',
        owner: 'a',
        limit: 10,
        maxAttempts: 5,
      }),
    ).toEqual([]);
    await store.close();
  });
});

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL inbound processing tests: TEST_DATABASE_URL is not set');

describe.skipIf(!baseUrl)('PostgreSQL', () => {
  const url = baseUrl ?? '';
  const databases = sharedDatabases(url, 'switchboard-inbound-');
  /** A fresh, empty schema and the URL whose connections see only it. */
  const freshSchema = () => databases.url('postgres');
  afterAll(() => databases.drop());

  describeInboundProcessingContract('PostgreSQL', async () => {
    const schemaUrl = await freshSchema();
    const first = await openStore({ url: schemaUrl });
    return [first, await openStore({ url: schemaUrl })];
  });

  it('the migration counts messages stored before it as processed', async () => {
    const schemaUrl = await freshSchema();
    const db = createDatabase({ url: schemaUrl });
    await messageFromBeforeTheMigration(db);
    await db.destroy();
    const store = await openStore({ url: schemaUrl });
    expect(await store.messages.hasUnprocessed('v1', 5)).toBe(false);
    await store.close();
  });
});
