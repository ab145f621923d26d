import type { Kysely } from 'kysely';

/**
 * A conversation that lives in one thread of its channel (a Discord forum post): the thread's id, so that
 * each post is a conversation of its own beside the member's DM conversation.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('thread_ref', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('thread_ref').execute();
}
