import { type Selectable, sql } from 'kysely';
import type { Agent, AgentRole, Presence } from '../core/model.ts';
import type { AgentRepository } from '../core/ports/repositories.ts';
import type { AgentTable } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson, uniquely } from './db-scope.ts';

const toRow = (a: Agent): Selectable<AgentTable> => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  skills: toJson(a.skills),
  capacity: a.capacity,
  presence: a.presence,
  idle_since: a.idleSince,
  password_hash: a.passwordHash,
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

  async update(agent: Agent): Promise<void> {
    const { id, ...values } = toRow(agent);
    const result = await uniquely(`an agent with email ${agent.email} already exists`, () =>
      this.scope.db.updateTable('agents').set(values).where('id', '=', id).executeTakeFirst(),
    );
    assertUpdated(result, 'Agent', id);
  }
}
