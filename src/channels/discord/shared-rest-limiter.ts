import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultRestOptions, type RESTOptions, type ResponseLike } from 'discord.js';
import { Redis } from 'ioredis';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import { GlobalRequestWindow, type GlobalRequestWindowOptions } from './global-request-window.ts';
import { countRateLimited } from './rate-limited-counts.ts';

export { discordRateLimitedCounts, type RateLimitScope, rateLimitScopes } from './rate-limited-counts.ts';

/** discord.js REST's `makeRequest`: sends one HTTP request to Discord. */
export type DiscordMakeRequest = RESTOptions['makeRequest'];

export interface SharedRestLimiterLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

export interface SharedRestLimiterOptions {
  /**
   * `redis://…`: every instance of the bot waits on the same limits there. Null: no sharing; the global
   * limit is kept for this process alone, the per-route ones by discord.js.
   */
  redisUrl: string | null;
  /** Key prefix; the instances of one bot share it (`SWITCHBOARD_REDIS_PREFIX`). */
  prefix: string;
  /**
   * Requests per second for all instances together. Discord allows 50 per bot; the margin absorbs
   * requests that travel at different speeds and arrive bunched.
   */
  globalPerSecond: number;
  /** Requests that may go at once above the steady rate (a burst). */
  globalBurst: number;
  /** Discord's global limit as this process keeps it when the limits are not shared (default: 50 per second). */
  localGlobalWindow: Partial<GlobalRequestWindowOptions>;
  /** Added to every reset Discord announces, as discord.js does (its `offset`), against clock edges. */
  offsetMs: number;
  /** A wait longer than this is not waited out: the request fails as retryable, with the wait as retry-after. */
  maxWaitMs: number;
  /** How long a bucket nobody has heard from lets one request find out before it lets another try. */
  probeMs: number;
  /**
   * A request that would leave this much later than its place in the global rate (this process was busy)
   * takes a new place instead (twice at most): late requests arrive bunched with the next ones.
   */
  lateMs: number;
  /** A Redis command without an answer after this long counts as Redis being down. */
  commandTimeoutMs: number;
  log: SharedRestLimiterLog;
}

export const defaultSharedRestLimiterOptions: SharedRestLimiterOptions = {
  redisUrl: null,
  prefix: 'switchboard',
  globalPerSecond: 40,
  globalBurst: 3,
  localGlobalWindow: {},
  offsetMs: 50,
  maxWaitMs: 10_000,
  probeMs: 2_000,
  lateMs: 100,
  commandTimeoutMs: 500,
  log: { info: () => {}, warn: () => {} },
};

/** Where a request falls in Discord's limits: its route (bucket before the hash is known) and major parameter. */
export interface DiscordRoute {
  /** `METHOD /template`, ids replaced as discord.js does (`POST /channels/:id/messages`). */
  route: string;
  /** The channel, guild or webhook id (Discord keeps a bucket per route and major parameter); `global` if none. */
  major: string;
  /** Interaction endpoints are not bound to the bot's global limit, and each token is its own bucket. */
  interaction: boolean;
}

/** The route of a request to `…/api/v10/…`, bucketed the way discord.js (and Discord) bucket them. */
export function discordRouteOf(method: string, url: string): DiscordRoute {
  const pathname = new URL(url).pathname.replace(/^.*?\/v\d+(?=\/)/, '');
  const verb = method.toUpperCase();
  const interaction = /^\/interactions\//.test(pathname) || /^\/webhooks\/\d{17,20}\/[^/]+/.test(pathname);
  const majorMatch = /^\/(?:channels|guilds)\/(\d{17,20})/.exec(pathname);
  const template = pathname
    .replace(/\d{17,20}/g, ':id')
    .replace(/\/reactions\/.*/, '/reactions/:reaction')
    .replace(/\/webhooks\/:id\/[^/]+/, '/webhooks/:id/:token')
    .replace(/\/interactions\/:id\/[^/]+/, '/interactions/:id/:token');
  return { route: `${verb} ${template}`, major: majorMatch?.[1] ?? 'global', interaction };
}

