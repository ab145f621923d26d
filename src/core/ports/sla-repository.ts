import type { CasePriority } from '../model.ts';
import type { BusinessHours } from '../sla/business-hours.ts';
import type { SlaPolicy, SlaTimer } from '../sla/sla.ts';

export interface SlaTimerFilter {
  /** Timers that started in `[since, until)`. */
  since: string;
  until: string;
}

/** Business hours and SLA policies per queue, and the SLA timers of cases. */
export interface SlaRepository {
  getBusinessHours(queueId: string): Promise<BusinessHours | undefined>;
  listBusinessHours(): Promise<BusinessHours[]>;
  /** Creates or replaces the queue's business hours. */
  putBusinessHours(hours: BusinessHours): Promise<void>;
  /** The queue is open around the clock again; a no-op when it had none. */
  deleteBusinessHours(queueId: string): Promise<void>;

  /** By queue, then priority. */
  listPolicies(queueId?: string): Promise<SlaPolicy[]>;
  getPolicy(queueId: string, priority: CasePriority): Promise<SlaPolicy | undefined>;
  /** Creates or replaces the policy of the queue and priority (keeping the stored policy's id). */
  putPolicy(policy: SlaPolicy): Promise<SlaPolicy>;
  /** False when there was none. */
  deletePolicy(queueId: string, priority: CasePriority): Promise<boolean>;

  addTimer(timer: SlaTimer): Promise<void>;
  /** Updating a missing timer is a `not_found` DomainError. */
  updateTimer(timer: SlaTimer): Promise<void>;
  /** Every timer of the case, oldest first. */
  listCaseTimers(caseId: string): Promise<SlaTimer[]>;
  /** Running and paused timers of these conversations, oldest first. */
  listActiveForConversations(conversationIds: string[]): Promise<SlaTimer[]>;
  /** Every running and paused timer, oldest first. */
  listActive(limit: number): Promise<SlaTimer[]>;
  /** Breached timers, most recently breached first; with `since`, only those breached at or after it. */
  listBreached(limit: number, since?: string): Promise<SlaTimer[]>;
  listTimers(filter: SlaTimerFilter): Promise<SlaTimer[]>;
  /**
   * Running timers whose warning is due at `now` and not given yet: each marked warned at `now` in one
   * atomic statement, so that of several instances exactly one warns.
   */
  claimWarnings(now: string, limit: number): Promise<SlaTimer[]>;
  /** Running timers due at `now` not yet breached: each marked breached (at its due time) once, atomically. */
  claimBreaches(now: string, limit: number): Promise<SlaTimer[]>;
}
