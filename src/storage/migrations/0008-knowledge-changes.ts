import type { Kysely } from 'kysely';
import { engineOf } from '../database.ts';

/**
 * The knowledge-base change log: one row per article write (create, update, delete), written in the
 * same transaction as the write. Every running instance polls it and applies only what changed to its
 * in-memory search index, whichever process (CLI, another instance, the API) made the change.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const postgres = engineOf(db) === 'postgres';
  // SQLite's AUTOINCREMENT never reuses a value, even after the oldest rows are forgotten.
  await db.schema
    .createTable('article_changes')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('article_id', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('article_changes').ifExists().execute();
}
