import type { DomainEvent, EventBus } from './ports/event-bus.ts';
import type { Repositories, Store } from './ports/repositories.ts';
import { recordSlaTimers } from './sla/sla-recording.ts';
import { recordWebhookDeliveries } from './webhooks/webhook-events.ts';

export type Emit = (event: DomainEvent) => void;

/**
 * Runs `work` in one transaction and publishes the events it emitted only after the commit,
 * so that nobody is told of a change that was rolled back. The webhook deliveries of those events are
 * written in the same transaction, so an integrator hears of exactly the changes that were committed.
 */
export function inTransaction<T>(
  store: Store,
  bus: EventBus,
  work: (tx: Repositories, emit: Emit) => Promise<T>,
): Promise<T> {
  return runUnit((unit) => store.transaction(unit), bus, work);
}

/**
 * `inTransaction` whose transaction may share its commit with concurrent ones (`Store.groupedTransaction`):
 * for the short, database-only work that many callers run at once, such as storing inbound messages.
 * The webhook deliveries go in the caller's own part (its savepoint): undone with it alone.
 */
export function inGroupedTransaction<T>(
  store: Store,
  bus: EventBus,
  work: (tx: Repositories, emit: Emit) => Promise<T>,
): Promise<T> {
  return runUnit((unit) => store.groupedTransaction(unit), bus, work);
}

/** `work` inside `transaction`, with what its events require written before the commit and published after it. */
async function runUnit<T>(
  transaction: (unit: (tx: Repositories) => Promise<T>) => Promise<T>,
  bus: EventBus,
  work: (tx: Repositories, emit: Emit) => Promise<T>,
): Promise<T> {
  const events: DomainEvent[] = [];
  const result = await transaction(async (tx) => {
    const done = await work(tx, (event) => events.push(event));
    await beforeCommit(tx, events);
    return done;
  });
  for (const event of events) await bus.publish(event);
  return result;
}

/** Written in the same transaction as the events: their SLA timers and their webhook deliveries. */
async function beforeCommit(tx: Repositories, events: DomainEvent[]): Promise<void> {
  for (const timer of await recordSlaTimers(tx, events))
    events.push({ type: 'sla.timer', timer, alert: null });
  if (await recordWebhookDeliveries(tx, events)) events.push({ type: 'webhooks.enqueued' });
}
