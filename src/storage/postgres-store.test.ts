import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.ts';
import { openStore } from './kysely-store.ts';
import { migrateToLatest } from './migrations/migrate-to-latest.ts';
import { describeRepositoryContract } from './repository-contract.ts';

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL store tests: TEST_DATABASE_URL is not set');

/** A URL whose connections see only `schema`, so parallel runs never share tables. */
function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${options ? `${options} ` : ''}-c search_path=${schema}`);
  return parsed.toString();
}

describe.skipIf(!baseUrl)('PostgreSQL store', () => {
  const url = baseUrl ?? '';
  const schemas: string[] = [];
  /** A fresh, empty schema and the URL that uses it. */
  const freshSchema = async () => {
    const schema = `switchboard_test_${randomUUID().replaceAll('-', '')}`;
    schemas.push(schema);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema "${schema}"`);
    } finally {
      await admin.end();
    }
    return urlWithSchema(url, schema);
  };

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  });

  describeRepositoryContract('PostgreSQL', async () => openStore({ url: await freshSchema() }));

  describe('across instances', () => {
    let schemaUrl: string;
    beforeAll(async () => {
      schemaUrl = await freshSchema();
    });

    it('migrates once when several instances start together, and again is a no-op', async () => {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ url: schemaUrl })));
      expect(stores.map((s) => s.engine)).toEqual(['postgres', 'postgres', 'postgres']);
      expect(await migrateToLatest(stores[0]!.db)).toEqual([]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('gives unique case numbers to several instances taking them concurrently', async () => {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ url: schemaUrl })));
      const takes = stores.flatMap((store) =>
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? store.cases.nextNumber()
            : store.transaction(async (tx) => {
                const number = await tx.cases.nextNumber();
                await tx.settings.set(`taken-${number}`, true);
                return number;
              }),
        ),
      );
      const numbers = await Promise.all(takes);
      expect(new Set(numbers).size).toBe(60);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('keeps data when the database is opened again', async () => {
      const first = await openStore({ url: schemaUrl });
      await first.settings.set('guild', { id: '42' });
      await first.close();
      const db = createDatabase({ url: schemaUrl });
      expect(await migrateToLatest(db)).toEqual([]);
      await db.destroy();
      const second = await openStore({ url: schemaUrl });
      expect(await second.settings.get('guild')).toEqual({ id: '42' });
      await second.close();
    });
  });
});
