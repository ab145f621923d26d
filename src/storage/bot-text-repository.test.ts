import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { describeBotTextRepositoryContract } from './bot-text-repository-contract.ts';
import { openStore } from './kysely-store.ts';

describeBotTextRepositoryContract('SQLite', () => openStore({ url: ':memory:' }));

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL bot text tests: TEST_DATABASE_URL is not set');
else {
  const schema = `switchboard_bot_texts_${randomUUID().replaceAll('-', '')}`;
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
  describeBotTextRepositoryContract('PostgreSQL', async () => {
    await admin(`create schema "${schema}"`);
    const url = new URL(baseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return openStore({ url: url.toString() });
  });
}
