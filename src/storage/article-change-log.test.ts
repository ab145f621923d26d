import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import type { Article } from '../core/model.ts';
import { type KyselyStore, openStore } from './kysely-store.ts';

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL change-log tests: TEST_DATABASE_URL is not set');

const article = (): Article => ({
  id: `article-${randomUUID()}`,
  title: 'Title',
  body: 'Body',
  tags: [],
  locale: 'en',
  published: true,
  examples: [],
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
});

/**
 * On PostgreSQL, sequence values are handed out before commit, so without care a write could commit
 * after a later one that a follower has already read past, and be missed for good. (SQLite has one
 * writer at a time, so its changes always commit in order.)
 */
describe.skipIf(!baseUrl)('knowledge-base change log on PostgreSQL', () => {
  const url = baseUrl ?? '';
  const schema = `switchboard_test_${randomUUID().replaceAll('-', '')}`;
  let admin: pg.Client;
  let writerA: KyselyStore;
  let writerB: KyselyStore;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    const parsed = new URL(url);
    parsed.searchParams.set('options', `-c search_path=${schema}`);
    writerA = await openStore({ url: parsed.toString() });
    writerB = await openStore({ url: parsed.toString() });
  });

  afterAll(async () => {
    await writerA?.close();
    await writerB?.close();
    await admin?.query(`drop schema if exists "${schema}" cascade`);
    await admin?.end();
  });

  it('a write that started later commits after one still open, so no follower skips a change', async () => {
    const { last } = await writerA.articles.changeLogBounds();
    const first = article();
    const second = article();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstWritten = () => {};
    const written = new Promise<void>((resolve) => {
      firstWritten = resolve;
    });
    const slow = writerA.transaction(async (tx) => {
      await tx.articles.create(first);
      firstWritten();
      await held;
    });
    await written;
    let secondDone = false;
    const quick = writerB.articles.create(second).then(() => {
      secondDone = true;
    });

    // The second write either finished (the bug) or waits for the first one's lock.
    await eventually('the second write to finish or wait for the first', async () => {
      if (secondDone) return true;
      const { rows } = await admin.query(
        "select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%article_changes%'",
      );
      return (rows[0] as { waiting: number }).waiting > 0;
    });
    expect(secondDone).toBe(false);
    expect(await writerB.articles.changesSince(last, 10)).toEqual([]);

    release();
    await Promise.all([slow, quick]);
    const changes = await writerB.articles.changesSince(last, 10);
    expect(changes.map((c) => c.articleId)).toEqual([first.id, second.id]);
  });
});
