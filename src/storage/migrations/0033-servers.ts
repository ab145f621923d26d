import type { Kysely } from 'kysely';

/**
 * Many servers, one set of queues: conversations and cases keep the server they came through (a Discord
 * guild: its id and its name when they came), and the bot's texts may be edited per server
 * (`bot_text_server_overrides`, beside the global edits of 0027).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  for (const table of ['conversations', 'cases']) {
    await db.schema.alterTable(table).addColumn('server_id', 'text').execute();
    await db.schema.alterTable(table).addColumn('server_name', 'text').execute();
    await db.schema.createIndex(`${table}_server_idx`).on(table).column('server_id').execute();
  }
  await db.schema
    .createTable('bot_text_server_overrides')
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('catalog', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('bot_text_server_overrides_pk', ['server_id', 'catalog', 'key', 'language'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('bot_text_server_overrides').execute();
  for (const table of ['cases', 'conversations']) {
    await db.schema.dropIndex(`${table}_server_idx`).execute();
    await db.schema.alterTable(table).dropColumn('server_name').execute();
    await db.schema.alterTable(table).dropColumn('server_id').execute();
  }
}
