import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, ThrowawayRedis } from '../../test/faults/throwaway-redis.ts';
import type { DomainEvent } from '../core/ports/event-bus.ts';
import { describeEventBusContract, numberedEvent } from './event-bus-contract.ts';
import { RedisEventBus, type RedisEventBusLog } from './redis-event-bus.ts';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.log('Skipping the Redis event bus tests on a shared Redis: TEST_REDIS_URL is not set');

const found = ThrowawayRedis.find();
const redisServer = 'binary' in found ? found.binary : null;
if (!redisServer) console.log(`Skipping the Redis outage test: ${(found as { missing: string }).missing}`);

/** A prefix of its own, so that parallel runs on one Redis never hear each other. */
const freshPrefix = () => `switchboard-test-${randomUUID()}`;

interface LogLine {
  level: 'info' | 'warn' | 'error';
  context: Record<string, unknown>;
  message: string;
}
function recordingLog(): RedisEventBusLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (context, message) => lines.push({ level: 'info', context, message }),
    warn: (context, message) => lines.push({ level: 'warn', context, message }),
    error: (context, message) => lines.push({ level: 'error', context, message }),
  };
}

/** Collects what one subscriber receives; `next(predicate)` waits for a matching event. */
function collector(bus: RedisEventBus) {
  const seen: DomainEvent[] = [];
  const waiters = new Set<() => void>();
  bus.subscribe((event) => {
    seen.push(event);
    for (const wake of [...waiters]) wake();
  });
  const next = (predicate: (event: DomainEvent) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!seen.some(predicate)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { seen, next };
}
const isEvent = (expected: DomainEvent) => (event: DomainEvent) =>
  JSON.stringify(event) === JSON.stringify(expected);

const buses: RedisEventBus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});
async function open(url: string, prefix: string, log: RedisEventBusLog = recordingLog()) {
  const bus = await RedisEventBus.connect({ url, prefix, log });
  buses.push(bus);
  return bus;
}

describe.skipIf(!redisUrl)('Redis event bus on a shared Redis', () => {
  const url = redisUrl ?? '';

  describeEventBusContract('redis', async (onHandlerError) => {
    const bus = await RedisEventBus.connect({ url, prefix: freshPrefix(), onHandlerError });
    return bus;
  });

  it('delivers an event published on one instance exactly once to the subscribers of both', async () => {
    const prefix = freshPrefix();
    const a = await open(url, prefix);
    const b = await open(url, prefix);
    const onA = collector(a);
    const onB = collector(b);
    const message: DomainEvent = {
      type: 'message.created',
      message: {
        id: 'm-1',
        conversationId: 'conv-1',
        authorKind: 'contact',
        authorId: 'contact-1',
        text: 'مرحبا — <b>not markup</b> 👋',
        attachments: [{ url: 'https://example.test/a.png', name: 'a.png', contentType: 'image/png' }],
        articles: [],
        externalId: '1234567890',
        createdAt: '2025-01-02T03:04:05.000Z',
      },
      conversation: {
        id: 'conv-1',
        contactId: 'contact-1',
        channel: 'discord',
        state: 'queued',
        address: { channelId: '42' },
        queueId: 'q-1',
        agentId: null,
        caseId: 'case-1',
        language: 'ar',
        wrapUpNote: null,
        queuedAt: '2025-01-02T03:04:05.000Z',
        assignedAt: null,
        firstAgentReplyAt: null,
        closedAt: null,
        createdAt: '2025-01-02T03:04:00.000Z',
        updatedAt: '2025-01-02T03:04:05.000Z',
      },
    };
    await a.publish(message);
    // The publisher's own subscribers have it when publish resolves, as with one instance.
    expect(onA.seen).toEqual([message]);
    await onB.next(isEvent(message));
    // A marker sent from b reaches a after anything a's own message could have echoed back to a.
    const marker = numberedEvent(99);
    await b.publish(marker);
    await onA.next(isEvent(marker));
    expect(onA.seen).toEqual([message, marker]);
    expect(onB.seen).toEqual([message, marker]);
  });

  it('keeps instances with another prefix apart', async () => {
    const a = await open(url, freshPrefix());
    const other = await open(url, freshPrefix());
    const onOther = collector(other);
    await a.publish(numberedEvent(1));
    // Sent after a's event on the same Redis: when other hears its own marker through a, a's event is past.
    const listener = await open(url, other.channel.replace(/:events$/, ''));
    const marker = numberedEvent(2);
    await listener.publish(marker);
    await onOther.next(isEvent(marker));
    expect(onOther.seen).toEqual([marker]);
  });

  it('ignores an unreadable message on the channel and says so in the log', async () => {
    const prefix = freshPrefix();
    const log = recordingLog();
    const bus = await open(url, prefix, log);
    const onBus = collector(bus);
    const sender = await open(url, prefix);
    // A message that is not an event (another program on the same channel, a bug).
    const { Redis } = await import('ioredis');
    const client = new Redis(url);
    try {
      await client.publish(bus.channel, '{"not":"an event"}');
      await client.publish(bus.channel, JSON.stringify({ v: 1, origin: 'x', event: { type: 'nope' } }));
    } finally {
      await client.quit();
    }
    const marker = numberedEvent(7);
    await sender.publish(marker);
    await onBus.next(isEvent(marker));
    expect(onBus.seen).toEqual([marker]);
    expect(log.lines.map((line) => line.message)).toEqual([
      'unreadable event on the Redis channel ignored',
      'event of an unknown type from another instance ignored',
    ]);
    expect(log.lines[1]?.context.event).toBe('nope');
  });
});

