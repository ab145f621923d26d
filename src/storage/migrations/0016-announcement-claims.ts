import type { Kysely } from 'kysely';

/**
 * Feed poll claims: an instance that polls a feed holds it until `poll_claimed_until` (a lease), so
 * another instance on the same database skips it meanwhile and takes it over once the lease has run
 * out (the poller died), while `next_poll_at` keeps saying when the feed is due.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('announcement_sources').addColumn('poll_claimed_until', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('announcement_sources').dropColumn('poll_claimed_until').execute();
}
