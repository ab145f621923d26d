import { invalid } from '../errors.ts';
import type { Agent, AgentRole, Case, Conversation, Presence } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import type { QueueStats } from '../routing/router.ts';

/** A median over `count` cases; null when there were none. */
export interface MedianFigure {
  medianSeconds: number | null;
  count: number;
}

export interface AgentFigures {
  id: string;
  name: string;
  email: string;
  role: AgentRole;
  presence: Presence;
  capacity: number;
  /** Conversations the agent holds now (assigned or wrapping). */
  load: number;
  /** Conversations the agent closed since `since`. */
  closed: number;
}

export interface HourFigure {
  /** Start of the hour-long bucket; buckets are counted from `since`, so they follow the caller's day. */
  start: string;
  conversations: number;
}

/** What the supervisor view shows. Each figure says which conversations it counts (see StatsService). */
export interface ContactCenterStats {
  since: string;
  until: string;
  conversations: {
    /** Created since `since` (volume), whatever happened to them. */
    total: number;
    /** Of those, the ones that reached a queue or an agent. */
    handedOff: number;
    /** Closed since `since`. */
    closed: number;
  };
  firstResponse: MedianFigure;
  resolution: MedianFigure;
  csat: {
    average: number | null;
    count: number;
    /** The same ratings by the agent, queue and channel of the conversation that was rated. */
    byAgent: CsatGroup[];
    byQueue: CsatGroup[];
    byChannel: CsatGroup[];
    /** The latest comments the contacts wrote with their ratings, newest first (at most 20). */
    comments: CsatComment[];
  };
  hours: HourFigure[];
  queues: QueueStats[];
  agents: AgentFigures[];
  /**
   * The same volume by the server the conversations came through (a Discord server), most first;
   * conversations from no server (web chat, SMS) are left out. With `server`, that server's only.
   */
  servers: ServerFigures[];
  /** The server the figures are limited to, if one was asked for. */
  server: string | null;
}

export interface ServerFigures {
  id: string;
  name: string;
  /** Conversations created since `since`; of those, handed to a person; conversations closed since `since`. */
  total: number;
  handedOff: number;
  closed: number;
}

export interface CsatGroup {
  /** The agent's or queue's id, or the channel name. */
  id: string;
  name: string;
  average: number;
  count: number;
}

export interface CsatComment {
  caseId: string;
  caseNumber: number;
  rating: number | null;
  comment: string;
  channel: string | null;
  agentId: string | null;
  at: string;
}

export interface StatsOptions {
  /** The longest window a caller may ask for: the figures are computed from every conversation in it. */
  maxWindowDays: number;
}

export const defaultStatsOptions: StatsOptions = { maxWindowDays: 31 };

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/**
 * The supervisor's figures, computed from the stored conversations and cases at the time of asking.
 * Each figure is attributed to the moment its event completed, as contact centers report them:
 *
 * - **volume**: conversations created since `since` (bot-only ones included);
 * - **first response**: for conversations first answered by an agent since `since`, the time from
 *   joining the queue (`queuedAt`; `assignedAt` when it was handed to an agent directly) to that
 *   first agent reply. That is the member's wait for a person: queue time plus the agent's reaction.
 *   A conversation transferred back to a queue after its first reply restarts `queuedAt`, so it is
 *   left out (its original wait is no longer known);
 * - **resolution**: for conversations closed since `since` that an agent handled, `closedAt − createdAt`
 *   (the member's whole journey, bot part included). Conversations the bot resolved alone are left out;
 * - **CSAT**: the average rating (1–5) of cases rated since `since`, and how many there were.
 */
