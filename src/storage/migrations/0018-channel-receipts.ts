import type { Kysely } from 'kysely';

/**
 * What SMS and WhatsApp report of the messages they accepted (Twilio's status callbacks), one row per
 * message part by the channel's own id; and the numbers that opted out of a channel (STOP).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('channel_receipts')
    .addColumn('external_id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('part', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text')
    .addColumn('error_code', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('channel_receipts_message')
    .on('channel_receipts')
    .column('message_id')
    .execute();
  await db.schema
    .createIndex('channel_receipts_conversation')
    .on('channel_receipts')
    .column('conversation_id')
    .execute();
  await db.schema
    .createTable('channel_opt_outs')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('opted_out_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_opt_outs_pk', ['channel', 'address'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('channel_opt_outs').ifExists().execute();
  await db.schema.dropTable('channel_receipts').ifExists().execute();
}
