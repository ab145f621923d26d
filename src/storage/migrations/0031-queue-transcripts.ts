import type { Kysely } from 'kysely';

/** Per queue: whether the member is sent the transcript when a conversation of the queue closes (off). */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('queues')
    .addColumn('send_transcript', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('queues').dropColumn('send_transcript').execute();
}
