import type { Selectable } from 'kysely';
import {
  type BotOutcome,
  type BotOutcomeKind,
  type BotOutcomeReason,
  type BotTurn,
  outcomeRank,
} from '../core/outcomes/bot-outcome.ts';
import type { ArticleAnswerCount, BotOutcomeRepository, BotTurnFilter } from '../core/ports/repositories.ts';
import type { VirtualAgentIntent } from '../core/ports/virtual-agent.ts';
import { type DbScope, fromFlag, toFlag } from './db-scope.ts';

export interface BotTurnTable {
  message_id: string;
  conversation_id: string;
  question: string;
  language: string;
  intent: string;
  article_id: string | null;
  confidence: number;
  repeated: number;
  negative: number;
  model_unavailable: number;
  solved_at: string | null;
  draft_article_id: string | null;
  created_at: string;
}

export interface BotOutcomeTable {
  conversation_id: string;
  channel: string;
  outcome: string;
  reason: string;
  rank: number;
  article_id: string | null;
  occurred_at: string;
}

const turnFromRow = (r: Selectable<BotTurnTable>): BotTurn => ({
  messageId: r.message_id,
  conversationId: r.conversation_id,
  question: r.question,
  language: r.language,
  intent: r.intent as VirtualAgentIntent,
  articleId: r.article_id,
  confidence: Number(r.confidence),
  repeated: fromFlag(r.repeated),
  negative: fromFlag(r.negative),
  modelUnavailable: fromFlag(r.model_unavailable),
  solvedAt: r.solved_at,
  draftArticleId: r.draft_article_id,
  createdAt: r.created_at,
});

const outcomeFromRow = (r: Selectable<BotOutcomeTable>): BotOutcome => ({
  conversationId: r.conversation_id,
  channel: r.channel,
  outcome: r.outcome as BotOutcomeKind,
  reason: r.reason as BotOutcomeReason,
  articleId: r.article_id,
  occurredAt: r.occurred_at,
});

/** Bot turns and outcomes on SQLite and PostgreSQL; every write is one idempotent statement. */
export class KyselyBotOutcomeRepository implements BotOutcomeRepository {
  constructor(private readonly scope: DbScope) {}

