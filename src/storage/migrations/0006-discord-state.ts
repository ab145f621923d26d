import type { Kysely } from 'kysely';

/**
 * `conversations.rating_requested_at`: when the contact was asked to rate the conversation at close, until
 * they rate it. While it is set, a bare rating the contact types ("5", "٥") is the rating, not a new
 * conversation.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('rating_requested_at', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('rating_requested_at').execute();
}
