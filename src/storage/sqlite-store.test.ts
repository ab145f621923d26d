import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, resolveDatabaseTarget, StatementCache } from './database.ts';
import { openStore } from './kysely-store.ts';
import { migrateToLatest } from './migrations/migrate-to-latest.ts';
import { describeRepositoryContract } from './repository-contract.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRepositoryContract('SQLite file', () => openStore({ url: path.join(dir, 'contract.db') }));
describeRepositoryContract('SQLite :memory:', () => openStore({ url: ':memory:' }));

describe('SQLite database', () => {
  it('resolves the URL to an engine and a location', () => {
    expect(resolveDatabaseTarget({})).toEqual({
      engine: 'sqlite',
      filename: path.join('data', 'switchboard.db'),
    });
    expect(resolveDatabaseTarget({ dataDir: '/var/lib/sb' })).toEqual({
      engine: 'sqlite',
      filename: '/var/lib/sb/switchboard.db',
    });
    expect(resolveDatabaseTarget({ url: 'sqlite:///srv/sb.db' })).toEqual({
      engine: 'sqlite',
      filename: '/srv/sb.db',
    });
    expect(resolveDatabaseTarget({ url: 'sqlite:rel.db' })).toEqual({ engine: 'sqlite', filename: 'rel.db' });
    expect(resolveDatabaseTarget({ url: 'file:/srv/sb.db' })).toEqual({
      engine: 'sqlite',
      filename: '/srv/sb.db',
    });
    expect(resolveDatabaseTarget({ url: './x.db' })).toEqual({ engine: 'sqlite', filename: './x.db' });
    expect(resolveDatabaseTarget({ url: ':memory:' })).toEqual({ engine: 'sqlite', filename: ':memory:' });
    expect(resolveDatabaseTarget({ url: 'postgresql://u@h/db' })).toEqual({
      engine: 'postgres',
      connectionString: 'postgresql://u@h/db',
    });
    expect(() => resolveDatabaseTarget({ url: 'mysql://u@h/db' })).toThrow(/Unsupported/);
  });

  it('reuses prepared statements, keeps at most its capacity and follows a schema change', () => {
    const cache = new StatementCache(new SqliteDatabase(':memory:'), 2);
    cache.prepare('create table t (a integer)').run();
    const insert = cache.prepare('insert into t (a) values (?)');
    insert.run(1);
    expect(cache.prepare('insert into t (a) values (?)')).toBe(insert);
    const select = cache.prepare('select * from t');
    expect(select.all()).toEqual([{ a: 1 }]);
    // A kept statement sees a column added after it was prepared.
    cache.prepare('alter table t add column b text').run();
    cache.prepare('update t set b = ?').run('x');
    expect(cache.prepare('select * from t').all()).toEqual([{ a: 1, b: 'x' }]);
    expect(cache.size).toBe(2);
    cache.close();
  });

  it('creates the default file under dataDir with WAL and foreign keys on', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = await openStore({ dataDir });
    expect(store.engine).toBe('sqlite');
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(Number(await pragma('busy_timeout'))).toBeGreaterThan(0);
    await store.close();
    const again = await openStore({ url: path.join(dataDir, 'switchboard.db'), migrate: false });
    expect(await again.cases.nextNumber()).toBe(1001);
    await again.close();
  });

  it('keeps data when the same file is opened again, and migrations are idempotent', async () => {
    const url = path.join(dir, 'durable.db');
    const first = await openStore({ url });
    const number = await first.cases.nextNumber();
    await first.settings.set('guild', { id: '42' });
    await first.close();

    const second = await openStore({ url });
    expect(await second.settings.get('guild')).toEqual({ id: '42' });
    expect(await second.cases.nextNumber()).toBe(number + 1);
    expect(await migrateToLatest(second.db)).toEqual([]);
    await second.close();

    const db = createDatabase({ url });
    expect(await migrateToLatest(db)).toEqual([]);
    await db.destroy();
  });

  it('reports a failed migration clearly', async () => {
    const db = createDatabase({ url: ':memory:' });
    // A table in the way makes the first migration fail.
    await sql`create table contacts (id text)`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/migration 0001-initial failed/);
    await db.destroy();
  });

  it('gives unique case numbers to separate processes sharing one file', async () => {
    const url = path.join(dir, 'processes.db');
    await (await openStore({ url })).close();
    const script = fileURLToPath(new URL('./test-support/take-case-numbers.ts', import.meta.url));
    const run = promisify(execFile);
    const outputs = await Promise.all(
      [1, 2, 3].map(() =>
        run(process.execPath, ['--import', 'tsx', script, url, '30'], { cwd: process.cwd() }),
      ),
    );
    const numbers = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]);
    expect(numbers).toHaveLength(90);
    expect(new Set(numbers).size).toBe(90);
    const store = await openStore({ url });
    expect(await store.cases.nextNumber()).toBe(1001 + 90);
    await store.close();
  });
});
