import type { WebchatVisitor } from '../core/model.ts';
import type { WebchatVisitorRepository } from '../core/ports/repositories.ts';
import { assertUpdated, type DbScope, uniquely } from './db-scope.ts';

export interface WebchatVisitorTable {
  id: string;
  token_hash: string;
  created_at: string;
  blocked_at: string | null;
  blocked_by: string | null;
}

const toRow = (v: WebchatVisitor): WebchatVisitorTable => ({
  id: v.id,
  token_hash: v.tokenHash,
  created_at: v.createdAt,
  blocked_at: v.blockedAt,
  blocked_by: v.blockedBy,
});

const fromRow = (r: WebchatVisitorTable): WebchatVisitor => ({
  id: r.id,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  blockedAt: r.blocked_at,
  blockedBy: r.blocked_by,
});

export class KyselyWebchatVisitorRepository implements WebchatVisitorRepository {
  constructor(private readonly scope: DbScope) {}

  async create(visitor: WebchatVisitor): Promise<void> {
    await uniquely(`web-chat visitor ${visitor.id} already exists`, () =>
      this.scope.db.insertInto('webchat_visitors').values(toRow(visitor)).execute(),
    );
  }

  async get(id: string): Promise<WebchatVisitor | undefined> {
    const row = await this.scope.db
      .selectFrom('webchat_visitors')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async findByTokenHash(tokenHash: string): Promise<WebchatVisitor | undefined> {
    const row = await this.scope.db
      .selectFrom('webchat_visitors')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async update(visitor: WebchatVisitor): Promise<void> {
    const { id, ...rest } = toRow(visitor);
    const result = await this.scope.db
      .updateTable('webchat_visitors')
      .set(rest)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'web-chat visitor', id);
  }
}
