import type { Kysely } from 'kysely';

/**
 * Leases: work that one instance at a time may do (a Discord gateway shard) is held through a row with an
 * owner, an expiry and a fencing token. Taking a lease over (free or expired) raises the token, so a
 * holder that was cut off can tell that its tenure ended even if it comes back before it notices.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('token', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('leases').execute();
}
