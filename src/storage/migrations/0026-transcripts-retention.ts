import type { Kysely } from 'kysely';

/**
 * Exports read cases and conversations in `(created_at, id)` pages (keyset paging), and retention finds the
 * conversations whose last change is oldest: an index for each.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('cases_export_idx').on('cases').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('conversations_export_idx')
    .on('conversations')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_retention_idx')
    .on('conversations')
    .columns(['updated_at', 'id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('conversations_retention_idx').execute();
  await db.schema.dropIndex('conversations_export_idx').execute();
  await db.schema.dropIndex('cases_export_idx').execute();
}
