import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../database.ts';
import {
  migrateToLatest,
  migrationLockTableName,
  migrations,
  migrationTableName,
} from './migrate-to-latest.ts';

/**
 * The migrations each released version had applied. An installation of one of them must upgrade: Kysely
 * refuses a migration named before one the database already ran, so new migrations sort after these.
 */
const released: Record<string, string[]> = {
  'first-week fixes': [
    '0001-initial',
    '0002-canned-responses',
    '0003-announcements',
    '0004-agent-access',
    '0005-webchat-visitors',
    '0006-discord-state',
    '0007-presence-and-cases',
    '0008-knowledge-changes',
    '0011-outbox-claims',
  ],
};

describe('database migrations', () => {
  it('are listed in the order of their names, each name once', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
  });

  for (const [version, applied] of Object.entries(released)) {
    it(`upgrade an installation of the ${version} release`, async () => {
      const db = createDatabase({ url: ':memory:' });
      try {
        const old = new Migrator({
          db,
          provider: {
            getMigrations: async () =>
              Object.fromEntries(applied.map((name) => [name, migrations[name]!] as const)),
          },
          migrationTableName,
          migrationLockTableName,
        });
        const before = await old.migrateToLatest();
        expect(before.error).toBeUndefined();
        const results = await migrateToLatest(db);
        const newer = Object.keys(migrations).filter((name) => !applied.includes(name));
        expect(results.map((r) => [r.migrationName, r.status])).toEqual(
          newer.map((name) => [name, 'Success']),
        );
      } finally {
        await db.destroy();
      }
    });
  }
});
