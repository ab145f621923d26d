import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.ts';
import {
  migrateToLatest,
  migrationLockTableName,
  migrationTableName,
} from './migrations/migrate-to-latest.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL introspection test: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(pgUrl, 'switchboard-introspection-');
afterAll(() => databases.drop());

/** Creates and drops other schemas, each with a few tables, until `stop()`; as another tenant of the database would. */
function churnOtherSchemas(url: string) {
  let running = true;
  const client = new pg.Client({ connectionString: url });
  const done = (async () => {
    await client.connect();
    for (let round = 0; running; round++) {
      const schema = `switchboard_churn_${process.pid}_${round}`;
      const tables = Array.from(
        { length: 8 },
        (_, i) => `create table "${schema}".t${i} (id serial primary key, a text, b int);`,
      );
      await client.query(`create schema "${schema}"; ${tables.join(' ')}`);
      await client.query(`drop schema "${schema}" cascade`);
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

describe.skipIf(!pgUrl)('a Switchboard schema beside other schemas on one PostgreSQL database', () => {
  it('migrates and reads its own tables while other schemas are created and dropped', async () => {
    const url = await databases.url('postgres');
    const churn = churnOtherSchemas(pgUrl!);
    const db = createDatabase({ url });
    try {
      await migrateToLatest(db);
      // Every start-up asks whether the bookkeeping tables exist: many reads overlap many drops.
      for (let read = 0; read < 60; read++) {
        const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
        const names = tables.map((t) => t.name);
        expect(names).toContain(migrationTableName);
        expect(names).toContain(migrationLockTableName);
        expect(names).toContain('conversations');
        // Only this schema's tables: none of the other tenant's.
        expect(new Set(tables.map((t) => t.schema)).size).toBe(1);
      }
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await churn.stop();
      await db.destroy();
    }
  });

  it('describes its tables as the catalogue holds them', async () => {
    const url = await databases.url('postgres');
    const db = createDatabase({ url });
    try {
      await migrateToLatest(db);
      const tables = await db.introspection.getTables();
      const conversations = tables.find((t) => t.name === 'conversations');
      expect(conversations?.isView).toBe(false);
      const id = conversations?.columns.find((c) => c.name === 'id');
      expect(id).toMatchObject({ isNullable: false });
      const serials = tables.flatMap((t) => t.columns).filter((c) => c.isAutoIncrementing);
      // The outbox and inbound sequences are serial; text ids are not.
      expect(serials.length).toBeGreaterThan(0);
      expect(id?.isAutoIncrementing).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});