  async addTurn(turn: BotTurn): Promise<boolean> {
    const inserted = await this.scope.db
      .insertInto('bot_turns')
      .values({
        message_id: turn.messageId,
        conversation_id: turn.conversationId,
        question: turn.question,
        language: turn.language,
        intent: turn.intent,
        article_id: turn.articleId,
        confidence: turn.confidence,
        repeated: toFlag(turn.repeated),
        negative: toFlag(turn.negative),
        model_unavailable: toFlag(turn.modelUnavailable),
        solved_at: turn.solvedAt,
        draft_article_id: turn.draftArticleId,
        created_at: turn.createdAt,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Turns in the order their messages were stored (times can tie within a millisecond). */
  private turns() {
    return this.scope.db
      .selectFrom('bot_turns as t')
      .innerJoin('messages as m', 'm.id', 't.message_id')
      .selectAll('t');
  }

  async listTurns(conversationId: string): Promise<BotTurn[]> {
    const rows = await this.turns()
      .where('t.conversation_id', '=', conversationId)
      .orderBy('t.created_at')
      .orderBy('m.seq')
      .execute();
    return rows.map(turnFromRow);
  }

  async findTurns(filter: BotTurnFilter): Promise<BotTurn[]> {
    let query = this.turns().where('t.created_at', '>=', filter.since);
    if (filter.intent) query = query.where('t.intent', '=', filter.intent);
    if (filter.undrafted) query = query.where('t.draft_article_id', 'is', null);
    if (filter.withoutNegative) query = query.where('t.negative', '=', 0);
    // The newest `limit`, returned oldest first.
    const rows = await query
      .orderBy('t.created_at', 'desc')
      .orderBy('m.seq', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.reverse().map(turnFromRow);
  }

  async getTurns(messageIds: string[]): Promise<BotTurn[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.turns()
      .where('t.message_id', 'in', messageIds)
      .orderBy('t.created_at')
      .orderBy('m.seq')
      .execute();
    return rows.map(turnFromRow);
  }

  async markSolved(messageId: string, at: string): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('bot_turns')
      .set({ solved_at: at })
      .where('message_id', '=', messageId)
      .where('solved_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markDrafted(messageIds: string[], articleId: string): Promise<number> {
    if (messageIds.length === 0) return 0;
    const result = await this.scope.db
      .updateTable('bot_turns')
      .set({ draft_article_id: articleId })
      .where('message_id', 'in', messageIds)
      .where('draft_article_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async articleCounts(since: string, until: string): Promise<ArticleAnswerCount[]> {
    const db = this.scope.db;
    const [answered, solved] = await Promise.all([
      db
        .selectFrom('bot_turns')
        .select(['article_id', db.fn.countAll<number | string>().as('n')])
        .where('intent', '=', 'answer')
        .where('article_id', 'is not', null)
        .where('created_at', '>=', since)
        .where('created_at', '<', until)
        .groupBy('article_id')
        .execute(),
      db
        .selectFrom('bot_turns')
        .select(['article_id', db.fn.countAll<number | string>().as('n')])
        .where('article_id', 'is not', null)
        .where('solved_at', '>=', since)
        .where('solved_at', '<', until)
        .groupBy('article_id')
        .execute(),
    ]);
    const counts = new Map<string, ArticleAnswerCount>();
    const entry = (articleId: string) => {
      const found = counts.get(articleId) ?? { articleId, answered: 0, solved: 0 };
      counts.set(articleId, found);
      return found;
    };
    for (const row of answered) if (row.article_id) entry(row.article_id).answered = Number(row.n);
    for (const row of solved) if (row.article_id) entry(row.article_id).solved = Number(row.n);
    return [...counts.values()];
  }

  async record(outcome: BotOutcome): Promise<boolean> {
    const rank = outcomeRank[outcome.outcome];
    const row = {
      conversation_id: outcome.conversationId,
      channel: outcome.channel,
      outcome: outcome.outcome,
      reason: outcome.reason,
      rank,
      article_id: outcome.articleId,
      occurred_at: outcome.occurredAt,
    };
    // One statement: concurrent writers (a hand-off, the idle sweep on another instance) cannot interleave.
    const stored = await this.scope.db
      .insertInto('bot_outcomes')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('conversation_id')
          .doUpdateSet({
            outcome: row.outcome,
            reason: row.reason,
            rank: row.rank,
            article_id: row.article_id,
            occurred_at: row.occurred_at,
          })
          .where('bot_outcomes.rank', '<', rank),
      )
      .returning('conversation_id')
      .executeTakeFirst();
    return stored !== undefined;
  }

  async get(conversationId: string): Promise<BotOutcome | undefined> {
    const row = await this.scope.db
      .selectFrom('bot_outcomes')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return row && outcomeFromRow(row);
  }

  async listOutcomes(since: string, until: string): Promise<BotOutcome[]> {
    const rows = await this.scope.db
      .selectFrom('bot_outcomes')
      .selectAll()
      .where('occurred_at', '>=', since)
      .where('occurred_at', '<', until)
      .orderBy('occurred_at')
      .execute();
    return rows.map(outcomeFromRow);
  }

  async listIdleBotConversations(before: string, limit: number): Promise<string[]> {
    const rows = await this.scope.db
      .selectFrom('conversations as c')
      .select('c.id')
      .where('c.state', '=', 'bot')
      .where('c.created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('messages as m')
              .select('m.id')
              .whereRef('m.conversation_id', '=', 'c.id')
              .where('m.created_at', '>=', before),
          ),
        ),
      )
      .orderBy('c.created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async countOpenWithoutOutcome(): Promise<number> {
    const row = await this.scope.db
      .selectFrom('conversations as c')
      .leftJoin('bot_outcomes as o', 'o.conversation_id', 'c.id')
      .select(({ fn }) => fn.countAll<number | string>().as('n'))
      .where('c.state', '=', 'bot')
      .where('o.conversation_id', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
