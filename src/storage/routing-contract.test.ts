import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { openStore } from './kysely-store.ts';
import { describeRoutingContract } from './routing-contract.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two stores on one SQLite file: two processes sharing it (one writer at a time).
describeRoutingContract(
  'SQLite file',
  async () => {
    const file = path.join(dir, 'routing.db');
    const first = await openStore({ url: file });
    return [first, await openStore({ url: file })];
  },
  { concurrentTransactions: false },
);
describeRoutingContract(
  'SQLite :memory:',
  async () => {
    const store = await openStore({ url: ':memory:' });
    return [store, store];
  },
  { concurrentTransactions: false },
);

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL routing tests: TEST_DATABASE_URL is not set');
else {
  const schema = `switchboard_routing_${randomUUID().replaceAll('-', '')}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  afterAll(() => admin(`drop schema if exists "${schema}" cascade`));
  // Two stores (two pools) on one schema: two instances on one database.
  describeRoutingContract(
    'PostgreSQL',
    async () => {
      await admin(`create schema "${schema}"`);
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const first = await openStore({ url: url.toString() });
      return [first, await openStore({ url: url.toString() })];
    },
    { concurrentTransactions: true },
  );
}