export class StatsService {
  private readonly options: StatsOptions;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queueStats: () => Promise<QueueStats[]>,
    options: Partial<StatsOptions> = {},
  ) {
    this.options = { ...defaultStatsOptions, ...options };
  }

  /**
   * The figures since `since` (ISO-8601; default: the start of the current UTC day) until now. With
   * `serverId`, the conversations and ratings of that server only (queues and agents are shared by all
   * servers, so their figures stay whole).
   */
  async figures(since?: string, serverId?: string): Promise<ContactCenterStats> {
    const now = this.clock.now();
    const from = this.window(now, since);
    const sinceIso = from.toISOString();
    const server = serverId === undefined ? {} : { serverId };
    const [active, open, rated, agents, queues] = await Promise.all([
      this.store.conversations.list({ activeSince: sinceIso, ...server }),
      this.store.conversations.list({ state: ['assigned', 'wrapping'] }),
      this.store.cases.list({ ratedSince: sinceIso, ...server }),
      this.store.agents.list(),
      this.queueStats(),
    ]);

    const created = active.filter((c) => c.createdAt >= sinceIso);
    const closed = active.filter((c) => c.closedAt !== null && c.closedAt >= sinceIso);
    const ratings = rated.map((c) => c.rating).filter((r): r is number => r !== null);
    const csatBy = await this.csatBreakdown(rated, agents, queues);

    return {
      since: sinceIso,
      until: now.toISOString(),
      conversations: {
        total: created.length,
        handedOff: created.filter((c) => c.queuedAt !== null || c.agentId !== null).length,
        closed: closed.length,
      },
      firstResponse: median(active.map((c) => firstResponseSeconds(c, sinceIso))),
      resolution: median(closed.map(resolutionSeconds)),
      csat: {
        average: ratings.length ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null,
        count: ratings.length,
        ...csatBy,
      },
      hours: hourly(created, from, now),
      queues,
      agents: agents.map((agent) => agentFigures(agent, open, closed)),
      servers: serverFigures(created, closed),
      server: serverId ?? null,
    };
  }

  /**
   * CSAT by who and where: each rated case counts for the conversation it was rated from (its latest
   * closed one). One lookup per rated case in the window, which a day's ratings keep small.
   */
  private async csatBreakdown(
    rated: Case[],
    agents: Agent[],
    queues: QueueStats[],
  ): Promise<Pick<ContactCenterStats['csat'], 'byAgent' | 'byQueue' | 'byChannel' | 'comments'>> {
    const groups = {
      agent: new Map<string, number[]>(),
      queue: new Map<string, number[]>(),
      channel: new Map<string, number[]>(),
    };
    const add = (map: Map<string, number[]>, id: string | null, rating: number) => {
      if (id === null) return;
      map.set(id, [...(map.get(id) ?? []), rating]);
    };
    const comments: CsatComment[] = [];
    for (const kase of rated) {
      const [conversation] = await this.store.conversations.list({
        caseId: kase.id,
        state: 'closed',
        limit: 1,
      });
      if (kase.rating !== null && conversation) {
        add(groups.agent, conversation.agentId, kase.rating);
        add(groups.queue, conversation.queueId, kase.rating);
        add(groups.channel, conversation.channel, kase.rating);
      }
      if (kase.ratingComment)
        comments.push({
          caseId: kase.id,
          caseNumber: kase.number,
          rating: kase.rating,
          comment: kase.ratingComment,
          channel: conversation?.channel ?? null,
          agentId: conversation?.agentId ?? null,
          at: kase.updatedAt,
        });
    }
    const names = (map: Map<string, number[]>, nameOf: (id: string) => string): CsatGroup[] =>
      [...map].map(([id, list]) => ({
        id,
        name: nameOf(id),
        average: round(list.reduce((a, b) => a + b, 0) / list.length, 2),
        count: list.length,
      }));
    const agentName = new Map(agents.map((a) => [a.id, a.name]));
    const queueName = new Map(queues.map((q) => [q.queueId, q.name]));
    return {
      byAgent: names(groups.agent, (id) => agentName.get(id) ?? id),
      byQueue: names(groups.queue, (id) => queueName.get(id) ?? id),
      byChannel: names(groups.channel, (id) => id),
      comments: comments.sort((a, b) => b.at.localeCompare(a.at)).slice(0, 20),
    };
  }

  private window(now: Date, since: string | undefined): Date {
    if (since === undefined) {
      const start = new Date(now);
      start.setUTCHours(0, 0, 0, 0);
      return start;
    }
    const from = new Date(since);
    if (Number.isNaN(from.getTime()))
      throw invalid(`"${since}" is not an ISO-8601 instant`, { field: 'since' });
    if (from.getTime() > now.getTime()) throw invalid('since is in the future', { field: 'since' });
    if (now.getTime() - from.getTime() > this.options.maxWindowDays * dayMs)
      throw invalid(`since is more than ${this.options.maxWindowDays} days ago`, { field: 'since' });
    return from;
  }
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

function firstResponseSeconds(c: Conversation, since: string): number | null {
  if (c.firstAgentReplyAt === null || c.firstAgentReplyAt < since) return null;
  const start = c.queuedAt ?? c.assignedAt;
  if (start === null || start > c.firstAgentReplyAt) return null;
  return seconds(start, c.firstAgentReplyAt);
}

function resolutionSeconds(c: Conversation): number | null {
  const handled = c.agentId !== null || c.firstAgentReplyAt !== null;
  return handled && c.closedAt !== null ? seconds(c.createdAt, c.closedAt) : null;
}

function median(values: (number | null)[]): MedianFigure {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length === 0
      ? null
      : sorted.length % 2 === 1
        ? (sorted[mid] ?? 0)
        : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { medianSeconds: value === null ? null : Math.round(value), count: sorted.length };
}

function hourly(created: Conversation[], from: Date, now: Date): HourFigure[] {
  // Up to and including the hour that holds `now`.
  const count = Math.floor((now.getTime() - from.getTime()) / hourMs) + 1;
  const hours = Array.from({ length: count }, (_, i) => ({
    start: new Date(from.getTime() + i * hourMs).toISOString(),
    conversations: 0,
  }));
  for (const c of created) {
    const bucket = hours[Math.floor((Date.parse(c.createdAt) - from.getTime()) / hourMs)];
    if (bucket) bucket.conversations += 1;
  }
  return hours;
}

function serverFigures(created: Conversation[], closed: Conversation[]): ServerFigures[] {
  const byId = new Map<string, ServerFigures>();
  const of = (c: Conversation) => {
    if (!c.server) return null;
    let figures = byId.get(c.server.id);
    if (!figures) {
      figures = { id: c.server.id, name: c.server.name, total: 0, handedOff: 0, closed: 0 };
      byId.set(c.server.id, figures);
    }
    return figures;
  };
  for (const c of created) {
    const figures = of(c);
    if (!figures) continue;
    figures.total += 1;
    if (c.queuedAt !== null || c.agentId !== null) figures.handedOff += 1;
  }
  for (const c of closed) {
    const figures = of(c);
    if (figures) figures.closed += 1;
  }
  return [...byId.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}

function agentFigures(agent: Agent, open: Conversation[], closed: Conversation[]): AgentFigures {
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    role: agent.role,
    presence: agent.presence,
    capacity: agent.capacity,
    load: open.filter((c) => c.agentId === agent.id).length,
    closed: closed.filter((c) => c.agentId === agent.id).length,
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
