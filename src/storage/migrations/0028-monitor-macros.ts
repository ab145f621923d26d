import type { Kysely } from 'kysely';

/**
 * The supervisor monitor and macros: internal notes on conversations (a table of their own, so that no
 * path that delivers messages can ever pick one up), what each agent's desktop shows, and the actions a
 * canned response applies with its text (JSON; null for a plain canned response).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('conversation_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversation_notes_conversation_idx')
    .on('conversation_notes')
    .columns(['conversation_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('agent_viewing')
    .addColumn('agent_id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text')
    .addColumn('since', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('canned_responses').addColumn('actions', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('canned_responses').dropColumn('actions').execute();
  await db.schema.dropTable('agent_viewing').ifExists().execute();
  await db.schema.dropIndex('conversation_notes_conversation_idx').ifExists().execute();
  await db.schema.dropTable('conversation_notes').ifExists().execute();
}
