import type { Selectable } from 'kysely';
import type { CasePriority } from '../core/model.ts';
import type { SlaRepository, SlaTimerFilter } from '../core/ports/sla-repository.ts';
import type { BusinessHours, OpeningInterval } from '../core/sla/business-hours.ts';
import type { SlaMetric, SlaPolicy, SlaTimer, SlaTimerStatus } from '../core/sla/sla.ts';
import { engineOf } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson } from './db-scope.ts';

export interface SlaBusinessHoursTable {
  queue_id: string;
  time_zone: string;
  /** JSON array of `{ day, open, close }`. */
  weekly: string;
  /** JSON array of local dates. */
  holidays: string;
  updated_at: string;
}

export interface SlaPolicyTable {
  id: string;
  queue_id: string;
  priority: string;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  updated_at: string;
}

export interface SlaTimerTable {
  id: string;
  case_id: string;
  conversation_id: string | null;
  queue_id: string;
  agent_id: string | null;
  metric: string;
  target_minutes: number;
  status: string;
  started_at: string;
  /** bigint: PostgreSQL returns it as a string. */
  elapsed_ms: number | string;
  running_since: string | null;
  warn_at: string | null;
  due_at: string | null;
  warned_at: string | null;
  breached_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

const hoursFromRow = (r: Selectable<SlaBusinessHoursTable>): BusinessHours => ({
  queueId: r.queue_id,
  timeZone: r.time_zone,
  weekly: fromJson<OpeningInterval[]>(r.weekly),
  holidays: fromJson<string[]>(r.holidays),
  updatedAt: r.updated_at,
});

const minutes = (v: number | null): number | null => (v === null ? null : Number(v));

const policyFromRow = (r: Selectable<SlaPolicyTable>): SlaPolicy => ({
  id: r.id,
  queueId: r.queue_id,
  priority: r.priority as CasePriority,
  firstResponseMinutes: minutes(r.first_response_minutes),
  nextResponseMinutes: minutes(r.next_response_minutes),
  resolutionMinutes: minutes(r.resolution_minutes),
  updatedAt: r.updated_at,
});

const timerFromRow = (r: Selectable<SlaTimerTable>): SlaTimer => ({
  id: r.id,
  caseId: r.case_id,
  conversationId: r.conversation_id,
  queueId: r.queue_id,
  agentId: r.agent_id,
  metric: r.metric as SlaMetric,
  targetMinutes: Number(r.target_minutes),
  status: r.status as SlaTimerStatus,
  startedAt: r.started_at,
  elapsedMs: Number(r.elapsed_ms),
  runningSince: r.running_since,
  warnAt: r.warn_at,
  dueAt: r.due_at,
  warnedAt: r.warned_at,
  breachedAt: r.breached_at,
  endedAt: r.ended_at,
  updatedAt: r.updated_at,
});

const timerToRow = (t: SlaTimer) => ({
  id: t.id,
  case_id: t.caseId,
  conversation_id: t.conversationId,
  queue_id: t.queueId,
  agent_id: t.agentId,
  metric: t.metric,
  target_minutes: t.targetMinutes,
  status: t.status,
  started_at: t.startedAt,
  elapsed_ms: Math.round(t.elapsedMs),
  running_since: t.runningSince,
  warn_at: t.warnAt,
  due_at: t.dueAt,
  warned_at: t.warnedAt,
  breached_at: t.breachedAt,
  ended_at: t.endedAt,
  updated_at: t.updatedAt,
});

const active: SlaTimerStatus[] = ['running', 'paused'];

export class KyselySlaRepository implements SlaRepository {
  constructor(private readonly scope: DbScope) {}

  async getBusinessHours(queueId: string): Promise<BusinessHours | undefined> {
    const row = await this.scope.db
      .selectFrom('sla_business_hours')
      .selectAll()
      .where('queue_id', '=', queueId)
      .executeTakeFirst();
    return row && hoursFromRow(row);
  }

  async listBusinessHours(): Promise<BusinessHours[]> {
    const rows = await this.scope.db
      .selectFrom('sla_business_hours')
      .selectAll()
      .orderBy('queue_id')
      .execute();
    return rows.map(hoursFromRow);
  }

  async putBusinessHours(hours: BusinessHours): Promise<void> {
    const row = {
      queue_id: hours.queueId,
      time_zone: hours.timeZone,
      weekly: toJson(hours.weekly),
      holidays: toJson(hours.holidays),
      updated_at: hours.updatedAt,
    };
    const { queue_id: _id, ...rest } = row;
    await this.scope.db
      .insertInto('sla_business_hours')
      .values(row)
      .onConflict((oc) => oc.column('queue_id').doUpdateSet(rest))
      .execute();
  }

  async deleteBusinessHours(queueId: string): Promise<void> {
    await this.scope.db.deleteFrom('sla_business_hours').where('queue_id', '=', queueId).execute();
  }

