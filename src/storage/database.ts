import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type ColumnType,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Generated,
  Kysely,
  PostgresAdapter,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import type pg from 'pg';
import type {
  AnnouncementDeliveryTable,
  AnnouncementSourceTable,
  AnnouncementTable,
} from './announcement-repository.ts';
import type { ArticleVectorTable } from './article-vector-repository.ts';
import type { BotOutcomeTable, BotTurnTable } from './bot-outcome-repository.ts';
import type { BotTextOverrideTable, BotTextServerOverrideTable } from './bot-text-repository.ts';
import type { ChannelOptOutTable, ChannelReceiptTable } from './channel-receipt-repository.ts';
import type { AgentViewingTable, ConversationNoteTable } from './monitor-repositories.ts';
import { CurrentSchemaPostgresDialect } from './postgres-schema-introspector.ts';
import type { SearchEntryTable } from './search-entries.ts';
import type { SlaBusinessHoursTable, SlaPolicyTable, SlaTimerTable } from './sla-repository.ts';
import type { WebchatVisitorTable } from './webchat-visitor-repository.ts';
import type { WebhookDeliveryTable, WebhookSubscriptionTable } from './webhook-repository.ts';

/**
 * Table types of the Kysely schema. Column names are snake_case; repositories map rows to the model.
 * Timestamps are ISO-8601 text, arrays and objects JSON text, booleans integers 0/1 — the same
 * representation on SQLite and PostgreSQL, so one query code path serves both.
 */

/** PostgreSQL returns `bigint` as a string; repositories convert with `Number()`. */
type BigIntColumn = ColumnType<number | string, number | undefined, number>;

export interface ContactTable {
  id: string;
  name: string;
  avatar_url: string | null;
  locale: string | null;
  created_at: string;
}

export interface ContactIdentityTable {
  channel: string;
  external_id: string;
  contact_id: string;
  /** Keeps the order of `Contact.identities`. */
  position: number;
}

export interface ConversationTable {
  id: string;
  contact_id: string;
  channel: string;
  state: string;
  address: string;
  queue_id: string | null;
  agent_id: string | null;
  case_id: string | null;
  language: string | null;
  wrap_up_note: string | null;
  rating_requested_at: string | null;
  comment_requested_at: string | null;
  idle_reminded_at: string | null;
  queued_at: string | null;
  assigned_at: string | null;
  first_agent_reply_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  /** The waiting order's first key: 0 urgent, 1 high, 2 normal (the default), 3 low. */
  priority_rank: Generated<number>;
  /** The outside contact center the conversation was handed to (`ConversationBridge`), if any. */
  bridge_target: string | null;
  bridge_ref: string | null;
  bridge_since: string | null;
  /** The thread of its channel the conversation lives in (a Discord forum post), if any. */
  thread_ref: string | null;
  /** The server the conversation came through (a Discord guild), if known (migration 0033). */
  server_id: string | null;
  server_name: string | null;
  /** A skill the hand-off needs beyond its queue's (a role route's), if any (migration 0035). */
  required_skill: string | null;
}

export interface MessageTable {
  /** Insertion order; breaks ties between messages created in the same millisecond. */
  seq: Generated<number | string>;
  id: string;
  conversation_id: string;
  channel: string;
  author_kind: string;
  author_id: string | null;
  text: string;
  attachments: string;
  articles: string;
  external_id: string | null;
  created_at: string;
  /** Null while a contact's message waits for its handling (flow) to commit (0013). */
  processed_at: string | null;
  process_claimed_until: string | null;
  process_claim_owner: string | null;
  process_attempts: ColumnType<number, number | undefined, number>;
  inbound_action: string | null;
}

export interface CaseTable {
  id: string;
  number: number;
  kind: string;
  status: string;
  priority: string;
  subject: string;
  contact_id: string | null;
  assignee_id: string | null;
  tags: string;
  fields: string;
  rating: number | null;
  rating_comment: string | null;
  votes: number;
  /** Lower-cased subject and field values, for `CaseFilter.text`. */
  search_text: string;
  created_at: string;
  updated_at: string;
  opened_by_kind: string | null;
  opened_by_id: string | null;
  post_url: string | null;
  server_id: string | null;
  server_name: string | null;
}

