import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebchatVisitor } from '../core/model.ts';
import type { Store } from '../core/ports/repositories.ts';
import { openStore } from './kysely-store.ts';

function describeWebchatVisitorRepository(name: string, open: () => Promise<Store>) {
  describe(`web-chat visitor repository: ${name}`, () => {
    const visitor = (n: number): WebchatVisitor => ({
      id: `wv_${String(n).padStart(40, '0')}`,
      tokenHash: String(n).padStart(64, 'a'),
      createdAt: '2026-01-01T00:00:00.000Z',
      blockedAt: null,
      blockedBy: null,
    });

    it('finds a visitor by id and by token hash, keeps a block, and refuses a second one with the same hash', async () => {
      const store = await open();
      try {
        const v = visitor(1);
        await store.webchatVisitors.create(v);
        expect(await store.webchatVisitors.get(v.id)).toEqual(v);
        expect(await store.webchatVisitors.findByTokenHash(v.tokenHash)).toEqual(v);
        expect(await store.webchatVisitors.findByTokenHash('f'.repeat(64))).toBeUndefined();
        const blocked = { ...v, blockedAt: '2026-01-02T00:00:00.000Z', blockedBy: 'agent-1' };
        await store.webchatVisitors.update(blocked);
        expect(await store.webchatVisitors.get(v.id)).toEqual(blocked);
        await expect(
          store.webchatVisitors.create({ ...visitor(2), tokenHash: v.tokenHash }),
        ).rejects.toMatchObject({ kind: 'conflict' });
        await expect(store.webchatVisitors.update(visitor(3))).rejects.toMatchObject({ kind: 'not_found' });
      } finally {
        await store.close();
      }
    });
  });
}

describeWebchatVisitorRepository('SQLite :memory:', () => openStore({ url: ':memory:' }));

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL web-chat visitor tests: TEST_DATABASE_URL is not set');

describe.skipIf(!baseUrl)('PostgreSQL', () => {
  const url = baseUrl ?? '';
  const schema = `switchboard_wv_${randomUUID().replaceAll('-', '')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  });
  describeWebchatVisitorRepository('PostgreSQL', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
    const parsed = new URL(url);
    parsed.searchParams.set('options', `-c search_path=${schema}`);
    return openStore({ url: parsed.toString() });
  });
});
