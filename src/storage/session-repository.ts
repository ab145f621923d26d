import type { Selectable } from 'kysely';
import type { Session } from '../core/model.ts';
import type { SessionRepository } from '../core/ports/repositories.ts';
import type { SessionTable } from './database.ts';
import type { DbScope } from './db-scope.ts';

const fromRow = (r: Selectable<SessionTable>): Session => ({
  id: r.id,
  tokenHash: r.token_hash,
  agentId: r.agent_id,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});

export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly scope: DbScope) {}

  async create(session: Session): Promise<void> {
    await this.scope.db
      .insertInto('sessions')
      .values({
        id: session.id,
        token_hash: session.tokenHash,
        agent_id: session.agentId,
        expires_at: session.expiresAt,
        created_at: session.createdAt,
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    const r = await this.scope.db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && fromRow(r);
  }

  async delete(id: string): Promise<void> {
    await this.scope.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteByAgent(agentId: string): Promise<string[]> {
    const rows = await this.scope.db
      .deleteFrom('sessions')
      .where('agent_id', '=', agentId)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
