import type { Kysely } from 'kysely';

/** Web-chat visitors: the server issues their tokens and keeps only a hash of each, and who blocked whom. */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('webchat_visitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'text')
    .addColumn('blocked_by', 'text')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('webchat_visitors').ifExists().execute();
}