/**
 * Before a request: the global pause of a 429, the bucket (its hash once Discord named it, else the
 * route) at the moment the global rate lets the request go, then one place in each. Returns
 * `{ waitMs, why }`: why 0 = reserved (go after waitMs), 1 = global pause, 2 = bucket empty, 3 = the bucket's
 * first answer is awaited, 4 = the global rate would make it wait longer than allowed.
 *
 * The global rate is a GCRA (a leaky bucket by virtual scheduling): each request takes the next slot of
 * `interval` ms, up to `tolerance` ms early, so any second holds at most rate + burst requests, whatever the
 * phase of Discord's own windows (a fixed window of ours would let two windows' worth meet in one of theirs).
 * Times are Redis's own clock, the same for every instance.
 */
const acquireScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base, routeKey, major = ARGV[1], ARGV[2], ARGV[3]
local exempt = ARGV[4] == '1'
local interval, tolerance, margin, probe, maxWait =
  tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local pause = tonumber(redis.call('HGET', KEYS[1], 'pause') or '0')
if pause > now then return {pause - now, 1} end
local tat = now
local at = now
if not exempt then
  tat = math.max(tonumber(redis.call('HGET', KEYS[1], 'tat') or '0'), now)
  at = math.max(now, tat - tolerance)
  if at - now > maxWait then return {at - now, 4} end
end
local id = redis.call('GET', KEYS[2]) or routeKey
local bucket = base .. 'bucket:' .. id .. ':' .. major
local b = redis.call('HMGET', bucket, 'limit', 'remaining', 'reset', 'window', 'probe')
local limit, remaining, reset, window = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])
local probing = '0'
if reset and reset > at then
  remaining = remaining or 0
  if remaining <= 0 then
    if b[5] == '1' then return {reset - now, 3} end
    return {reset - now, 2}
  end
  remaining = remaining - 1
elseif limit and window then
  remaining = limit - 1
  reset = at + window + margin
else
  remaining = 0
  reset = at + probe
  probing = '1'
end
redis.call('HSET', bucket, 'remaining', remaining, 'reset', reset, 'probe', probing)
redis.call('PEXPIRE', bucket, math.ceil(reset - now) + 3600000)
if not exempt then
  redis.call('HSET', KEYS[1], 'tat', tat + interval)
  redis.call('PEXPIRE', KEYS[1], 3600000)
end
return {at - now, 0}
`;

/**
 * After an answer: what Discord said of the bucket (limit, remaining, reset-after, hash), kept for every
 * instance. While our own count of the current window runs, it only ever gets stricter (the fewer remaining,
 * the later reset): answers arrive out of order, and requests still travelling are not in Discord's count
 * yet. An answer from an earlier window (its reset half a window before ours) changes nothing. A 429 empties
 * the bucket until its retry-after; a global one pauses every request of the bot.
 */
const learnScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base, routeKey, major, hash = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local limit, left, resetAfter = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local retryAfter, status, global, offset = tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10] == '1', tonumber(ARGV[11])
if hash ~= '' then redis.call('SET', KEYS[2], hash, 'PX', 86400000) end
if status == 429 and global then
  local pause = math.max(tonumber(redis.call('HGET', KEYS[1], 'pause') or '0'), now + retryAfter + offset)
  redis.call('HSET', KEYS[1], 'pause', pause)
  redis.call('PEXPIRE', KEYS[1], 3600000)
  return 1
end
local id = hash
if id == '' then id = redis.call('GET', KEYS[2]) or routeKey end
local bucket = base .. 'bucket:' .. id .. ':' .. major
local b = redis.call('HMGET', bucket, 'remaining', 'reset', 'window', 'probe')
local curRemaining, curReset, curWindow = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
if limit and left and resetAfter then
  local resetAt = now + resetAfter + offset
  local window = math.max(curWindow or 0, resetAfter)
  local remaining, reset = left, resetAt
  if b[4] ~= '1' and curReset and curReset > now and curRemaining then
    if resetAt + window / 2 < curReset then
      remaining, reset = curRemaining, curReset
    else
      remaining, reset = math.min(curRemaining, left), math.max(curReset, resetAt)
    end
  end
  redis.call('HSET', bucket, 'limit', limit, 'remaining', remaining, 'reset', reset, 'window', window, 'probe', '0')
  redis.call('PEXPIRE', bucket, math.ceil(math.max(reset - now, 0)) + 3600000)
elseif b[4] == '1' then
  redis.call('DEL', bucket)
end
if status == 429 then
  local reset = math.max(tonumber(redis.call('HGET', bucket, 'reset') or '0'), now + retryAfter + offset)
  redis.call('HSET', bucket, 'remaining', 0, 'reset', reset, 'probe', '0')
  redis.call('PEXPIRE', bucket, math.ceil(reset - now) + 3600000)
end
return 0
`;

