import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import { engineOf } from '../database.ts';

/**
 * The first schema. Written with Kysely's schema builder so both engines share it; it branches on
 * the engine only for auto-increment sequence columns. Timestamps are ISO-8601 text (they sort as
 * text), JSON is text, booleans are integers 0/1.
 *
 * Foreign keys guard ownership (identities, messages, timeline, votes, outbox, reservations,
 * sessions, tokens, proposals). Queue, agent and case references on conversations and
 * reservations carry none on purpose: a queue may be deleted while history still names it.
 */

// Migrations take `Kysely<any>`: they describe tables that the typed schema does not know yet.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const postgres = engineOf(db) === 'postgres';
  /** Monotonic insertion order. SQLite's AUTOINCREMENT never reuses a value, even after deletes. */
  const seqType = postgres ? 'bigserial' : 'integer';
  const seq = (autoIncrement: boolean) => (col: ColumnDefinitionBuilder) =>
    postgres || !autoIncrement ? col.primaryKey() : col.primaryKey().autoIncrement();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('avatar_url', 'text')
    .addColumn('locale', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('contact_identities')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_identities_pk', ['channel', 'external_id'])
    .execute();
  await db.schema
    .createIndex('contact_identities_contact_idx')
    .on('contact_identities')
    .column('contact_id')
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('language', 'text')
    .addColumn('wrap_up_note', 'text')
    .addColumn('queued_at', 'text')
    .addColumn('assigned_at', 'text')
    .addColumn('first_agent_reply_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversations_contact_idx')
    .on('conversations')
    .columns(['contact_id', 'channel', 'state'])
    .execute();
  await db.schema
    .createIndex('conversations_state_idx')
    .on('conversations')
    .columns(['state', 'queued_at'])
    .execute();
  await db.schema.createIndex('conversations_agent_idx').on('conversations').column('agent_id').execute();
  await db.schema.createIndex('conversations_case_idx').on('conversations').column('case_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('seq', seqType, seq(false))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('articles', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The key of idempotent receive. NULL external ids never collide (NULLs are distinct on both engines).
  await db.schema
    .createIndex('messages_external_idx')
    .on('messages')
    .columns(['channel', 'external_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('messages_conversation_idx')
    .on('messages')
    .columns(['conversation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addColumn('assignee_id', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('votes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_created_idx').on('cases').column('created_at').execute();
  await db.schema.createIndex('cases_status_idx').on('cases').columns(['status', 'kind']).execute();
  await db.schema.createIndex('cases_contact_idx').on('cases').column('contact_id').execute();
  await db.schema.createIndex('cases_assignee_idx').on('cases').column('assignee_id').execute();

  await db.schema
    .createTable('case_timeline')
    .addColumn('seq', seqType, seq(false))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_timeline_case_idx')
    .on('case_timeline')
    .columns(['case_id', 'at'])
    .execute();

  await db.schema
    .createTable('case_votes')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('voter_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_votes_pk', ['case_id', 'voter_id'])
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('idle_since', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // E-mail addresses are compared case-insensitively: one agent per address however it is typed.
  await db.schema
    .createIndex('agents_email_idx')
    .on('agents')
    .expression(sql`lower(email)`)
    .unique()
    .execute();

  await db.schema
    .createTable('queues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('responded_at', 'text')
    .execute();
  await db.schema
    .createIndex('reservations_status_idx')
    .on('reservations')
    .columns(['status', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('reservations_conversation_idx')
    .on('reservations')
    .column('conversation_id')
    .execute();
  await db.schema.createIndex('reservations_agent_idx').on('reservations').column('agent_id').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('seq', seqType, seq(true))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  // Serves listDue's per-conversation head lookup.
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox')
    .columns(['status', 'conversation_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('outbox_conversation_idx')
    .on('outbox')
    .columns(['conversation_id', 'seq'])
    .execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('published', 'integer', (c) => c.notNull())
    .addColumn('examples', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_tokens_agent_idx').on('api_tokens').column('agent_id').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('example_proposals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('article_id', 'text', (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema
    .createIndex('example_proposals_status_idx')
    .on('example_proposals')
    .columns(['status', 'article_id'])
    .execute();

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  // Case numbers start at 1001: nextNumber() increments before it returns.
  await db.insertInto('counters').values({ name: 'case_number', value: 1000 }).execute();
}

export async function down(db: AnyDb): Promise<void> {
  const tables = [
    'counters',
    'example_proposals',
    'settings',
    'api_tokens',
    'sessions',
    'flows',
    'articles',
    'outbox',
    'reservations',
    'queues',
    'agents',
    'case_votes',
    'case_timeline',
    'cases',
    'messages',
    'conversations',
    'contact_identities',
    'contacts',
  ];
  for (const table of tables) await db.schema.dropTable(table).ifExists().execute();
}
