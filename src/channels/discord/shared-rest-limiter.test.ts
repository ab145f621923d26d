import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { REST, type RESTOptions, Routes } from 'discord.js';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../../test/support/discord-emulator/discord-emulator.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import { discordRateLimitedCounts, discordRouteOf, SharedRestLimiter } from './shared-rest-limiter.ts';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.log('Skipping the shared Discord rate-limit tests: TEST_REDIS_URL is not set');

const MESSAGES = 'POST /channels/:channel_id/messages';

describe('discordRouteOf', () => {
  it('buckets requests as discord.js does: route with ids replaced, channel or guild as major parameter', () => {
    const api = 'http://127.0.0.1:1/api/v10';
    expect(discordRouteOf('post', `${api}/channels/123456789012345678/messages?x=1`)).toEqual({
      route: 'POST /channels/:id/messages',
      major: '123456789012345678',
      interaction: false,
    });
    expect(discordRouteOf('PATCH', `${api}/channels/123456789012345678/messages/223456789012345678`)).toEqual(
      { route: 'PATCH /channels/:id/messages/:id', major: '123456789012345678', interaction: false },
    );
    // The bot's DM channels: one bucket for every member.
    expect(discordRouteOf('POST', `${api}/users/@me/channels`)).toEqual({
      route: 'POST /users/@me/channels',
      major: 'global',
      interaction: false,
    });
    expect(discordRouteOf('POST', `${api}/interactions/123456789012345678/a.token-x/callback`)).toMatchObject(
      {
        route: 'POST /interactions/:id/:token/callback',
        interaction: true,
      },
    );
    expect(
      discordRouteOf('PATCH', `${api}/webhooks/123456789012345678/a.token/messages/@original`),
    ).toMatchObject({ route: 'PATCH /webhooks/:id/:token/messages/@original', interaction: true });
  });
});

/**
 * Two discord.js REST managers stand for two instances of one bot; each has its own limiter, and the
 * limiters share a Redis prefix. The emulator counts every request of the bot together, as Discord does.
 */
