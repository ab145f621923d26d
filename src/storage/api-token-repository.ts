import type { Selectable } from 'kysely';
import type { ApiToken } from '../core/model.ts';
import type { ApiTokenRepository } from '../core/ports/repositories.ts';
import type { ApiTokenTable } from './database.ts';
import type { DbScope } from './db-scope.ts';

const fromRow = (r: Selectable<ApiTokenTable>): ApiToken => ({
  id: r.id,
  name: r.name,
  tokenHash: r.token_hash,
  agentId: r.agent_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export class KyselyApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly scope: DbScope) {}

  async create(token: ApiToken): Promise<void> {
    await this.scope.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        name: token.name,
        token_hash: token.tokenHash,
        agent_id: token.agentId,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
      })
      .execute();
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const row = await this.scope.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async findByTokenHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.scope.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Oldest first. */
  async listByAgent(agentId: string): Promise<ApiToken[]> {
    const rows = await this.scope.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('agent_id', '=', agentId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(fromRow);
  }

  async delete(id: string): Promise<void> {
    await this.scope.db.deleteFrom('api_tokens').where('id', '=', id).execute();
  }

  async deleteByAgent(agentId: string): Promise<string[]> {
    const rows = await this.scope.db
      .deleteFrom('api_tokens')
      .where('agent_id', '=', agentId)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