interface LimiterCommands {
  discordRestAcquire(...args: (string | number)[]): Promise<[number, number]>;
  discordRestLearn(...args: (string | number)[]): Promise<number>;
}

const reasons = ['', 'global pause', 'bucket empty', 'first answer awaited', 'global rate'] as const;

/**
 * Discord's REST limits for every instance of one bot together. They are per bot, not per process: two
 * instances each keeping discord.js's own 50 requests/s and per-route buckets send up to twice what
 * Discord allows, and a bucket one instance emptied looks full to the other. With Redis, every request
 * of the connector (through discord.js's `makeRequest`) first takes its place in limits kept there: a
 * global rate a little under Discord's 50/s, and the per-route buckets as Discord's headers describe them
 * (limit, remaining, reset-after, bucket hash), learned from every instance's answers; a 429 anyway pauses
 * the bucket, or everything for a global one, for its retry-after, on every instance. Interaction
 * callbacks and follow-ups skip the line (Discord does not count them globally; a member is waiting).
 *
 * discord.js's own per-route limits stay in force underneath. Without Redis, or when it does not answer,
 * the global limit is this process's own (`GlobalRequestWindow`). When Redis does not answer, requests go
 * out under those alone (logged once, and once again when Redis is back): delivery never waits on Redis.
 */
export class SharedRestLimiter {
  readonly options: SharedRestLimiterOptions;
  private readonly redis: (Redis & LimiterCommands) | null;
  private readonly base: string;
  /** Whether the last Redis command failed; the change either way is logged once. */
  private redisDown = false;
  private closed = false;
  /** Discord's global limit kept by this process, when it is not shared through Redis (or Redis is down). */
  private readonly localGlobal: GlobalRequestWindow;

  constructor(options: Partial<SharedRestLimiterOptions> = {}) {
    this.options = { ...defaultSharedRestLimiterOptions, ...options };
    this.base = `${this.options.prefix}:discord-rest:`;
    this.localGlobal = new GlobalRequestWindow(this.options.localGlobalWindow);
    if (!this.options.redisUrl) {
      this.redis = null;
      return;
    }
    const redis = new Redis(this.options.redisUrl, {
      // A request never queues behind a Redis that is down: it fails at once and goes out unshared.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.options.commandTimeoutMs,
      lazyConnect: true,
    }) as Redis & LimiterCommands;
    // Reported through the commands that fail; ioredis reconnects by itself.
    redis.on('error', () => {});
    redis.defineCommand('discordRestAcquire', { numberOfKeys: 2, lua: acquireScript });
    redis.defineCommand('discordRestLearn', { numberOfKeys: 2, lua: learnScript });
    this.redis = redis;
  }

  /** Whether the limits are shared through Redis (else this process's own only). */
  get shared(): boolean {
    return this.redis !== null;
  }

