import type { Kysely } from 'kysely';

/**
 * What the bot solves: one row per reply of the virtual agent to a contact message (`bot_turns`, keyed by
 * that message, so a message handled again records nothing twice) and one outcome per bot conversation
 * (`bot_outcomes`, keyed by the conversation; `rank` lets a stronger outcome replace a weaker one in a
 * single guarded upsert).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('bot_turns')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('article_id', 'text')
    .addColumn('confidence', 'real', (c) => c.notNull())
    .addColumn('repeated', 'integer', (c) => c.notNull())
    .addColumn('negative', 'integer', (c) => c.notNull())
    .addColumn('model_unavailable', 'integer', (c) => c.notNull())
    .addColumn('solved_at', 'text')
    .addColumn('draft_article_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bot_turns_conversation')
    .on('bot_turns')
    .columns(['conversation_id', 'created_at'])
    .execute();
  await db.schema.createIndex('bot_turns_created').on('bot_turns').columns(['created_at']).execute();
  await db.schema.createIndex('bot_turns_solved').on('bot_turns').columns(['solved_at']).execute();
  await db.schema
    .createTable('bot_outcomes')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('article_id', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bot_outcomes_occurred').on('bot_outcomes').columns(['occurred_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('bot_outcomes').execute();
  await db.schema.dropTable('bot_turns').execute();
}
