import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Case, type CasePriority, casePriorities, type TimelineEntry } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { inTransaction } from '../unit-of-work.ts';
import {
  type BusinessHours,
  isOpen,
  isTimeZone,
  nextOpening,
  type OpeningInterval,
} from './business-hours.ts';
import { type SlaMetric, type SlaPolicy, type SlaTimer, slaMetrics } from './sla.ts';

export interface BusinessHoursInput {
  timeZone: string;
  weekly: OpeningInterval[];
  holidays: string[];
}

export interface SlaPolicyInput {
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
}

/** A timer as the desktop lists it: with its case's number and subject. */
export interface SlaTimerView extends SlaTimer {
  caseNumber: number | null;
  caseSubject: string | null;
}

export interface AttainmentFigure {
  /** Timers that ended or breached: met in time plus breached. */
  total: number;
  met: number;
  breached: number;
  /** met / total; null when there were none. */
  attainment: number | null;
}

export interface SlaAttainment {
  since: string;
  until: string;
  overall: AttainmentFigure;
  byMetric: Record<SlaMetric, AttainmentFigure>;
  queues: Array<{ queueId: string; name: string } & AttainmentFigure>;
  agents: Array<{ agentId: string; name: string } & AttainmentFigure>;
}

export interface SlaServiceOptions {
  /** Most warnings and breaches claimed per sweep. */
  batch: number;
}

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** Business hours and SLA policies per queue, the clocks' views, and the sweep that warns and breaches. */
export class SlaService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    /** Told of each breach, once across instances (metrics). */
    private readonly onBreach: (timer: SlaTimer) => void = () => {},
    private readonly options: SlaServiceOptions = { batch: 100 },
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  private async queue(queueId: string) {
    const queue = await this.store.queues.get(queueId);
    if (!queue) throw notFound('queue', queueId);
    return queue;
  }

  async getHours(queueId: string): Promise<BusinessHours | null> {
    await this.queue(queueId);
    return (await this.store.sla.getBusinessHours(queueId)) ?? null;
  }

  listHours(): Promise<BusinessHours[]> {
    return this.store.sla.listBusinessHours();
  }

  async setHours(queueId: string, input: BusinessHoursInput): Promise<BusinessHours> {
    await this.queue(queueId);
    if (!isTimeZone(input.timeZone)) throw invalid(`"${input.timeZone}" is not a known IANA time zone`);
    for (const i of input.weekly) {
      if (!Number.isInteger(i.day) || i.day < 0 || i.day > 6) throw invalid('day must be 0 (Sunday) to 6');
      if (!hhmm.test(i.open) || !hhmm.test(i.close))
        throw invalid('times must be HH:MM (close may be 24:00)');
      if (i.open === '24:00' || minutesOf(i.close) <= minutesOf(i.open))
        throw invalid(`an interval must close after it opens (${i.open}–${i.close})`);
    }
    for (const day of input.holidays)
      if (!isoDay.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
        throw invalid(`"${day}" is not a date (YYYY-MM-DD)`);
    const hours: BusinessHours = {
      queueId,
      timeZone: input.timeZone,
      weekly: [...input.weekly].sort((a, b) => a.day - b.day || minutesOf(a.open) - minutesOf(b.open)),
      holidays: [...new Set(input.holidays)].sort(),
      updatedAt: this.now(),
    };
    await this.store.sla.putBusinessHours(hours);
    return hours;
  }

  async clearHours(queueId: string): Promise<void> {
    await this.queue(queueId);
    await this.store.sla.deleteBusinessHours(queueId);
  }

  /** Whether the queue is open now, and when it opens next (null: never, with these hours). */
  async openingOf(queueId: string): Promise<{ open: boolean; nextOpening: string | null }> {
    const hours = await this.store.sla.getBusinessHours(queueId);
    const now = this.clock.now();
    return { open: isOpen(hours, now), nextOpening: nextOpening(hours, now)?.toISOString() ?? null };
  }

  listPolicies(queueId?: string): Promise<SlaPolicy[]> {
    return this.store.sla.listPolicies(queueId);
  }

  async setPolicy(queueId: string, priority: CasePriority, input: SlaPolicyInput): Promise<SlaPolicy> {
    await this.queue(queueId);
    if (!casePriorities.includes(priority)) throw invalid(`unknown priority "${priority}"`);
    const targets = [input.firstResponseMinutes, input.nextResponseMinutes, input.resolutionMinutes];
    for (const t of targets)
      if (t !== null && (!Number.isInteger(t) || t < 1 || t > 525_600))
        throw invalid('a target is a whole number of minutes from 1 to 525600 (a year), or null');
    if (targets.every((t) => t === null)) throw invalid('a policy needs at least one target');
    return this.store.sla.putPolicy({ id: newId(), queueId, priority, ...input, updatedAt: this.now() });
  }

  async deletePolicy(queueId: string, priority: CasePriority): Promise<void> {
    await this.queue(queueId);
    if (!(await this.store.sla.deletePolicy(queueId, priority)))
      throw notFound('SLA policy', `${queueId}/${priority}`);
  }

  private async withCases(timers: SlaTimer[]): Promise<SlaTimerView[]> {
    const cases = new Map<string, Case | undefined>();
    for (const t of timers)
      if (!cases.has(t.caseId)) cases.set(t.caseId, await this.store.cases.get(t.caseId));
    return timers.map((t) => {
      const kase = cases.get(t.caseId);
      return { ...t, caseNumber: kase?.number ?? null, caseSubject: kase?.subject ?? null };
    });
  }

  /** Running and paused timers (of these conversations, when given). */
  async active(conversationIds?: string[]): Promise<SlaTimerView[]> {
    const timers = conversationIds
      ? await this.store.sla.listActiveForConversations(conversationIds)
      : await this.store.sla.listActive(1_000);
    return this.withCases(timers);
  }

  async caseTimers(caseId: string): Promise<SlaTimerView[]> {
    return this.withCases(await this.store.sla.listCaseTimers(caseId));
  }

  async breaches(limit: number, since?: string): Promise<SlaTimerView[]> {
    return this.withCases(await this.store.sla.listBreached(limit, since));
  }

  /** Per queue and agent: of the timers started in the window that ended or breached, the share met in time. */
  async attainment(since: string, until: string): Promise<SlaAttainment> {
    if (!(Date.parse(since) < Date.parse(until))) throw invalid('since must be before until');
    const timers = (await this.store.sla.listTimers({ since, until })).filter(
      (t) => t.breachedAt !== null || t.status === 'met',
    );
    const figure = (list: SlaTimer[]): AttainmentFigure => {
      const breached = list.filter((t) => t.breachedAt !== null).length;
      const total = list.length;
      return {
        total,
        met: total - breached,
        breached,
        attainment: total ? (total - breached) / total : null,
      };
    };
    const group = (key: (t: SlaTimer) => string | null) => {
      const map = new Map<string, SlaTimer[]>();
      for (const t of timers) {
        const k = key(t);
        if (k) map.set(k, [...(map.get(k) ?? []), t]);
      }
      return map;
    };
    const queues = [];
    for (const [queueId, list] of group((t) => t.queueId))
      queues.push({
        queueId,
        name: (await this.store.queues.get(queueId))?.name ?? queueId,
        ...figure(list),
      });
    const agents = [];
    for (const [agentId, list] of group((t) => t.agentId))
      agents.push({
        agentId,
        name: (await this.store.agents.get(agentId))?.name ?? agentId,
        ...figure(list),
      });
    const byMetric = Object.fromEntries(
      slaMetrics.map((m) => [m, figure(timers.filter((t) => t.metric === m))]),
    ) as Record<SlaMetric, AttainmentFigure>;
    return { since, until, overall: figure(timers), byMetric, queues, agents };
  }

  /**
   * Warns of the timers that reached their warning and marks those that reached their target, each
   * claimed once across instances in the same transaction as the breach's timeline entry.
   */
  async sweep(): Promise<{ warned: number; breached: number }> {
    const now = this.now();
    const breachedTimers: SlaTimer[] = [];
    const counts = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const warned = await tx.sla.claimWarnings(now, this.options.batch);
      for (const timer of warned) emit({ type: 'sla.timer', timer, alert: 'warning' });
      const breached = await tx.sla.claimBreaches(now, this.options.batch);
      for (const timer of breached) {
        const kase = await tx.cases.get(timer.caseId);
        const entry: TimelineEntry = {
          id: newId(),
          caseId: timer.caseId,
          type: 'sla_breach',
          actor: { kind: 'system', id: null },
          data: {
            metric: timer.metric,
            targetMinutes: timer.targetMinutes,
            dueAt: timer.dueAt,
            conversationId: timer.conversationId,
            agentId: timer.agentId,
          },
          at: timer.breachedAt ?? now,
        };
        await tx.cases.addTimelineEntry(entry);
        if (kase) emit({ type: 'case.updated', case: kase, entry });
        emit({ type: 'sla.timer', timer, alert: 'breach' });
        breachedTimers.push(timer);
      }
      return { warned: warned.length, breached: breached.length };
    });
    for (const timer of breachedTimers) this.onBreach(timer);
    return counts;
  }
}
