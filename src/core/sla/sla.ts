import type { CasePriority } from '../model.ts';

/**
 * Service-level agreements: per queue and case priority, how long the first response, each next response
 * (the contact wrote after an agent) and the resolution may take, in business minutes.
 */
export const slaMetrics = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof slaMetrics)[number];

export interface SlaPolicy {
  id: string;
  queueId: string;
  priority: CasePriority;
  /** Business minutes; null: no target for this metric. */
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  updatedAt: string;
}

/** `running` counts business time; `paused` while the case is pending; `met` and `stopped` are final. */
export const slaTimerStatuses = ['running', 'paused', 'met', 'stopped'] as const;
export type SlaTimerStatus = (typeof slaTimerStatuses)[number];

/** One clock of one metric on a case (and its conversation). A breach is marked on it, once. */
export interface SlaTimer {
  id: string;
  caseId: string;
  conversationId: string | null;
  queueId: string;
  /** The agent holding the conversation (the one notified), if any. */
  agentId: string | null;
  metric: SlaMetric;
  targetMinutes: number;
  status: SlaTimerStatus;
  startedAt: string;
  /** Business time counted before the current run (runs end at pauses), in ms. */
  elapsedMs: number;
  /** Start of the current run; null unless `running`. */
  runningSince: string | null;
  /** While running: when the warning is due (80 % of the target) and when it breaches; null otherwise or never. */
  warnAt: string | null;
  dueAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  /** When it ended (`met` or `stopped`). */
  endedAt: string | null;
  updatedAt: string;
}

/** The share of the target after which a running timer warns (amber). */
export const SLA_WARNING_SHARE = 0.8;

export const slaMetricLabels: Record<SlaMetric, string> = {
  first_response: 'first response',
  next_response: 'next response',
  resolution: 'resolution',
};
