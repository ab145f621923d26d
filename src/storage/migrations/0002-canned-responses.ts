import type { Kysely } from 'kysely';

/**
 * Canned responses, shared by every agent (they used to live in each browser). `search_text` holds
 * the lower-cased shortcut, title and text, so one `LIKE` searches case-insensitively on both
 * engines (PostgreSQL's `LIKE` is case-sensitive, SQLite's only folds ASCII).
 *
 * Also indexes the instants the supervisor's figures select conversations by.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shortcut', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('locale', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('conversations_created_idx').on('conversations').column('created_at').execute();
  await db.schema.createIndex('conversations_closed_idx').on('conversations').column('closed_at').execute();
  await db.schema
    .createIndex('case_timeline_type_at_idx')
    .on('case_timeline')
    .columns(['type', 'at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('case_timeline_type_at_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_closed_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_created_idx').ifExists().execute();
  await db.schema.dropTable('canned_responses').ifExists().execute();
}
