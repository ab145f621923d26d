import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventBus } from '../core/ports/event-bus.ts';

export type HandlerErrorSink = (error: unknown, event: DomainEvent) => void;

/** An event that names its own `n`, so that tests can tell deliveries apart. */
export const numberedEvent = (n: number): DomainEvent => ({
  type: 'outbox.enqueued',
  conversationId: `c-${n}`,
});

/**
 * The behaviour every `EventBus` must show, seen from one instance (see `in-process-event-bus.test.ts`
 * and `redis-event-bus.test.ts`). Callers rely on it: `inTransaction` publishes after the commit and the
 * desktop is told before the request that changed something returns, because `publish` resolves only
 * after this instance's subscribers ran.
 */
export function describeEventBusContract(
  name: string,
  makeBus: (onHandlerError: HandlerErrorSink) => Promise<EventBus>,
): void {
  describe(`event bus contract: ${name}`, () => {
    let bus: EventBus;
    let handlerErrors: { error: unknown; event: DomainEvent }[];

    beforeEach(async () => {
      handlerErrors = [];
      bus = await makeBus((error, event) => handlerErrors.push({ error, event }));
    });
    afterEach(async () => {
      await bus.close();
    });

    it('delivers each event once to every subscriber, in subscription order, before publish resolves', async () => {
      const seen: string[] = [];
      bus.subscribe((event) => {
        seen.push(`first:${event.type}`);
      });
      bus.subscribe((event) => {
        seen.push(`second:${event.type}`);
      });
      await bus.publish(numberedEvent(1));
      expect(seen).toEqual(['first:outbox.enqueued', 'second:outbox.enqueued']);
    });

    it('waits for asynchronous subscribers before publish resolves', async () => {
      let finished = false;
      bus.subscribe(async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        finished = true;
      });
      await bus.publish(numberedEvent(1));
      expect(finished).toBe(true);
    });

    it('delivers events in the order they were published', async () => {
      const seen: DomainEvent[] = [];
      bus.subscribe((event) => {
        seen.push(event);
      });
      for (let n = 1; n <= 20; n++) await bus.publish(numberedEvent(n));
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => numberedEvent(i + 1)));
    });

    it('passes the event through unchanged', async () => {
      const event: DomainEvent = {
        type: 'case.updated',
        case: {
          id: 'case-1',
          number: 1042,
          kind: 'bug',
          status: 'open',
          priority: 'high',
          subject: 'Crash on start — «Ошибка» ✓',
          contactId: null,
          assigneeId: null,
          tags: ['crash'],
          fields: { steps: 'open the game' },
          rating: null,
          votes: 3,
          openedBy: { kind: 'contact', id: 'contact-1' },
          postUrl: 'https://discord.com/channels/1/2/3',
          createdAt: '2025-01-02T03:04:05.000Z',
          updatedAt: '2025-01-02T03:04:06.000Z',
        },
        entry: null,
      };
      const seen: DomainEvent[] = [];
      bus.subscribe((e) => {
        seen.push(e);
      });
      await bus.publish(event);
      expect(seen).toEqual([event]);
    });

    it('keeps delivering to the other subscribers when one throws, reports it, and publish does not throw', async () => {
      const seen: string[] = [];
      bus.subscribe(() => {
        throw new Error('subscriber broke');
      });
      bus.subscribe(async () => {
        await Promise.resolve();
        throw new Error('async subscriber broke');
      });
      bus.subscribe((event) => {
        seen.push(event.type);
      });
      await expect(bus.publish(numberedEvent(1))).resolves.toBeUndefined();
      expect(seen).toEqual(['outbox.enqueued']);
      expect(handlerErrors.map(({ error }) => (error as Error).message)).toEqual([
        'subscriber broke',
        'async subscriber broke',
      ]);
      expect(handlerErrors.map(({ event }) => event)).toEqual([numberedEvent(1), numberedEvent(1)]);
    });

    it('stops delivering to a subscriber that unsubscribed, and only to that one', async () => {
      const left: DomainEvent[] = [];
      const stayed: DomainEvent[] = [];
      const unsubscribe = bus.subscribe((event) => {
        left.push(event);
      });
      bus.subscribe((event) => {
        stayed.push(event);
      });
      await bus.publish(numberedEvent(1));
      unsubscribe();
      await bus.publish(numberedEvent(2));
      expect(left).toEqual([numberedEvent(1)]);
      expect(stayed).toEqual([numberedEvent(1), numberedEvent(2)]);
    });

    it('delivers nothing after close, and publishing then does not throw', async () => {
      const seen: DomainEvent[] = [];
      bus.subscribe((event) => {
        seen.push(event);
      });
      await bus.close();
      await expect(bus.publish(numberedEvent(1))).resolves.toBeUndefined();
      expect(seen).toEqual([]);
    });
  });
}
