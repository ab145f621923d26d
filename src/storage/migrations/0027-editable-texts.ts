import type { Kysely } from 'kysely';

/**
 * Admins' edits of the bot's texts, per catalog + key + language; the defaults stay in the code. And the
 * contact's comment with a rating (`cases.rating_comment`), asked for after the rating until
 * `conversations.comment_requested_at` passes; when an idle member was reminded (`idle_reminded_at`).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('bot_text_overrides')
    .addColumn('catalog', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('bot_text_overrides_pk', ['catalog', 'key', 'language'])
    .execute();
  await db.schema.alterTable('cases').addColumn('rating_comment', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('comment_requested_at', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('idle_reminded_at', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('idle_reminded_at').execute();
  await db.schema.alterTable('conversations').dropColumn('comment_requested_at').execute();
  await db.schema.alterTable('cases').dropColumn('rating_comment').execute();
  await db.schema.dropTable('bot_text_overrides').execute();
}
