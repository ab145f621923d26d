import { transition } from '../conversations/conversation-state.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ArticleInput } from '../knowledge/article-service.ts';
import type { Article } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { inTransaction } from '../unit-of-work.ts';
import {
  type BotOutcomeKind,
  type BotTurn,
  groupQuestions,
  type HandoffReason,
  handoffReasons,
  idleOutcome,
  MAX_QUESTION,
} from './bot-outcome.ts';

export interface BotOutcomeOptions {
  /** A member silent this long has left: the conversation gets its outcome and is closed. */
  idleMs: number;
  /** How often the idle sweep runs. */
  sweepMs: number;
  /** How long one instance holds the sweep before another may take it over (it died). */
  leaseMs: number;
  /** This instance's name in the sweep's lease. */
  owner: string;
  /** Conversations closed per sweep at most (the next sweep goes on). */
  batch: number;
  /** The longest window the figures cover. */
  maxDays: number;
}

export const defaultBotOutcomeOptions: Omit<BotOutcomeOptions, 'owner'> = {
  idleMs: 24 * 3_600_000,
  sweepMs: 60_000,
  leaseMs: 120_000,
  batch: 200,
  maxDays: 90,
};

const dayMs = 24 * 3_600_000;
const SWEEP_LEASE = 'bot-outcomes:idle-sweep';

export interface OutcomeDay {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  resolved: number;
  handedOff: number;
  abandoned: number;
  /** resolved / (resolved + handed off + abandoned); null on a day without outcomes. */
  containmentRate: number | null;
}

export interface BotOutcomeFigures {
  since: string;
  until: string;
  days: OutcomeDay[];
  totals: Omit<OutcomeDay, 'date'> & {
    /** Resolved because the member pressed "This solved it" / because they left after an answer. */
    confirmed: number;
    noReturn: number;
    /** Conversations with the bot now that have no outcome yet. */
    inProgress: number;
  };
  handoffReasons: { reason: HandoffReason; count: number }[];
  articles: { articleId: string; title: string | null; answered: number; solved: number }[];
}

export interface UnansweredQuestion {
  /** The contact message the bot could not answer. */
  id: string;
  text: string;
  language: string;
  askedAt: string;
}

export interface UnansweredGroup {
  count: number;
  questions: UnansweredQuestion[];
}

export interface DraftFromQuestions {
  /** The unanswered questions (their ids, as `unanswered` lists them). */
  questionIds: string[];
  title?: string;
}

/** Creates articles; the knowledge-base service, so the search index follows. */
export type ArticleCreator = (input: ArticleInput) => Promise<Article>;
export type ArticleTitles = (id: string) => Promise<string | null>;

/**
 * What the bot solves: the idle sweep that decides the outcome of conversations members left, the
 * supervisor's figures (containment per day, hand-off reasons, answers and "solved" per article), and
 * the questions the bot could not answer, grouped, with a draft article made from a group.
 */
