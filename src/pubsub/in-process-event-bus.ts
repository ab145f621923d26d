import type { DomainEvent, EventBus, EventHandler } from '../core/ports/event-bus.ts';

/** The single-process event bus (default). Handlers run in subscription order; a failing handler is logged, not rethrown. */
export class InProcessEventBus implements EventBus {
  private readonly handlers = new Set<EventHandler>();

  constructor(private readonly onHandlerError: (error: unknown, event: DomainEvent) => void = () => {}) {}

  async publish(event: DomainEvent): Promise<void> {
    for (const handler of [...this.handlers]) {
      try {
        await handler(event);
      } catch (error) {
        this.onHandlerError(error, event);
      }
    }
  }

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
