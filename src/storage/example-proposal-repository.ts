import type { Selectable } from 'kysely';
import type { ExampleProposal } from '../core/model.ts';
import type { ExampleProposalRepository } from '../core/ports/repositories.ts';
import type { ExampleProposalTable } from './database.ts';
import { assertUpdated, type DbScope } from './db-scope.ts';

const toRow = (p: ExampleProposal): Selectable<ExampleProposalTable> => ({
  id: p.id,
  article_id: p.articleId,
  question: p.question,
  source: p.source,
  conversation_id: p.conversationId,
  status: p.status,
  created_at: p.createdAt,
  decided_at: p.decidedAt,
  decided_by: p.decidedBy,
});

const fromRow = (r: Selectable<ExampleProposalTable>): ExampleProposal => ({
  id: r.id,
  articleId: r.article_id,
  question: r.question,
  source: r.source as ExampleProposal['source'],
  conversationId: r.conversation_id,
  status: r.status as ExampleProposal['status'],
  createdAt: r.created_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
});

export class KyselyExampleProposalRepository implements ExampleProposalRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<ExampleProposal | undefined> {
    const row = await this.scope.db
      .selectFrom('example_proposals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async create(proposal: ExampleProposal): Promise<void> {
    await this.scope.db.insertInto('example_proposals').values(toRow(proposal)).execute();
  }

  async update(proposal: ExampleProposal): Promise<void> {
    const { id, ...values } = toRow(proposal);
    const result = await this.scope.db
      .updateTable('example_proposals')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Example proposal', id);
  }

  async list(filter: { status?: ExampleProposal['status']; articleId?: string }): Promise<ExampleProposal[]> {
    let query = this.scope.db.selectFrom('example_proposals').selectAll();
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.articleId !== undefined) query = query.where('article_id', '=', filter.articleId);
    const rows = await query.orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(fromRow);
  }
}
