import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Agent, AgentRole, AgentStatus, ConversationState, Presence } from '../core/model.ts';
import type { AgentLoad, AgentRepository } from '../core/ports/repositories.ts';
import { type AgentTable, type Database, engineOf } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson, uniquely } from './db-scope.ts';

// `last_seen_at` is left out: heartbeats write it (`touch`), and a stale copy of an agent must not undo one.
const toRow = (a: Agent): Omit<Selectable<AgentTable>, 'last_seen_at'> => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  skills: toJson(a.skills),
  capacity: a.capacity,
  presence: a.presence,
  idle_since: a.idleSince,
  password_hash: a.passwordHash,
  status: a.status,
  created_at: a.createdAt,
});

const fromRow = (r: Selectable<AgentTable>): Agent => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as AgentRole,
  skills: fromJson<string[]>(r.skills),
  capacity: Number(r.capacity),
  presence: r.presence as Presence,
  idleSince: r.idle_since,
  passwordHash: r.password_hash,
  status: r.status as AgentStatus,
  createdAt: r.created_at,
});

/** Conversations an agent holds count against their capacity, as do the offers made to them. */
const holding: ConversationState[] = ['assigned', 'wrapping'];

/** The agent's load: held conversations plus pending reservations (two index lookups). */
const loadColumns = (eb: ExpressionBuilder<Database & { a: AgentTable }, 'a'>) => [
  eb
    .selectFrom('conversations as c')
    .select(eb.fn.countAll().as('n'))
    .whereRef('c.agent_id', '=', 'a.id')
    .where('c.state', 'in', holding)
    .as('held'),
  eb
    .selectFrom('reservations as r')
    .select(eb.fn.countAll().as('n'))
    .whereRef('r.agent_id', '=', 'a.id')
    .where('r.status', '=', 'pending')
    .as('offered'),
];

/**
 * On PostgreSQL, inside a transaction: locks the rows, in id order (so that concurrent lockers queue
 * instead of deadlocking). The load is counted by a later statement, which sees what the previous
 * holder of the locks committed.
 */
async function lockAgents(db: Kysely<Database>, only?: string): Promise<void> {
  if (engineOf(db) !== 'postgres' || !db.isTransaction) return;
  let query = db.selectFrom('agents').select('id');
  query = only
    ? query.where('id', '=', only)
    : query.where('status', '=', 'active').where('presence', '=', 'available');
  await query.orderBy('id').forUpdate().execute();
}

export class KyselyAgentRepository implements AgentRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Agent | undefined> {
    const row = await this.scope.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Case-insensitive, like the unique index on `lower(email)`. */
  async getByEmail(email: string): Promise<Agent | undefined> {
    const row = await this.scope.db
      .selectFrom('agents')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Oldest first. */
  async list(): Promise<Agent[]> {
    const rows = await this.scope.db
      .selectFrom('agents')
      .selectAll()
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(fromRow);
  }

  async create(agent: Agent): Promise<void> {
    await uniquely(`an agent with email ${agent.email} already exists`, () =>
      this.scope.db.insertInto('agents').values(toRow(agent)).execute(),
    );
  }

  async touch(id: string, at: string): Promise<void> {
    await this.scope.db.updateTable('agents').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  /**
   * One conditional UPDATE per candidate: of several instances sweeping at once, one changes each agent,
   * and a heartbeat that lands in between keeps the agent available.
   */
  async markAwayUnseenSince(before: string): Promise<Agent[]> {
    const candidates = await this.scope.db
      .selectFrom('agents')
      .select('id')
      .where('presence', '=', 'available')
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', before)]))
      .execute();
    const changed: Agent[] = [];
    for (const { id } of candidates) {
      const result = await this.scope.db
        .updateTable('agents')
        .set({ presence: 'away' })
        .where('id', '=', id)
        .where('presence', '=', 'available')
        .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', before)]))
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) continue;
      const agent = await this.get(id);
      if (agent) changed.push(agent);
    }
    return changed;
  }

  async update(agent: Agent): Promise<void> {
    const { id, ...values } = toRow(agent);
    const result = await uniquely(`an agent with email ${agent.email} already exists`, () =>
      this.scope.db.updateTable('agents').set(values).where('id', '=', id).executeTakeFirst(),
    );
    assertUpdated(result, 'Agent', id);
  }

  async listWithRoom(options: { lock?: boolean } = {}): Promise<AgentLoad[]> {
    const db = this.scope.db;
    if (options.lock) await lockAgents(db);
    const rows = await db
      .selectFrom('agents as a')
      .selectAll('a')
      .select(loadColumns)
      .where('a.status', '=', 'active' satisfies AgentStatus)
      .where('a.presence', '=', 'available' satisfies Presence)
      .orderBy('a.idle_since', 'asc')
      .orderBy('a.created_at', 'asc')
      .orderBy('a.id', 'asc')
      .execute();
    return rows
      .map(({ held, offered, ...row }) => ({
        agent: fromRow(row),
        load: Number(held ?? 0) + Number(offered ?? 0),
      }))
      .filter(({ agent, load }) => load < agent.capacity);
  }

  async loadOf(id: string, options: { lock?: boolean } = {}): Promise<number> {
    const db = this.scope.db;
    if (options.lock) await lockAgents(db, id);
    const row = await db
      .selectFrom('agents as a')
      .select(loadColumns)
      .where('a.id', '=', id)
      .executeTakeFirst();
    return Number(row?.held ?? 0) + Number(row?.offered ?? 0);
  }
}
