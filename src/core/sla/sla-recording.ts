import type { Case, Conversation, Message } from '../model.ts';
import type { DomainEvent } from '../ports/event-bus.ts';
import type { Repositories } from '../ports/repositories.ts';
import type { SlaMetric, SlaTimer } from './sla.ts';
import {
  isActive,
  meetTimer,
  pauseTimer,
  resumeTimer,
  startTimer,
  stopTimer,
  targetOf,
} from './sla-timers.ts';

/** The domain events SLA clocks follow; a change without any costs no query. */
const followed: ReadonlySet<DomainEvent['type']> = new Set([
  'conversation.updated',
  'message.created',
  'case.updated',
]);

/**
 * Starts, meets, pauses and resumes the SLA clocks of what a transaction changed, in that transaction (as
 * webhook deliveries are recorded): a clock follows exactly the changes that were committed. Times are the
 * changes' own. Returns the timers it changed.
 */
export async function recordSlaTimers(tx: Repositories, events: readonly DomainEvent[]): Promise<SlaTimer[]> {
  if (!events.some((e) => followed.has(e.type))) return [];
  const changed: SlaTimer[] = [];
  for (const event of events) {
    if (event.type === 'conversation.updated')
      changed.push(...(await onConversation(tx, event.conversation)));
    else if (event.type === 'message.created')
      changed.push(...(await onMessage(tx, event.message, event.conversation)));
    else if (event.type === 'case.updated') changed.push(...(await onCase(tx, event.case)));
  }
  return changed;
}

async function save(tx: Repositories, before: SlaTimer, after: SlaTimer, out: SlaTimer[]): Promise<void> {
  if (after === before) return;
  await tx.sla.updateTimer(after);
  out.push(after);
}

async function start(
  tx: Repositories,
  kase: Case,
  conversation: Conversation,
  metric: SlaMetric,
  at: string,
  out: SlaTimer[],
): Promise<void> {
  if (!conversation.queueId) return;
  const target = targetOf(await tx.sla.getPolicy(conversation.queueId, kase.priority), metric);
  if (target === null) return;
  const hours = await tx.sla.getBusinessHours(conversation.queueId);
  const timer = startTimer(
    {
      caseId: kase.id,
      conversationId: metric === 'resolution' ? null : conversation.id,
      queueId: conversation.queueId,
      agentId: conversation.agentId,
      metric,
      targetMinutes: target,
      paused: kase.status === 'pending',
    },
    at,
    hours,
  );
  await tx.sla.addTimer(timer);
  out.push(timer);
}

async function onConversation(tx: Repositories, c: Conversation): Promise<SlaTimer[]> {
  const out: SlaTimer[] = [];
  if (!c.caseId) return out;
  const queued = c.state === 'queued' && c.queuedAt === c.updatedAt;
  const assigned = c.state === 'assigned' && c.assignedAt === c.updatedAt;
  const closed = c.state === 'closed' && c.closedAt === c.updatedAt;
  if (!queued && !assigned && !closed) return out;
  const timers = await tx.sla.listCaseTimers(c.caseId);
  if (queued) {
    const kase = await tx.cases.get(c.caseId);
    if (!kase || kase.status === 'solved' || kase.status === 'closed') return out;
    const responded = c.firstAgentReplyAt !== null;
    if (!responded && !timers.some((t) => t.metric === 'first_response' && t.conversationId === c.id))
      await start(tx, kase, c, 'first_response', c.updatedAt, out);
    if (!timers.some((t) => t.metric === 'resolution' && isActive(t)))
      await start(tx, kase, c, 'resolution', c.updatedAt, out);
    return out;
  }
  for (const timer of timers) {
    if (!isActive(timer)) continue;
    if (assigned && (timer.conversationId === c.id || timer.metric === 'resolution')) {
      // The holder is the one told of a breach.
      await save(tx, timer, { ...timer, agentId: c.agentId, updatedAt: c.updatedAt }, out);
    } else if (closed && timer.conversationId === c.id) {
      const hours = await tx.sla.getBusinessHours(timer.queueId);
      await save(tx, timer, stopTimer(timer, c.updatedAt, hours), out);
    }
  }
  return out;
}

async function onMessage(tx: Repositories, m: Message, c: Conversation): Promise<SlaTimer[]> {
  const out: SlaTimer[] = [];
  if (!c.caseId) return out;
  if (m.authorKind === 'agent') {
    for (const timer of await tx.sla.listActiveForConversations([c.id])) {
      if (timer.metric === 'resolution') continue;
      await save(tx, timer, meetTimer(timer, m.createdAt, await tx.sla.getBusinessHours(timer.queueId)), out);
    }
    return out;
  }
  // The contact wrote after an agent answered: the next response is due (one clock until it comes).
  if (m.authorKind !== 'contact' || c.state !== 'assigned' || !c.firstAgentReplyAt) return out;
  const timers = await tx.sla.listActiveForConversations([c.id]);
  if (timers.some((t) => t.metric !== 'resolution')) return out;
  const kase = await tx.cases.get(c.caseId);
  if (!kase || kase.status === 'solved' || kase.status === 'closed') return out;
  await start(tx, kase, c, 'next_response', m.createdAt, out);
  return out;
}

async function onCase(tx: Repositories, kase: Case): Promise<SlaTimer[]> {
  const out: SlaTimer[] = [];
  const at = kase.updatedAt;
  const done = kase.status === 'solved' || kase.status === 'closed';
  for (const timer of await tx.sla.listCaseTimers(kase.id)) {
    if (!isActive(timer)) continue;
    const hours = await tx.sla.getBusinessHours(timer.queueId);
    const next = done
      ? timer.metric === 'resolution'
        ? meetTimer(timer, at, hours)
        : stopTimer(timer, at, hours)
      : kase.status === 'pending'
        ? pauseTimer(timer, at, hours)
        : resumeTimer(timer, at, hours);
    await save(tx, timer, next, out);
  }
  return out;
}
