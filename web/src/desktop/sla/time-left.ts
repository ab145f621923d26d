import { SLA_WARNING_SHARE, slaMetricLabels } from '../../../../src/core/sla/sla.ts';
import { formatDuration } from '../../shared/format.ts';
import type { SlaMetric, SlaTimer } from '../../shared/types.ts';

/** Green while in time, amber from the warning (80 % of the target), red from the breach. */
export type SlaTone = 'ok' | 'warning' | 'breached';

export interface SlaClock {
  tone: SlaTone;
  /** The case is pending on the customer: the clock stands still. */
  paused: boolean;
  /** Until the breach (negative: past it). */
  leftMs: number;
}

/**
 * Where a clock stands at `now`. The server's word (warned, breached) wins over this browser's clock, which
 * may run behind the server's: a warned clock never shows more than its warning window left, a breached
 * one never shows time left.
 */
export function slaClock(timer: SlaTimer, now: number): SlaClock {
  const target = timer.targetMinutes * 60_000;
  if (timer.status !== 'running' || !timer.dueAt) {
    const leftMs = target - timer.elapsedMs;
    const tone: SlaTone =
      timer.breachedAt || leftMs <= 0
        ? 'breached'
        : timer.warnedAt || timer.elapsedMs >= target * SLA_WARNING_SHARE
          ? 'warning'
          : 'ok';
    return {
      tone,
      paused: timer.status === 'paused',
      leftMs: timer.breachedAt ? Math.min(0, leftMs) : leftMs,
    };
  }
  const due = Date.parse(timer.dueAt);
  const warn = timer.warnAt ? Date.parse(timer.warnAt) : due;
  let leftMs = due - now;
  if (timer.breachedAt) leftMs = Math.min(leftMs, 0);
  else if (timer.warnedAt) leftMs = Math.min(leftMs, due - warn);
  const tone: SlaTone = leftMs <= 0 ? 'breached' : timer.warnedAt || now >= warn ? 'warning' : 'ok';
  return { tone, paused: false, leftMs };
}

/** `4m 05s left`, `1m 10s over`: the one way the desktop tells time left on an SLA clock. */
export function formatTimeLeft(ms: number): string {
  return ms > 0 ? `${formatDuration(Math.ceil(ms / 1000))} left` : `${formatDuration(-ms / 1000)} over`;
}

/** `First response` (an unknown metric, from an older or newer server, as it is). */
export const metricLabel = (metric: SlaMetric): string => {
  const label = slaMetricLabels[metric] ?? String(metric);
  return label.charAt(0).toUpperCase() + label.slice(1);
};

/** The clock to show among several: the one nearest its breach, running before paused. */
export function mostUrgent(timers: readonly SlaTimer[], now: number): SlaTimer | null {
  let best: { timer: SlaTimer; clock: SlaClock } | null = null;
  for (const timer of timers) {
    const clock = slaClock(timer, now);
    if (
      !best ||
      (best.clock.paused && !clock.paused) ||
      (best.clock.paused === clock.paused && clock.leftMs < best.clock.leftMs)
    )
      best = { timer, clock };
  }
  return best?.timer ?? null;
}
