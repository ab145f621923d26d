import { type Kysely, sql } from 'kysely';

/**
 * Inbound processing: a contact's message is stored before its flow runs, and `processed_at` stays
 * NULL until the handling has committed, so a message stored just before a crash is found and handled
 * again at the next start. `process_claim_owner` and `process_claimed_until` are the claim of the
 * instance handling it (so that of several instances one handles it), `process_attempts` counts
 * claims (a message that keeps failing is given up), and `inbound_action` keeps the button or command
 * that came with the message (the flow needs it when it runs again).
 *
 * Messages stored before this migration count as processed.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('messages').addColumn('processed_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('process_claimed_until', 'text').execute();
  await db.schema.alterTable('messages').addColumn('process_claim_owner', 'text').execute();
  await db.schema
    .alterTable('messages')
    .addColumn('process_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('messages').addColumn('inbound_action', 'text').execute();
  await db.updateTable('messages').set({ processed_at: sql`created_at` }).execute();
  // Only unprocessed messages are ever looked up by the sweep: a partial index stays tiny.
  await db.schema
    .createIndex('messages_unprocessed_idx')
    .on('messages')
    .columns(['conversation_id', 'created_at', 'seq'])
    .where(sql.ref('processed_at'), 'is', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('messages_unprocessed_idx').ifExists().execute();
  for (const column of [
    'inbound_action',
    'process_attempts',
    'process_claim_owner',
    'process_claimed_until',
    'processed_at',
  ]) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
