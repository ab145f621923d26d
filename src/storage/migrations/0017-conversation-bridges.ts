import type { Kysely } from 'kysely';

/**
 * Conversations handed to an outside contact center (Twilio Flex): which bridge holds it, its id there
 * (the Twilio conversation sid, looked up when the bridge's webhook calls) and since when.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('bridge_target', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('bridge_ref', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('bridge_since', 'text').execute();
  await db.schema
    .createIndex('conversations_bridge_idx')
    .on('conversations')
    .columns(['bridge_target', 'bridge_ref'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('conversations_bridge_idx').execute();
  await db.schema.alterTable('conversations').dropColumn('bridge_since').execute();
  await db.schema.alterTable('conversations').dropColumn('bridge_ref').execute();
  await db.schema.alterTable('conversations').dropColumn('bridge_target').execute();
}