export class BotOutcomeService {
  readonly options: BotOutcomeOptions;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly createArticle: ArticleCreator,
    private readonly articleTitle: ArticleTitles,
    options: Partial<BotOutcomeOptions> = {},
  ) {
    this.options = { ...defaultBotOutcomeOptions, owner: newId(), ...options };
  }

  /**
   * Conversations still with the bot whose member wrote nothing for `idleMs`: each gets its outcome
   * (resolved or abandoned, see `idleOutcome`; a stronger one recorded earlier stays) and is closed, so
   * a member who comes back starts a new conversation. One instance at a time sweeps (a lease in the
   * database); each conversation is checked again in its own transaction. Returns how many it closed.
   */
  async sweep(now: Date = this.clock.now()): Promise<number> {
    const nowIso = now.toISOString();
    const lease = await this.store.leases.acquire({
      name: SWEEP_LEASE,
      owner: this.options.owner,
      now: nowIso,
      ttlMs: this.options.leaseMs,
    });
    if (!lease) return 0;
    try {
      const before = new Date(now.getTime() - this.options.idleMs).toISOString();
      const ids = await this.store.botOutcomes.listIdleBotConversations(before, this.options.batch);
      let closed = 0;
      for (const id of ids) if (await this.closeIdle(id, before, nowIso)) closed++;
      return closed;
    } finally {
      await this.store.leases.release(lease).catch(() => false);
    }
  }

  private closeIdle(id: string, before: string, now: string): Promise<boolean> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(id);
      if (conversation?.state !== 'bot') return false;
      const messages = await tx.messages.listByConversation(id);
      const last = messages.at(-1)?.createdAt ?? conversation.createdAt;
      // The member wrote again meanwhile: not idle after all.
      if (last >= before) return false;
      const decided = idleOutcome(await tx.botOutcomes.listTurns(id));
      await tx.botOutcomes.record({
        conversationId: id,
        channel: conversation.channel,
        ...decided,
        occurredAt: last,
      });
      const next = transition(conversation, 'closed', now);
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
      return true;
    });
  }

  /** The figures for the last `days` UTC days, today included. */
  async figures(days = 14): Promise<BotOutcomeFigures> {
    const { since, until } = this.window(days);
    const [outcomes, counts, inProgress] = await Promise.all([
      this.store.botOutcomes.listOutcomes(since, until),
      this.store.botOutcomes.articleCounts(since, until),
      this.store.botOutcomes.countOpenWithoutOutcome(),
    ]);
    const byDay = new Map<string, OutcomeDay>();
    for (let t = Date.parse(since); t < Date.parse(until); t += dayMs) {
      const date = new Date(t).toISOString().slice(0, 10);
      byDay.set(date, { date, resolved: 0, handedOff: 0, abandoned: 0, containmentRate: null });
    }
    const key: Record<BotOutcomeKind, 'resolved' | 'handedOff' | 'abandoned'> = {
      resolved: 'resolved',
      handed_off: 'handedOff',
      abandoned: 'abandoned',
    };
    const reasons = new Map<HandoffReason, number>(handoffReasons.map((r) => [r, 0]));
    let confirmed = 0;
    let noReturn = 0;
    for (const outcome of outcomes) {
      const day = byDay.get(outcome.occurredAt.slice(0, 10));
      if (day) day[key[outcome.outcome]] += 1;
      if (outcome.outcome === 'handed_off') {
        const reason = outcome.reason as HandoffReason;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      if (outcome.reason === 'confirmed') confirmed++;
      if (outcome.reason === 'no_return') noReturn++;
    }
    const days_ = [...byDay.values()].map((d) => ({ ...d, containmentRate: rate(d) }));
    const sum = (k: 'resolved' | 'handedOff' | 'abandoned') => days_.reduce((n, d) => n + d[k], 0);
    const totals = { resolved: sum('resolved'), handedOff: sum('handedOff'), abandoned: sum('abandoned') };
    const articles = await Promise.all(
      counts
        .sort(
          (a, b) => b.answered - a.answered || b.solved - a.solved || a.articleId.localeCompare(b.articleId),
        )
        .slice(0, 50)
        .map(async (c) => ({ ...c, title: await this.articleTitle(c.articleId) })),
    );
    return {
      since,
      until,
      days: days_,
      totals: { ...totals, containmentRate: rate(totals), confirmed, noReturn, inProgress },
      handoffReasons: [...reasons].map(([reason, count]) => ({ reason, count })),
      articles,
    };
  }

  /**
   * The questions the bot could not answer (it was unsure) in the last `days` days, similar ones grouped,
   * biggest group first. Negative feedback ("that didn't help") is not a question; questions an article
   * was already drafted from are left out.
   */
  async unanswered(days = 14): Promise<UnansweredGroup[]> {
    const { since } = this.window(days);
    const turns = await this.store.botOutcomes.findTurns({
      since,
      intent: 'unsure',
      undrafted: true,
      withoutNegative: true,
      limit: 2_000,
    });
    return groupQuestions(turns.filter((t) => t.question.trim())).map((g) => ({
      count: g.items.length,
      questions: g.items.map(question),
    }));
  }

  /**
   * A draft (unpublished) article whose example questions are these unanswered questions, for a
   * supervisor to write the answer to. The questions are then linked to it and leave the list.
   */
  async draftArticle(input: DraftFromQuestions): Promise<Article> {
    const ids = [...new Set(input.questionIds)];
    if (ids.length === 0) throw invalid('name at least one question', { field: 'questionIds' });
    const turns = await this.store.botOutcomes.getTurns(ids);
    const missing = ids.find((id) => !turns.some((t) => t.messageId === id));
    if (missing) throw notFound('unanswered question', missing);
    const drafted = turns.find((t) => t.draftArticleId);
    if (drafted)
      throw conflict(
        `the question "${drafted.question}" already has a draft article (${drafted.draftArticleId})`,
      );
    const examples = [...new Set(turns.map((t) => t.question.slice(0, MAX_QUESTION)))];
    const title = (input.title?.trim() || examples[0] || 'New article').slice(0, 300);
    const article = await this.createArticle({
      title,
      body: 'Write the answer here. The example questions are what members asked.',
      locale: mostCommon(turns.map((t) => t.language)) ?? 'en',
      published: false,
      examples,
    });
    await this.store.botOutcomes.markDrafted(ids, article.id);
    return article;
  }

  private window(days: number): { since: string; until: string } {
    if (!Number.isInteger(days) || days < 1 || days > this.options.maxDays)
      throw invalid(`days must be a whole number from 1 to ${this.options.maxDays}`, { field: 'days' });
    const now = this.clock.now();
    const start = new Date(now);
    start.setUTCHours(0, 0, 0, 0);
    const since = new Date(start.getTime() - (days - 1) * dayMs);
    return { since: since.toISOString(), until: new Date(start.getTime() + dayMs).toISOString() };
  }
}

function rate(d: { resolved: number; handedOff: number; abandoned: number }): number | null {
  const all = d.resolved + d.handedOff + d.abandoned;
  return all === 0 ? null : Math.round((d.resolved / all) * 1000) / 1000;
}

const question = (t: BotTurn): UnansweredQuestion => ({
  id: t.messageId,
  text: t.question,
  language: t.language,
  askedAt: t.createdAt,
});

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
