import type { DomainEvent, EventBus } from './ports/event-bus.ts';
import type { Repositories, Store } from './ports/repositories.ts';

export type Emit = (event: DomainEvent) => void;

/**
 * Runs `work` in one transaction and publishes the events it emitted only after the commit,
 * so that nobody is told of a change that was rolled back.
 */
export async function inTransaction<T>(
  store: Store,
  bus: EventBus,
  work: (tx: Repositories, emit: Emit) => Promise<T>,
): Promise<T> {
  const events: DomainEvent[] = [];
  const result = await store.transaction((tx) => work(tx, (event) => events.push(event)));
  for (const event of events) await bus.publish(event);
  return result;
}