  async listPolicies(queueId?: string): Promise<SlaPolicy[]> {
    const rows = await this.scope.db
      .selectFrom('sla_policies')
      .selectAll()
      .$if(queueId !== undefined, (qb) => qb.where('queue_id', '=', queueId ?? ''))
      .orderBy('queue_id')
      .orderBy('priority')
      .execute();
    return rows.map(policyFromRow);
  }

  async getPolicy(queueId: string, priority: CasePriority): Promise<SlaPolicy | undefined> {
    const row = await this.scope.db
      .selectFrom('sla_policies')
      .selectAll()
      .where('queue_id', '=', queueId)
      .where('priority', '=', priority)
      .executeTakeFirst();
    return row && policyFromRow(row);
  }

  async putPolicy(policy: SlaPolicy): Promise<SlaPolicy> {
    const targets = {
      first_response_minutes: policy.firstResponseMinutes,
      next_response_minutes: policy.nextResponseMinutes,
      resolution_minutes: policy.resolutionMinutes,
      updated_at: policy.updatedAt,
    };
    const row = await this.scope.db
      .insertInto('sla_policies')
      .values({ id: policy.id, queue_id: policy.queueId, priority: policy.priority, ...targets })
      .onConflict((oc) => oc.columns(['queue_id', 'priority']).doUpdateSet(targets))
      .returningAll()
      .executeTakeFirstOrThrow();
    return policyFromRow(row);
  }

  async deletePolicy(queueId: string, priority: CasePriority): Promise<boolean> {
    const result = await this.scope.db
      .deleteFrom('sla_policies')
      .where('queue_id', '=', queueId)
      .where('priority', '=', priority)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async addTimer(timer: SlaTimer): Promise<void> {
    await this.scope.db.insertInto('sla_timers').values(timerToRow(timer)).execute();
  }

  async updateTimer(timer: SlaTimer): Promise<void> {
    const { id, ...row } = timerToRow(timer);
    const result = await this.scope.db
      .updateTable('sla_timers')
      .set(row)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'SLA timer', id);
  }

  async listCaseTimers(caseId: string): Promise<SlaTimer[]> {
    const rows = await this.scope.db
      .selectFrom('sla_timers')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(timerFromRow);
  }

  async listActiveForConversations(conversationIds: string[]): Promise<SlaTimer[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.scope.db
      .selectFrom('sla_timers')
      .selectAll()
      .where('conversation_id', 'in', conversationIds)
      .where('status', 'in', active)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(timerFromRow);
  }

  async listActive(limit: number): Promise<SlaTimer[]> {
    const rows = await this.scope.db
      .selectFrom('sla_timers')
      .selectAll()
      .where('status', 'in', active)
      .orderBy('started_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(timerFromRow);
  }

  async listBreached(limit: number, since?: string): Promise<SlaTimer[]> {
    const rows = await this.scope.db
      .selectFrom('sla_timers')
      .selectAll()
      .where('breached_at', 'is not', null)
      .$if(since !== undefined, (qb) => qb.where('breached_at', '>=', since ?? ''))
      .orderBy('breached_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(timerFromRow);
  }

  async listTimers({ since, until }: SlaTimerFilter): Promise<SlaTimer[]> {
    const rows = await this.scope.db
      .selectFrom('sla_timers')
      .selectAll()
      .where('started_at', '>=', since)
      .where('started_at', '<', until)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(timerFromRow);
  }

  /**
   * One guarded statement each, as the outbox's claim: SQLite's UPDATE takes the write lock before it reads;
   * on PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED and the update re-checks the guard.
   */
  async claimWarnings(now: string, limit: number): Promise<SlaTimer[]> {
    const db = this.scope.db;
    const candidates = db
      .selectFrom('sla_timers')
      .select('id')
      .where('status', '=', 'running')
      .where('warned_at', 'is', null)
      .where('breached_at', 'is', null)
      .where('warn_at', '<=', now)
      .orderBy('warn_at')
      .limit(limit)
      .$if(engineOf(db) === 'postgres', (qb) => qb.forUpdate().skipLocked());
    const rows = await db
      .updateTable('sla_timers')
      .set({ warned_at: now })
      .where('id', 'in', candidates)
      .where('warned_at', 'is', null)
      .returningAll()
      .execute();
    return rows.map(timerFromRow).sort((a, b) => (a.warnAt ?? '').localeCompare(b.warnAt ?? ''));
  }

  async claimBreaches(now: string, limit: number): Promise<SlaTimer[]> {
    const db = this.scope.db;
    const candidates = db
      .selectFrom('sla_timers')
      .select('id')
      .where('status', '=', 'running')
      .where('breached_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit)
      .$if(engineOf(db) === 'postgres', (qb) => qb.forUpdate().skipLocked());
    const rows = await db
      .updateTable('sla_timers')
      .set((eb) => ({ breached_at: eb.ref('due_at'), updated_at: now }))
      .where('id', 'in', candidates)
      .where('breached_at', 'is', null)
      .returningAll()
      .execute();
    return rows.map(timerFromRow).sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
  }
}
