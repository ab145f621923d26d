import { newId } from '../ids.ts';
import { addBusinessTime, type BusinessHours, businessTimeBetween } from './business-hours.ts';
import { SLA_WARNING_SHARE, type SlaMetric, type SlaPolicy, type SlaTimer } from './sla.ts';

type Hours = BusinessHours | null | undefined;
const MINUTE = 60_000;

/** The target of `metric` in a policy, in minutes; null when it sets none. */
export function targetOf(policy: SlaPolicy | undefined, metric: SlaMetric): number | null {
  if (!policy) return null;
  if (metric === 'first_response') return policy.firstResponseMinutes;
  if (metric === 'next_response') return policy.nextResponseMinutes;
  return policy.resolutionMinutes;
}

/** Warning and due instants of a run starting at `from` with `elapsedMs` already counted. */
function deadlines(
  hours: Hours,
  from: Date,
  targetMinutes: number,
  elapsedMs: number,
): Pick<SlaTimer, 'warnAt' | 'dueAt'> {
  const target = targetMinutes * MINUTE;
  const warnAt = addBusinessTime(hours, from, Math.max(0, target * SLA_WARNING_SHARE - elapsedMs));
  const dueAt = addBusinessTime(hours, from, Math.max(0, target - elapsedMs));
  return { warnAt: warnAt?.toISOString() ?? null, dueAt: dueAt?.toISOString() ?? null };
}

export interface TimerStart {
  caseId: string;
  conversationId: string | null;
  queueId: string;
  agentId: string | null;
  metric: SlaMetric;
  targetMinutes: number;
  /** The case is pending: the timer starts paused. */
  paused?: boolean;
}

export function startTimer(start: TimerStart, at: string, hours: Hours): SlaTimer {
  const timer: SlaTimer = {
    id: newId(),
    ...start,
    status: 'paused',
    startedAt: at,
    elapsedMs: 0,
    runningSince: null,
    warnAt: null,
    dueAt: null,
    warnedAt: null,
    breachedAt: null,
    endedAt: null,
    updatedAt: at,
  };
  return start.paused ? timer : resumeTimer(timer, at, hours);
}

/** Business time a timer has counted by `at`. */
export function elapsedAt(timer: SlaTimer, at: string, hours: Hours): number {
  if (timer.status !== 'running' || !timer.runningSince) return timer.elapsedMs;
  return timer.elapsedMs + businessTimeBetween(hours, new Date(timer.runningSince), new Date(at));
}

export function pauseTimer(timer: SlaTimer, at: string, hours: Hours): SlaTimer {
  if (timer.status !== 'running') return timer;
  return {
    ...timer,
    status: 'paused',
    elapsedMs: elapsedAt(timer, at, hours),
    runningSince: null,
    warnAt: null,
    dueAt: null,
    updatedAt: at,
  };
}

export function resumeTimer(timer: SlaTimer, at: string, hours: Hours): SlaTimer {
  if (timer.status !== 'paused') return timer;
  return {
    ...timer,
    status: 'running',
    runningSince: at,
    ...deadlines(hours, new Date(at), timer.targetMinutes, timer.elapsedMs),
    updatedAt: at,
  };
}

/** The response came (or the case was resolved): `met`, breached or not. */
export function meetTimer(timer: SlaTimer, at: string, hours: Hours): SlaTimer {
  if (timer.status === 'met' || timer.status === 'stopped') return timer;
  return {
    ...timer,
    status: 'met',
    elapsedMs: elapsedAt(timer, at, hours),
    runningSince: null,
    warnAt: null,
    dueAt: null,
    endedAt: at,
    updatedAt: at,
  };
}

/** Nothing to respond to any more (the conversation closed): neither met nor breached from now on. */
export function stopTimer(timer: SlaTimer, at: string, hours: Hours): SlaTimer {
  if (timer.status === 'met' || timer.status === 'stopped') return timer;
  return { ...meetTimer(timer, at, hours), status: 'stopped' };
}

export const isActive = (timer: SlaTimer): boolean => timer.status === 'running' || timer.status === 'paused';
