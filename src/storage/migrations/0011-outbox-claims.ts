import type { Kysely } from 'kysely';

/**
 * Outbox claims: a dispatcher takes due items with a lease (`claimed_until`, `claim_owner`), so two
 * instances on one database never send the same item, and an instance that died mid-send leaves
 * items that another one takes once the lease has run out.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('claimed_until', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('claim_owner', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('claim_owner').execute();
  await db.schema.alterTable('outbox').dropColumn('claimed_until').execute();
}
