import type { Kysely } from 'kysely';

/**
 * X announcement sources: the account (as given, and the user id and handle looked up once), whether
 * replies and reposts are announced, and the newest post id seen (stored with the poll's announcements).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

const columns = [
  ['x_account', 'text'],
  ['x_user_id', 'text'],
  ['x_handle', 'text'],
  ['x_include_replies', 'integer'],
  ['x_include_reposts', 'integer'],
  ['x_since_id', 'text'],
] as const;

export async function up(db: AnyDb): Promise<void> {
  for (const [name, type] of columns)
    await db.schema.alterTable('announcement_sources').addColumn(name, type).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const [name] of [...columns].reverse())
    await db.schema.alterTable('announcement_sources').dropColumn(name).execute();
}
