import { type Kysely, sql } from 'kysely';

/**
 * Presence follows the desktop: `agents.last_seen_at` is the last heartbeat of a live desktop, so that any
 * instance can turn agents without one into `away`. Cases remember who opened them (`opened_by_*`, filled
 * for existing cases from their `created` timeline entry) and the link of their public Discord post.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('agents').addColumn('last_seen_at', 'text').execute();
  await db.schema.alterTable('cases').addColumn('opened_by_kind', 'text').execute();
  await db.schema.alterTable('cases').addColumn('opened_by_id', 'text').execute();
  await db.schema.alterTable('cases').addColumn('post_url', 'text').execute();
  // The bot opened a case on the contact's behalf when the `system` actor did (flows and hand-offs).
  await sql`
    update cases set
      opened_by_kind = (
        select case when t.actor_kind = 'system' then 'bot' else t.actor_kind end
        from case_timeline t where t.case_id = cases.id and t.type = 'created'
        order by t.seq limit 1
      ),
      opened_by_id = (
        select t.actor_id from case_timeline t where t.case_id = cases.id and t.type = 'created'
        order by t.seq limit 1
      )
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('cases').dropColumn('post_url').execute();
  await db.schema.alterTable('cases').dropColumn('opened_by_id').execute();
  await db.schema.alterTable('cases').dropColumn('opened_by_kind').execute();
  await db.schema.alterTable('agents').dropColumn('last_seen_at').execute();
}
