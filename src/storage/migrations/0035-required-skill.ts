import type { Kysely } from 'kysely';

/**
 * A hand-off may need a skill beyond its queue's (a member's `Partner` role → the `partner` skill): the
 * conversation keeps it while it waits, and only agents who have it are offered it.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('required_skill', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('required_skill').execute();
}