export interface CaseTimelineTable {
  seq: Generated<number | string>;
  id: string;
  case_id: string;
  type: string;
  actor_kind: string;
  actor_id: string | null;
  data: string;
  at: string;
}

export interface CaseVoteTable {
  case_id: string;
  voter_id: string;
  created_at: string;
}

export interface AnnouncementCaseTable {
  announcement_id: string;
  case_id: string;
  position: number;
  created_at: string;
  released_at: string | null;
}

export interface ReleaseNoticeTable {
  announcement_id: string;
  contact_id: string;
  created_at: string;
}

export interface AgentTable {
  id: string;
  email: string;
  name: string;
  role: string;
  skills: string;
  capacity: number;
  presence: string;
  idle_since: string;
  password_hash: string | null;
  created_at: string;
  /** Last heartbeat of a live desktop; written by `touch`, never by `update` (see agent-repository). */
  last_seen_at: string | null;
  status: string;
}

export interface QueueTable {
  id: string;
  name: string;
  skills: string;
  created_at: string;
  send_transcript: Generated<number>;
}

export interface ReservationTable {
  id: string;
  conversation_id: string;
  queue_id: string;
  agent_id: string;
  status: string;
  created_at: string;
  expires_at: string;
  responded_at: string | null;
}

export interface OutboxTable {
  seq: Generated<number | string>;
  /** The ordering and claiming key: the conversation's id, or `contact:<id>` for a contact's notices (0014). */
  stream: string;
  /** Null on a notice to a contact, which names `contact_id` instead (0014). */
  conversation_id: string | null;
  contact_id: string | null;
  channel: string;
  message: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  external_id: string | null;
  created_at: string;
  sent_at: string | null;
  /** While a dispatcher holds the item: the end of its lease, and who holds it (0011). */
  claimed_until: string | null;
  claim_owner: string | null;
}

export interface ArticleTable {
  id: string;
  title: string;
  body: string;
  tags: string;
  locale: string;
  published: number;
  examples: string;
  created_at: string;
  updated_at: string;
}

export interface ArticleChangeTable {
  seq: Generated<number | string>;
  article_id: string;
}

export interface FlowTable {
  id: string;
  name: string;
  definition: string;
  active: number;
  updated_at: string;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  agent_id: string;
  expires_at: string;
  created_at: string;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  token_hash: string;
  agent_id: string;
  created_at: string;
  expires_at: string | null;
}

