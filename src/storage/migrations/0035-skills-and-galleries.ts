import type { Kysely } from 'kysely';

/**
 * A hand-off may need a skill beyond its queue's (a member's `Partner` role → the `partner` skill): the
 * conversation keeps it while it waits, and only agents who have it are offered it. An announcement may
 * show more pictures than its first (an X post's photos): `more_image_urls`, a JSON list, in order.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('required_skill', 'text').execute();
  await db.schema.alterTable('announcements').addColumn('more_image_urls', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('announcements').dropColumn('more_image_urls').execute();
  await db.schema.alterTable('conversations').dropColumn('required_skill').execute();
}
