import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Fresh databases for tests that open several stores on one database (as instances do): a SQLite file in a
 * folder of its own, or a PostgreSQL schema of its own on `pgUrl`. `drop()` removes every one made.
 */
export function sharedDatabases(pgUrl: string | undefined, folderPrefix: string) {
  const dirs: string[] = [];
  const schemas: string[] = [];
  return {
    /** A URL on a fresh database of `engine`; every store opened on it shares it. */
    async url(engine: 'sqlite' | 'postgres'): Promise<string> {
      if (engine === 'sqlite') {
        const dir = mkdtempSync(path.join(tmpdir(), folderPrefix));
        dirs.push(dir);
        return path.join(dir, 'switchboard.db');
      }
      const schema = `switchboard_test_${randomUUID().replaceAll('-', '')}`;
      schemas.push(schema);
      await withAdmin(pgUrl, (admin) => admin.query(`create schema "${schema}"`));
      const parsed = new URL(pgUrl ?? '');
      parsed.searchParams.set('options', `-c search_path=${schema}`);
      return parsed.toString();
    },
    async drop(): Promise<void> {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      if (!pgUrl || schemas.length === 0) return;
      await withAdmin(pgUrl, async (admin) => {
        for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
      });
    },
  };
}

async function withAdmin(pgUrl: string | undefined, work: (admin: pg.Client) => Promise<unknown>) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