export interface LeaseTable {
  name: string;
  owner: string;
  token: number;
  expires_at: string;
  acquired_at: string;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface ExampleProposalTable {
  id: string;
  article_id: string;
  question: string;
  source: string;
  conversation_id: string | null;
  status: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface CannedResponseTable {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  locale: string | null;
  /** Lower-cased shortcut, title and text, for `CannedResponseFilter.text`. */
  search_text: string;
  /** A macro's actions as JSON (`CannedResponseActions`); null for a plain canned response. */
  actions: string | null;
  created_at: string;
  updated_at: string;
}

/** Named counters taken atomically with `UPDATE … RETURNING` (e.g. `case_number`). */
export interface CounterTable {
  name: string;
  value: BigIntColumn;
}

export interface Database {
  contacts: ContactTable;
  contact_identities: ContactIdentityTable;
  conversations: ConversationTable;
  messages: MessageTable;
  cases: CaseTable;
  case_timeline: CaseTimelineTable;
  case_votes: CaseVoteTable;
  announcement_cases: AnnouncementCaseTable;
  release_notices: ReleaseNoticeTable;
  agents: AgentTable;
  queues: QueueTable;
  reservations: ReservationTable;
  outbox: OutboxTable;
  articles: ArticleTable;
  article_changes: ArticleChangeTable;
  flows: FlowTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  settings: SettingTable;
  example_proposals: ExampleProposalTable;
  counters: CounterTable;
  canned_responses: CannedResponseTable;
  announcement_sources: AnnouncementSourceTable;
  announcements: AnnouncementTable;
  announcement_deliveries: AnnouncementDeliveryTable;
  webchat_visitors: WebchatVisitorTable;
  channel_receipts: ChannelReceiptTable;
  channel_opt_outs: ChannelOptOutTable;
  leases: LeaseTable;
  bot_turns: BotTurnTable;
  bot_outcomes: BotOutcomeTable;
  article_vectors: ArticleVectorTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_deliveries: WebhookDeliveryTable;
  search_entries: SearchEntryTable;
  bot_text_overrides: BotTextOverrideTable;
  bot_text_server_overrides: BotTextServerOverrideTable;
  conversation_notes: ConversationNoteTable;
  agent_viewing: AgentViewingTable;
  sla_business_hours: SlaBusinessHoursTable;
  sla_policies: SlaPolicyTable;
  sla_timers: SlaTimerTable;
}

export type Engine = 'sqlite' | 'postgres';

/** Where connection trouble is reported; the process keeps running whatever the server does. */
export interface DatabaseLog {
  warn(context: Record<string, unknown>, message: string): void;
}

/**
 * A PostgreSQL restart ends every connection. `pg` emits 'error' on the pool for idle clients, but on
 * the client itself for one that is checked out (mid-query or between a transaction's statements);
 * an 'error' event without a listener crashes the process. Both are listened to and logged; the
 * failed query rejects on its own, and the pool drops the dead client and opens a new one next time.
 */
function watchPool(pool: pg.Pool, log: DatabaseLog | undefined): void {
  const report = (where: 'idle' | 'in use', error: Error) =>
    log?.warn(
      { error: error.message, code: (error as { code?: unknown }).code, client: where },
      'PostgreSQL connection lost; the pool reconnects',
    );
  pool.on('error', (error) => report('idle', error));
  pool.on('connect', (client) => {
    client.on('error', (error) => report('in use', error));
  });
}

export interface DatabaseOptions {
  /** `postgres://…`, `postgresql://…`, `sqlite:<path>`, `file:<path>`, a file path, or `:memory:`. Undefined: `<dataDir>/switchboard.db`. */
  url?: string | undefined;
  /** Where the default SQLite file lives. */
  dataDir?: string | undefined;
  /** Where lost PostgreSQL connections are reported. */
  log?: DatabaseLog | undefined;
  /**
   * Called with the SQL of every statement the database runs (transaction control included): the count of
   * statements per operation is a figure that does not move with the machine's load, unlike its time.
   */
  onStatement?: ((sql: string) => void) | undefined;
}

export const defaultDatabaseOptions = {
  dataDir: 'data',
  /** How long a SQLite writer waits for another process's lock before failing. */
  busyTimeoutMs: 5_000,
  /** PostgreSQL pool size per process. */
  poolSize: 10,
} as const;

export type DatabaseTarget =
  | { engine: 'sqlite'; filename: string }
  | { engine: 'postgres'; connectionString: string };

/** Decides engine and location from the configured URL; the only place that parses it. */
export function resolveDatabaseTarget(options: DatabaseOptions = {}): DatabaseTarget {
  const url = options.url?.trim();
  const dataDir = options.dataDir ?? defaultDatabaseOptions.dataDir;
  if (!url) return { engine: 'sqlite', filename: path.join(dataDir, 'switchboard.db') };
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: 'postgres', connectionString: url };
  if (url === ':memory:' || url === 'sqlite::memory:') return { engine: 'sqlite', filename: ':memory:' };
  const prefixed = /^(sqlite|file):(\/\/)?(.*)$/i.exec(url);
  if (prefixed) {
    const rest = prefixed[3] ?? '';
    if (!rest) throw new Error(`DATABASE_URL ${url} names no SQLite file`);
    return { engine: 'sqlite', filename: rest };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`Unsupported DATABASE_URL scheme in ${url}: use postgres://, sqlite: or a file path`);
  }
  return { engine: 'sqlite', filename: url };
}

