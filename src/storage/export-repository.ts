import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Case, Conversation } from '../core/model.ts';
import type {
  CaseExportFilter,
  ConversationExportFilter,
  ExportCursor,
  ExportRepository,
} from '../core/ports/export-repository.ts';
import { caseFromRow } from './case-repository.ts';
import { conversationFromRow } from './conversation-repository.ts';
import type { Database } from './database.ts';
import type { DbScope } from './db-scope.ts';

type CaseQuery<O> = SelectQueryBuilder<Database, 'cases', O>;
type ConversationQuery<O> = SelectQueryBuilder<Database, 'conversations', O>;

function whereCases<O>(query: CaseQuery<O>, filter: CaseExportFilter): CaseQuery<O> {
  let q = query;
  if (filter.from !== undefined) q = q.where('cases.created_at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('cases.created_at', '<', filter.to);
  if (filter.status?.length) q = q.where('cases.status', 'in', filter.status);
  if (filter.kind?.length) q = q.where('cases.kind', 'in', filter.kind);
  const { queueId, channel } = filter;
  if (queueId !== undefined || channel !== undefined)
    // A case has no queue or channel of its own: those of its conversations.
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('conversations')
          .select('conversations.id')
          .whereRef('conversations.case_id', '=', 'cases.id')
          .$if(queueId !== undefined, (s) => s.where('conversations.queue_id', '=', queueId as string))
          .$if(channel !== undefined, (s) => s.where('conversations.channel', '=', channel as string)),
      ),
    );
  return q;
}

function whereConversations<O>(
  query: ConversationQuery<O>,
  filter: ConversationExportFilter,
): ConversationQuery<O> {
  let q = query;
  if (filter.from !== undefined) q = q.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('created_at', '<', filter.to);
  if (filter.state?.length) q = q.where('state', 'in', filter.state);
  if (filter.queueId !== undefined) q = q.where('queue_id', '=', filter.queueId);
  if (filter.channel !== undefined) q = q.where('channel', '=', filter.channel);
  return q;
}

/** `(created_at, id) > (after.createdAt, after.id)`, spelled out: both engines use the index for it. */
const afterCursor =
  (table: 'cases' | 'conversations', after: ExportCursor) =>
  <T extends 'cases' | 'conversations'>(eb: ExpressionBuilder<Database, T>) =>
    eb.or([
      eb(sql.ref(`${table}.created_at`), '>', after.createdAt),
      eb.and([
        eb(sql.ref(`${table}.created_at`), '=', after.createdAt),
        eb(sql.ref(`${table}.id`), '>', after.id),
      ]),
    ]);

export class KyselyExportRepository implements ExportRepository {
  constructor(private readonly scope: DbScope) {}

  async countCases(filter: CaseExportFilter): Promise<number> {
    const row = await whereCases(
      this.scope.db.selectFrom('cases').select((eb) => eb.fn.countAll<number | string>().as('n')),
      filter,
    ).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pageCases(filter: CaseExportFilter, after: ExportCursor | null, limit: number): Promise<Case[]> {
    let query = whereCases(this.scope.db.selectFrom('cases').selectAll('cases'), filter);
    if (after) query = query.where(afterCursor('cases', after));
    const rows = await query.orderBy('cases.created_at').orderBy('cases.id').limit(limit).execute();
    return rows.map(caseFromRow);
  }

  async countConversations(filter: ConversationExportFilter): Promise<number> {
    const row = await whereConversations(
      this.scope.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number | string>().as('n')),
      filter,
    ).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pageConversations(
    filter: ConversationExportFilter,
    after: ExportCursor | null,
    limit: number,
  ): Promise<Conversation[]> {
    let query = whereConversations(this.scope.db.selectFrom('conversations').selectAll(), filter);
    if (after) query = query.where(afterCursor('conversations', after));
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(conversationFromRow);
  }
}