  /** Connects to Redis (resolves either way: without Redis, requests go out under per-process limits). */
  async connect(): Promise<void> {
    if (!this.redis) return;
    await this.redis.connect().then(
      () => this.redisAnswered(),
      (error: unknown) => this.redisFailed(error),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.redis && this.redis.status !== 'end') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    }
  }

  /**
   * The options a discord.js REST manager takes to keep Discord's limits through this limiter: its
   * `makeRequest`, and no global limit of discord.js's own (whose window, counted from the moment a request
   * leaves, ends before Discord's does). A global 429 still pauses discord.js as Discord asks.
   */
  restOptions(timeoutMs: number): Pick<RESTOptions, 'makeRequest' | 'globalRequestsPerSecond'> {
    return { makeRequest: this.makeRequest(timeoutMs), globalRequestsPerSecond: Number.MAX_SAFE_INTEGER };
  }

  /**
   * The `makeRequest` for discord.js REST (`rest: { makeRequest }`): waits the request's turn, sends it
   * with `next`, learns from the answer, counts 429s. The wait does not count against `timeoutMs`, the
   * request's own time-out, which starts when the request goes out (discord.js's started before the wait,
   * so a shared request gets a signal of its own; callers of the connector pass none).
   */
  makeRequest(
    timeoutMs: number,
    next: DiscordMakeRequest = DefaultRestOptions.makeRequest,
  ): DiscordMakeRequest {
    return async (url, init) => {
      const method = (init.method ?? 'GET').toUpperCase();
      const route = discordRouteOf(method, url);
      const shared = this.redis !== null && !route.interaction && !this.closed;
      let response: ResponseLike;
      // Interaction callbacks and follow-ups are not bound to the global limit.
      if (shared && (await this.waitTurn(route))) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        try {
          response = await next(url, { ...init, signal: controller.signal });
        } finally {
          clearTimeout(timer);
        }
        await this.learn(route, response);
      } else {
        // Not shared: the request goes out as discord.js made it (its time-out, its signal), in its place in
        // this process's global window.
        const answered = route.interaction ? null : await this.localGlobal.take();
        try {
          response = await next(url, init);
        } finally {
          answered?.();
        }
        if (shared) await this.learn(route, response);
      }
      if (response.status === 429) {
        const scope = response.headers.get('x-ratelimit-scope');
        const global = response.headers.has('x-ratelimit-global') || scope === 'global';
        countRateLimited(global ? 'global' : scope === 'shared' ? 'shared' : 'user');
      }
      return response;
    };
  }

  /** Takes the request's place in the limits kept in Redis; false when Redis did not answer (none taken). */
  private async waitTurn(route: DiscordRoute): Promise<boolean> {
    const { globalPerSecond, globalBurst, offsetMs, probeMs, maxWaitMs } = this.options;
    // Tenths of a millisecond: Redis keeps script numbers to 14 digits, a timestamp in ms has 13.
    const interval = Math.round(10_000 / globalPerSecond) / 10;
    const started = Date.now();
    let retakes = 0;
    for (;;) {
      const asked = Date.now();
      let answer: [number, number];
      try {
        answer = await this.redis!.discordRestAcquire(
          `${this.base}global`,
          `${this.base}route:${route.route}`,
          this.base,
          route.route,
          route.major,
          route.interaction ? '1' : '0',
          interval,
          interval * (globalBurst - 1),
          offsetMs * 2,
          probeMs,
          maxWaitMs,
        );
        this.redisAnswered();
      } catch (error) {
        this.redisFailed(error);
        return false;
      }
      const [waitMs, why] = answer;
      if (why === 0) {
        if (waitMs > 0) await sleep(waitMs);
        if (Date.now() - (asked + waitMs) > this.options.lateMs && retakes < 2) {
          retakes += 1;
          continue;
        }
        return true;
      }
      const waited = Date.now() - started;
      if (why === 4 || waited + waitMs > maxWaitMs) {
        throw new ConnectorError(
          `Discord rate limit (${reasons[why] ?? why}) on ${route.route}: next try in ${waitMs} ms`,
          true,
          waitMs,
        );
      }
      // A bucket whose first answer is awaited is asked again soon: the answer usually comes in milliseconds.
      await sleep(why === 3 ? Math.min(waitMs, 25) : Math.max(1, waitMs));
    }
  }

  private async learn(route: DiscordRoute, response: ResponseLike): Promise<void> {
    const header = (name: string) => response.headers.get(name) ?? '';
    const seconds = (name: string) => {
      const value = Number(header(name));
      return header(name) !== '' && Number.isFinite(value) ? Math.ceil(value * 1000) : '';
    };
    try {
      await this.redis!.discordRestLearn(
        `${this.base}global`,
        `${this.base}route:${route.route}`,
        this.base,
        route.route,
        route.major,
        header('x-ratelimit-bucket'),
        header('x-ratelimit-limit'),
        header('x-ratelimit-remaining'),
        seconds('x-ratelimit-reset-after'),
        seconds('retry-after') === '' ? 1000 : seconds('retry-after'),
        response.status,
        response.headers.has('x-ratelimit-global') ? '1' : '0',
        this.options.offsetMs,
      );
      this.redisAnswered();
    } catch (error) {
      this.redisFailed(error);
    }
  }

  private redisFailed(error: unknown): void {
    if (this.redisDown || this.closed) return;
    this.redisDown = true;
    this.options.log.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      'Discord rate limits not shared: Redis does not answer; this instance keeps to its own limits until it does',
    );
  }

  private redisAnswered(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.options.log.info({}, 'Discord rate limits shared through Redis again');
  }
}