describe.skipIf(!redisUrl)('SharedRestLimiter with two instances of one bot', () => {
  let discord: DiscordEmulator;
  const limiters: SharedRestLimiter[] = [];
  let prefix: string;

  beforeEach(async () => {
    discord = await DiscordEmulator.start();
    prefix = `switchboard-test-${randomUUID()}`;
  });

  afterEach(async () => {
    for (const limiter of limiters.splice(0)) await limiter.close();
    await discord.close();
    await deleteKeys(prefix);
  });

  const logs: { level: 'info' | 'warn'; message: string }[] = [];
  async function limiter(options: Partial<SharedRestLimiter['options']> = {}): Promise<SharedRestLimiter> {
    const made = new SharedRestLimiter({
      redisUrl: redisUrl ?? null,
      prefix,
      log: {
        info: (_context, message) => logs.push({ level: 'info', message }),
        warn: (_context, message) => logs.push({ level: 'warn', message }),
      },
      ...options,
    });
    limiters.push(made);
    await made.connect();
    return made;
  }

  /** A bot instance's REST manager, as the connector builds it (no discord.js retries). */
  function instance(shared: SharedRestLimiter | null, options: Partial<RESTOptions> = {}): REST {
    return new REST({
      api: `${discord.url}/api`,
      retries: 0,
      timeout: 10_000,
      ...(shared ? { makeRequest: shared.makeRequest(10_000) } : {}),
      ...options,
    }).setToken(discord.token);
  }

  /** Each instance posts its share of `count` messages to `channelId`, one after another as the outbox does. */
  async function postFromBoth(rests: REST[], channelIds: string[], perChannel: number): Promise<void> {
    await Promise.all(
      rests.flatMap((rest, r) =>
        channelIds.map(async (channelId) => {
          for (let i = 0; i < perChannel; i++) {
            await rest.post(Routes.channelMessages(channelId), { body: { content: `${r}:${i}` } });
          }
        }),
      ),
    );
  }

  function channels(count: number): string[] {
    const names = Array.from({ length: count }, (_, i) => `c${i}`);
    const guild = discord.createGuild({ textChannels: names });
    return names.map((name) => guild.channels[name]!.id);
  }

  it("keeps one channel's bucket between two instances: 0 429s (and 429s without sharing)", async () => {
    discord.setRateLimit(MESSAGES, { limit: 3, windowMs: 600 });
    const [channelId] = channels(1) as [string];
    const shared = [instance(await limiter()), instance(await limiter())];
    await postFromBoth(shared, [channelId], 6);
    expect(discord.messagesIn(channelId)).toHaveLength(12);
    expect(discord.requests({ status: 429 })).toHaveLength(0);

    // The same load with each instance keeping only its own discord.js buckets: they collide.
    const [other] = channels(1) as [string];
    await postFromBoth([instance(null), instance(null)], [other], 6);
    expect(discord.messagesIn(other)).toHaveLength(12);
    expect(discord.requests({ status: 429 }).length).toBeGreaterThan(0);
  });

  it("keeps a bucket without a major parameter (the bot's DM channels, one for all members) between instances", async () => {
    const route = 'POST /users/@me/channels';
    discord.setRateLimit(route, { limit: 3, windowMs: 500 });
    const users = Array.from({ length: 8 }, () => discord.createUser());
    const open = (rests: REST[]) =>
      Promise.all(
        users.map((user, i) =>
          rests[i % rests.length]!.post(Routes.userChannels(), { body: { recipient_id: user.id } }),
        ),
      );
    await open([instance(await limiter()), instance(await limiter())]);
    expect(discord.requests({ route, status: 200 })).toHaveLength(8);
    expect(discord.requests({ status: 429 })).toHaveLength(0);

    await open([instance(null), instance(null)]);
    expect(discord.requests({ route, status: 200 })).toHaveLength(16);
    expect(discord.requests({ status: 429 }).length).toBeGreaterThan(0);
  });

  it("keeps the bot's global limit between two instances: 0 429s (and 429s without sharing)", async () => {
    // Discord's 50 requests/s for the bot; buckets wide enough that only the global limit binds.
    discord.setRateLimit(MESSAGES, { limit: 1000, windowMs: 1000 });
    const targets = channels(20);
    const shared = [instance(await limiter()), instance(await limiter())];
    await postFromBoth(shared, targets, 4);
    expect(discord.requests({ route: MESSAGES, status: 200 })).toHaveLength(160);
    expect(discord.requests({ status: 429 })).toHaveLength(0);

    // Without Redis (nothing shared, 429s only counted) discord.js keeps 50/s per process: two processes
    // send up to twice what the bot may.
    const before = discordRateLimitedCounts().global;
    const alone = [instance(await limiter({ redisUrl: null })), instance(await limiter({ redisUrl: null }))];
    await postFromBoth(alone, targets, 4);
    expect(discord.requests({ route: MESSAGES, status: 200 })).toHaveLength(320);
    const refused = discord.requests({ status: 429 }).length;
    expect(refused).toBeGreaterThan(0);
    // Each one counted for /metrics.
    expect(discordRateLimitedCounts().global - before).toBe(refused);
  });

  it('a global 429 one instance got pauses the other one too, and is counted', async () => {
    discord.setGlobalRateLimit({ limit: 3, windowMs: 1_500 });
    const [channelId] = channels(1) as [string];
    // Instance a's share of the rate is set too high on purpose, so that Discord refuses it once.
    const a = instance(await limiter({ globalPerSecond: 1000, globalBurst: 100 }));
    const b = instance(await limiter({ globalPerSecond: 1000, globalBurst: 100 }));
    const before = discordRateLimitedCounts().global;
    for (let i = 0; i < 3; i++)
      await a.post(Routes.channelMessages(channelId), { body: { content: `a${i}` } });
    // The 4th is refused (global); discord.js waits and sends it again, after the window.
    const fourth = a.post(Routes.channelMessages(channelId), { body: { content: 'a3' } });
    // Counted once the pause it announced is kept in Redis.
    await eventually('the global 429', () => discordRateLimitedCounts().global === before + 1);
    await b.post(Routes.channelMessages(channelId), { body: { content: 'b0' } });
    await fourth;
    expect(discord.requests({ status: 429 })).toHaveLength(1);
    expect(discordRateLimitedCounts().global).toBe(before + 1);
    expect(
      discord
        .messagesIn(channelId)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['a0', 'a1', 'a2', 'a3', 'b0']);
  });

  it('a wait longer than allowed fails retryable with the wait; interaction callbacks never wait', async () => {
    const [channelId] = channels(1) as [string];
    // Instance a gives the 429 back to its caller instead of waiting it out (the test need not wait 60 s).
    const a = instance(await limiter(), { rejectOnRateLimit: () => true });
    const b = instance(await limiter({ maxWaitMs: 1_000 }));
    // A shared-resource 429 of 60 s on the route: the other instance must not try it meanwhile.
    discord.rateLimitNext(MESSAGES, 1, 60_000, 'shared');
    const before = discordRateLimitedCounts().shared;
    await expect(a.post(Routes.channelMessages(channelId), { body: { content: 'held' } })).rejects.toThrow();
    expect(discordRateLimitedCounts().shared).toBe(before + 1);
    const refused = await b
      .post(Routes.channelMessages(channelId), { body: { content: 'waits' } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectorError);
    expect((refused as ConnectorError).retryable).toBe(true);
    expect((refused as ConnectorError).retryAfterMs).toBeGreaterThan(50_000);
    expect(discord.requests({ route: MESSAGES })).toHaveLength(1);

    // An interaction callback goes out at once, whatever the bot's other limits say.
    const callback = await b
      .post(Routes.interactionCallback('123456789012345678', 'some-token'), {
        body: { type: 4, data: { content: 'hi' } },
        auth: false,
      })
      .catch((error: unknown) => error);
    expect(callback).toMatchObject({ code: 10062 });
    expect(
      discord.requests({ route: 'POST /interactions/:interaction_id/:interaction_token/callback' }),
    ).toHaveLength(1);
  });

  it('Redis not answering: requests go out under per-process limits, logged once, and once when it is back', async () => {
    const proxy = await RedisProxy.start(redisUrl!);
    try {
      logs.length = 0;
      const rest = instance(await limiter({ redisUrl: proxy.url }));
      const [channelId] = channels(1) as [string];
      await rest.post(Routes.channelMessages(channelId), { body: { content: 'shared' } });
      proxy.cut();
      for (let i = 0; i < 3; i++)
        await rest.post(Routes.channelMessages(channelId), { body: { content: `alone ${i}` } });
      expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(logs[0]?.message).toMatch(/not shared: Redis does not answer/);
      proxy.restore();
      await eventually('the limiter to use Redis again', async () => {
        await rest.post(Routes.channelMessages(channelId), { body: { content: 'again' } });
        return logs.some((l) => l.level === 'info' && /shared through Redis again/.test(l.message));
      });
      expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(discord.messagesIn(channelId).length).toBeGreaterThanOrEqual(5);
    } finally {
      await proxy.close();
    }
  });
});

/** A TCP proxy in front of the real Redis that a test can cut (every connection dropped, new ones refused). */
class RedisProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<RedisProxy> {
    const { hostname, port } = new URL(target);
    let proxy: RedisProxy | null = null;
    const server = createServer((client) => {
      if (!proxy?.open) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(port || 6379), hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy?.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    proxy = new RedisProxy(server, `redis://127.0.0.1:${address.port}`);
    return proxy;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Removes what a test's limiters kept in Redis under its prefix. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl!);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