export function engineOf(db: Kysely<Database>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * SQLite's plain `BEGIN` takes the write lock only at the first write, so two processes that both
 * read first can deadlock with SQLITE_BUSY that busy_timeout cannot resolve. `BEGIN IMMEDIATE`
 * takes it up front; transactions here are short, and within one process Kysely already runs
 * them one at a time on the single connection.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely's SQLite driver prepares every query's statement anew, and preparing (parsing and planning the SQL)
 * costs more than running the short queries of a receive. The repositories send a small set of SQL texts
 * (values are parameters), so their statements are kept and reused: a bounded map, least recently used out.
 * SQLite re-prepares a kept statement by itself after a schema change. Streaming (`iterate`) would hold a
 * statement busy, so it is never reused while iterating: the repositories do not stream.
 */
export class StatementCache implements SqliteDialectDatabase {
  readonly #statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    readonly database: SqliteDatabase.Database,
    private readonly capacity = 500,
  ) {}

  get size(): number {
    return this.#statements.size;
  }

  prepare(sql: string): SqliteDatabase.Statement {
    const kept = this.#statements.get(sql);
    if (kept) {
      // Most recently used last, so that the first key is the one to drop.
      this.#statements.delete(sql);
      this.#statements.set(sql, kept);
      return kept;
    }
    const statement = this.database.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.capacity) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return statement;
  }

  /**
   * Runs one statement at once on the handle, as Kysely's SQLite connection would (rows of a reader, none
   * else), for `executeCompiled` inside a transaction.
   */
  execute<Row>(sql: string, parameters: readonly unknown[]): Row[] {
    const statement = this.prepare(sql);
    if (statement.reader) return statement.all(parameters) as Row[];
    statement.run(parameters);
    return [];
  }

  close(): void {
    this.#statements.clear();
    this.database.close();
  }
}

/** Each SQLite Kysely instance's statements, and those of its transactions while they are open. */
const sqliteStatements = new WeakMap<Kysely<Database>, StatementCache>();

/**
 * While `trx` (a transaction of the SQLite database `root`) is open, the hot compiled queries sent to it run
 * straight on the connection it holds (see `executeCompiled`); the returned function ends that.
 */
export function openDirectStatements(root: Kysely<Database>, trx: Kysely<Database>): () => void {
  const statements = sqliteStatements.get(root);
  if (!statements) return () => {};
  sqliteStatements.set(trx, statements);
  return () => sqliteStatements.delete(trx);
}

/** The statements that may run straight on `db`'s connection: only an open SQLite transaction's. */
export function directStatementsOf(db: Kysely<Database>): StatementCache | undefined {
  return db.isTransaction ? sqliteStatements.get(db) : undefined;
}

type SqliteDialectDatabase = {
  prepare(sql: string): SqliteDatabase.Statement;
  close(): void;
};

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: StatementCache;
  constructor(database: StatementCache) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/** Opens the database named by `url`; the caller migrates and eventually calls `destroy()`. */
export function createDatabase(options: DatabaseOptions = {}): Kysely<Database> {
  const target = resolveDatabaseTarget(options);
  if (target.engine === 'postgres') {
    // Loaded here: a SQLite installation does not load the PostgreSQL driver.
    const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
    const pool = new Pool({
      connectionString: target.connectionString,
      max: defaultDatabaseOptions.poolSize,
    });
    watchPool(pool, options.log);
    const onStatement = options.onStatement;
    return new Kysely<Database>({
      dialect: new CurrentSchemaPostgresDialect({ pool }),
      ...(onStatement ? { log: (event) => onStatement(event.query.sql) } : {}),
    });
  }
  if (target.filename !== ':memory:')
    mkdirSync(path.dirname(path.resolve(target.filename)), { recursive: true });
  const onStatement = options.onStatement;
  const sqlite = new SqliteDatabase(target.filename, {
    timeout: defaultDatabaseOptions.busyTimeoutMs,
    ...(onStatement ? { verbose: (sql: unknown) => onStatement(String(sql)) } : {}),
  });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${defaultDatabaseOptions.busyTimeoutMs}`);
  const statements = new StatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(statements) });
  sqliteStatements.set(db, statements);
  return db;
}
