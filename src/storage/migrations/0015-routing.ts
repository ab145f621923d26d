import { type Kysely, sql } from 'kysely';

/**
 * Routing as queries.
 *
 * - `conversations.priority_rank`: the waiting order's first key (0 urgent, 1 high, 2 normal, 3 low; the
 *   priority of the conversation's case when it was queued), so that the router's claiming query reads
 *   the head of one partial index instead of sorting every waiting conversation; a queue position counts
 *   the conversations ahead in its own queue from another.
 * - One pending reservation per conversation, guarded by the database: two routers (instances) can never
 *   offer one conversation to two agents at once. Duplicates left by earlier versions are canceled first
 *   (the oldest offer of each conversation stays).
 * - Pending reservations per agent: an agent's load is counted from an index, not a scan.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('priority_rank', 'integer', (c) => c.notNull().defaultTo(2))
    .execute();
  await db.schema
    .createIndex('conversations_waiting_idx')
    .on('conversations')
    .columns(['priority_rank', 'queued_at', 'created_at', 'id'])
    .where(sql.ref('state'), '=', sql.lit('queued'))
    .execute();
  // The same order within one queue: a queue position counts the conversations ahead in that queue only.
  await db.schema
    .createIndex('conversations_queue_waiting_idx')
    .on('conversations')
    .columns(['queue_id', 'priority_rank', 'queued_at', 'created_at', 'id'])
    .where(sql.ref('state'), '=', sql.lit('queued'))
    .execute();

  await sql`
    update reservations set status = 'canceled', responded_at = created_at
    where status = 'pending' and exists (
      select 1 from reservations older
      where older.conversation_id = reservations.conversation_id and older.status = 'pending'
        and (older.created_at < reservations.created_at
          or (older.created_at = reservations.created_at and older.id < reservations.id))
    )`.execute(db);
  await db.schema
    .createIndex('reservations_one_pending_idx')
    .on('reservations')
    .column('conversation_id')
    .unique()
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema
    .createIndex('reservations_pending_agent_idx')
    .on('reservations')
    .column('agent_id')
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('reservations_pending_agent_idx').execute();
  await db.schema.dropIndex('reservations_one_pending_idx').execute();
  await db.schema.dropIndex('conversations_queue_waiting_idx').execute();
  await db.schema.dropIndex('conversations_waiting_idx').execute();
  await db.schema.alterTable('conversations').dropColumn('priority_rank').execute();
}
