import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { describeAnnouncementRepositoryContract } from './announcement-repository-contract.ts';
import { openStore } from './kysely-store.ts';

describeAnnouncementRepositoryContract('SQLite :memory:', () => openStore({ url: ':memory:' }));

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl)
  console.log('Skipping the PostgreSQL announcement repository tests: TEST_DATABASE_URL is not set');

describe.skipIf(!baseUrl)('PostgreSQL', () => {
  const url = baseUrl ?? '';
  const schema = `switchboard_ann_${randomUUID().replaceAll('-', '')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  });
  describeAnnouncementRepositoryContract('PostgreSQL', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema "${schema}"`);
    } finally {
      await admin.end();
    }
    const parsed = new URL(url);
    parsed.searchParams.set('options', `-c search_path=${schema}`);
    return openStore({ url: parsed.toString() });
  });
});
