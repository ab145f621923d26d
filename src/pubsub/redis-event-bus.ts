import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type {
  DomainEvent,
  DomainEventType,
  EventBus,
  EventBusHealth,
  EventHandler,
} from '../core/ports/event-bus.ts';

export interface RedisEventBusLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export interface RedisEventBusOptions {
  /** `redis://…` or `rediss://…`; its password never reaches a log line. */
  url: string;
  /** Channel name prefix; instances that should hear each other share it (tests isolate with their own). */
  prefix: string;
  log: RedisEventBusLog;
  /** A subscriber that threw: reported, never rethrown (the port's contract). */
  onHandlerError: (error: unknown, event: DomainEvent) => void;
  /** How long `connect()` waits for the first subscription before start-up fails. */
  connectTimeoutMs: number;
}

export const defaultRedisEventBusOptions = {
  prefix: 'switchboard',
  log: { info: () => {}, warn: () => {}, error: () => {} },
  onHandlerError: () => {},
  connectTimeoutMs: 10_000,
} as const satisfies Omit<RedisEventBusOptions, 'url'>;

export const redisEventBusStates = ['connecting', 'connected', 'reconnecting', 'closed'] as const;
export type RedisEventBusState = (typeof redisEventBusStates)[number];

/** Every event type the port knows; `satisfies` makes a new type in the port fail to compile here until added. */
const knownEventTypes = {
  'conversation.updated': true,
  'message.created': true,
  'message.delivery': true,
  'reservation.created': true,
  'reservation.updated': true,
  'case.created': true,
  'case.updated': true,
  'agent.updated': true,
  'agent.access_ended': true,
  'outbox.enqueued': true,
  'webhooks.enqueued': true,
  'bot_texts.changed': true,
  'admin.notice': true,
  'channel.push': true,
  'note.created': true,
  'agent.viewing': true,
  'sla.timer': true,
} as const satisfies Record<DomainEventType, true>;

/** What travels on the channel: the event and the instance that published it. */
const envelopeSchema = z.object({
  v: z.literal(1),
  origin: z.string().min(1),
  event: z.looseObject({ type: z.string() }),
});

/**
 * The event bus for many instances. `publish` delivers to this instance's subscribers at once and
 * awaits them (as the in-process bus does, which callers rely on), then sends the event to the
 * Redis channel; every other instance delivers what arrives there, and each instance skips its own
 * messages by their origin id, so nobody hears an event twice. Redis pub/sub is at most once: an
 * event published while an instance is disconnected from Redis does not reach that instance.
 * A Redis outage never throws out of `publish` and never stops the process: it is logged, and the
 * bus reconnects and subscribes again by itself.
 */
export class RedisEventBus implements EventBus {
  /** Tags this instance's messages so that it does not deliver them a second time. */
  readonly instanceId = randomUUID();
  readonly channel: string;
  private readonly options: RedisEventBusOptions;
  private readonly handlers = new Set<EventHandler>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private status: RedisEventBusState = 'connecting';
  private publisherUp = false;
  private subscribed = false;
  /** Remote events are delivered one after another, in the order Redis sent them. */
  private remoteQueue: Promise<void> = Promise.resolve();
  /** Publishes handed to Redis and not yet answered; `close()` lets them finish. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly readyWaiters = new Set<() => void>();
  /** The last connection failure logged, so that one outage gives one line, not one per retry. */
  private lastLoggedFailure: string | null = null;