describe.skipIf(!redisServer)('Redis event bus through a Redis outage', () => {
  let server: ThrowawayRedis | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('reconnects and resubscribes by itself after Redis restarts, without throwing or logging the password', async () => {
    const password = `pw-${randomUUID()}`;
    server = await ThrowawayRedis.create(redisServer ?? '', { password });
    await server.start();
    const url = server.url;
    const prefix = freshPrefix();
    const logA = recordingLog();
    const logB = recordingLog();
    const a = await open(url, prefix, logA);
    const b = await open(url, prefix, logB);
    const onA = collector(a);
    const onB = collector(b);

    await a.publish(numberedEvent(1));
    await onB.next(isEvent(numberedEvent(1)));

    await server.stop('SIGKILL');
    await vi.waitFor(
      () => {
        expect(a.health().status).toBe('reconnecting');
        expect(b.health().status).toBe('reconnecting');
      },
      { timeout: 10_000 },
    );
    // During the outage this instance's own subscribers are still told at once, and publish does not throw.
    await expect(a.publish(numberedEvent(2))).resolves.toBeUndefined();
    expect(onA.seen).toContainEqual(numberedEvent(2));

    await server.start();
    await Promise.all([a.ready(20_000), b.ready(20_000)]);
    await a.publish(numberedEvent(3));
    await onB.next(isEvent(numberedEvent(3)));
    await b.publish(numberedEvent(4));
    await onA.next(isEvent(numberedEvent(4)));
    // Each event at most once on each instance, whatever happened to event 2 during the outage.
    for (const seen of [onA.seen, onB.seen]) {
      for (const n of [1, 2, 3, 4]) {
        expect(seen.filter(isEvent(numberedEvent(n))).length).toBeLessThanOrEqual(1);
      }
    }
    expect(onA.seen).toContainEqual(numberedEvent(1));
    expect(onB.seen).toContainEqual(numberedEvent(4));

    for (const log of [logA, logB]) {
      expect(log.lines.some((line) => line.level === 'error' && /lost Redis/.test(line.message))).toBe(true);
      expect(log.lines.some((line) => line.level === 'info' && /reconnected/.test(line.message))).toBe(true);
      expect(JSON.stringify(log.lines)).not.toContain(password);
    }
  });

  it('fails to connect with a clear error naming the server, not its password, when Redis is not there', async () => {
    const port = await freePort();
    const password = `pw-${randomUUID()}`;
    const attempt = RedisEventBus.connect({
      url: `redis://:${password}@127.0.0.1:${port}`,
      connectTimeoutMs: 500,
    });
    const error = await attempt.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(`Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}.* did not answer`),
    );
    expect(error?.message).not.toContain(password);
  });
});
