import { type Selectable, sql } from 'kysely';
import type { Agent, AgentRole, AgentStatus, Presence } from '../core/model.ts';
import type { AgentRepository } from '../core/ports/repositories.ts';
import type { AgentTable } from './database.ts';
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
}