  constructor(options: Partial<RedisEventBusOptions> & { url: string }) {
    this.options = { ...defaultRedisEventBusOptions, ...options };
    this.channel = `${this.options.prefix}:events`;
    const common = {
      // Subscribing again is done in `onSubscriberReady`, so that "connected" means "subscribed".
      autoResubscribe: false,
      lazyConnect: false,
    };
    this.publisher = new Redis(this.options.url, { ...common, connectionName: 'switchboard-publish' });
    this.subscriber = new Redis(this.options.url, { ...common, connectionName: 'switchboard-subscribe' });
    for (const [role, connection] of [
      ['publish', this.publisher],
      ['subscribe', this.subscriber],
    ] as const) {
      connection.on('error', (error: Error) => this.onConnectionError(role, error));
    }
    this.publisher.on('ready', () => {
      this.publisherUp = true;
      this.updateStatus();
    });
    this.publisher.on('close', () => {
      this.publisherUp = false;
      this.updateStatus();
    });
    this.subscriber.on('ready', () => this.onSubscriberReady());
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.updateStatus();
    });
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.onRemoteMessage(raw);
    });
  }

  /** A bus that is subscribed, or a clear error naming the Redis server (not its password) when it is not reachable in time. */
  static async connect(options: Partial<RedisEventBusOptions> & { url: string }): Promise<RedisEventBus> {
    const bus = new RedisEventBus(options);
    try {
      await bus.ready(bus.options.connectTimeoutMs);
      return bus;
    } catch (error) {
      await bus.close();
      throw error;
    }
  }

  /** Resolves once the bus is subscribed to its channel (at once when it already is). */
  ready(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    if (this.status === 'connected') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        reject(
          new Error(
            `Redis at ${redactUrl(this.options.url)} did not answer within ${timeoutMs} ms` +
              (this.lastLoggedFailure ? ` (${this.lastLoggedFailure})` : ''),
          ),
        );
      }, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  /** For health and readiness: `connected` only while both connections are up and the channel is subscribed. */
  health(): EventBusHealth & { status: RedisEventBusState } {
    return {
      component: 'redis',
      status: this.status,
      detail: this.status === 'connected' ? null : (this.lastLoggedFailure ?? this.status),
    };
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.deliver(event);
    if (this.status === 'closed') return;
    const message = JSON.stringify({ v: 1, origin: this.instanceId, event });
    // Not awaited by the caller: a Redis outage must not hold up the request that caused the event.
    // ioredis keeps the command while reconnecting and sends it when Redis is back (or gives up and we log).
    const sent = this.publisher.publish(this.channel, message).catch((error: unknown) => {
      this.options.log.warn(
        { event: event.type, redis: redactUrl(this.options.url), reason: errorMessage(error) },
        'event not sent to other instances',
      );
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.status === 'closed') return;
    this.status = 'closed';
    this.handlers.clear();
    // QUIT goes out after the publishes already sent, so those still reach Redis.
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
    await Promise.allSettled([...this.inFlight]);
    await this.remoteQueue;
  }

  /** Runs every local subscriber in subscription order; a failing one is reported and the others still run. */
  private async deliver(event: DomainEvent): Promise<void> {
    for (const handler of [...this.handlers]) {
      try {
        await handler(event);
      } catch (error) {
        this.options.onHandlerError(error, event);
      }
    }
  }

  private onRemoteMessage(raw: string): void {
    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(JSON.parse(raw));
    } catch (error) {
      this.options.log.warn(
        { channel: this.channel, bytes: raw.length, reason: errorMessage(error) },
        'unreadable event on the Redis channel ignored',
      );
      return;
    }
    if (envelope.origin === this.instanceId) return;
    if (!Object.hasOwn(knownEventTypes, envelope.event.type)) {
      // A newer instance during a rolling upgrade may publish types this one does not know.
      this.options.log.warn(
        { channel: this.channel, event: envelope.event.type, origin: envelope.origin },
        'event of an unknown type from another instance ignored',
      );
      return;
    }
    const event = envelope.event as DomainEvent;
    this.remoteQueue = this.remoteQueue.then(() => this.deliver(event));
  }

  private onSubscriberReady(): void {
    if (this.status === 'closed') return;
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.subscribed = true;
        this.updateStatus();
      },
      (error: unknown) => this.onConnectionError('subscribe', error),
    );
  }

  private updateStatus(): void {
    if (this.status === 'closed') return;
    const up = this.publisherUp && this.subscribed;
    if (up && this.status !== 'connected') {
      if (this.status === 'reconnecting')
        this.options.log.info({ redis: redactUrl(this.options.url) }, 'event bus reconnected to Redis');
      this.status = 'connected';
      this.lastLoggedFailure = null;
      for (const waiter of [...this.readyWaiters]) waiter();
    } else if (!up && this.status === 'connected') {
      this.status = 'reconnecting';
      // Said on the transition itself: a Redis that comes back quickly may never raise an 'error'.
      if (this.lastLoggedFailure === null) this.logLost('connection closed');
    }
  }

  private onConnectionError(role: 'publish' | 'subscribe', error: unknown): void {
    if (this.status === 'closed') return;
    const reason = errorMessage(error);
    if (reason === this.lastLoggedFailure) return;
    this.logLost(reason, role);
  }

  private logLost(reason: string, role?: 'publish' | 'subscribe'): void {
    this.lastLoggedFailure = reason;
    this.options.log.error(
      { redis: redactUrl(this.options.url), ...(role ? { connection: role } : {}), reason },
      'event bus lost Redis; retrying (events reach only this instance meanwhile)',
    );
  }
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    await connection.quit().catch(() => connection.disconnect());
  } else {
    // Not connected: `quit` would wait for a connection that may never come.
    connection.disconnect();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL with its password masked, for log lines and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
