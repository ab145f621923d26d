import { createHash } from 'node:crypto';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
  /**
   * Routes whose rules name the same bucket share one window per major parameter and answer with one
   * `X-RateLimit-Bucket` hash, as Discord groups some routes (default: the route's own bucket).
   */
  bucket?: string;
}

/**
 * Per-route limits close to the ones Discord announces to a bot (its headers, observed): messages 5 per 5 s
 * per channel, edits and deletes sharing one message bucket, the bot's DM channels one bucket for all
 * members (no major parameter: every instance of the bot draws from it). `DiscordEmulator.start({
 * routeRateLimits: discordRouteRateLimits })` enforces them; other routes keep the default rule.
 */
export const discordRouteRateLimits: Readonly<Record<string, RateLimitRule>> = {
  'POST /channels/:channel_id/messages': { limit: 5, windowMs: 5_000 },
  'PATCH /channels/:channel_id/messages/:message_id': { limit: 5, windowMs: 5_000, bucket: 'message-edits' },
  'DELETE /channels/:channel_id/messages/:message_id': {
    limit: 5,
    windowMs: 5_000,
    bucket: 'message-edits',
  },
  'POST /users/@me/channels': { limit: 10, windowMs: 10_000 },
  'GET /channels/:channel_id/messages': { limit: 5, windowMs: 5_000 },
  'POST /channels/:channel_id/threads': { limit: 5, windowMs: 5_000 },
  'PUT /channels/:channel_id/thread-members/:user_id': { limit: 5, windowMs: 5_000 },
};

/** The `X-RateLimit-*` headers for a response, and whether the request was refused. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds, as in Discord's 429 body. */
  retryAfter: number;
  global: boolean;
  scope: 'user' | 'global' | 'shared';
}

interface Window {
  startedAt: number;
  count: number;
}

/** One window of a bot's global limit: when its first request opened it, and how many it let through. */
export interface GlobalWindow {
  openedAt: number;
  count: number;
}

interface ForcedLimit {
  remaining: number;
  retryAfterMs: number;
  scope: 'user' | 'shared' | 'global';
}

/**
 * Discord-style rate limits: a bucket per route template (or shared bucket) and major parameter
 * (channel, guild or webhook), a fixed window per bucket, a global per-second limit per bot token on
 * top, whichever connection the requests come from. Interaction callbacks are not subject to the
 * global limit, as on Discord.
 */
export class RateLimiter {
  readonly #routeRules = new Map<string, RateLimitRule>();
  readonly #windows = new Map<string, Window>();
  readonly #forced = new Map<string, ForcedLimit>();
  /** The global window of each bot token (the `Authorization` header). */
  readonly #globalWindows = new Map<string, Window>();
  /** Every global window each bot token opened, oldest first (the last one is still open). */
  readonly #globalHistory = new Map<string, GlobalWindow[]>();

  constructor(
    private defaultRule: RateLimitRule,
    private globalRule: RateLimitRule,
  ) {}

  /** `route` is `"METHOD /template"`, e.g. `"POST /channels/:channel_id/messages"`. */
  setRouteLimit(route: string, rule: RateLimitRule | null): void {
    if (rule) this.#routeRules.set(route, rule);
    else this.#routeRules.delete(route);
  }

  setGlobalLimit(rule: RateLimitRule): void {
    this.globalRule = rule;
    this.#globalWindows.clear();
    this.#globalHistory.clear();
  }

  setDefaultLimit(rule: RateLimitRule): void {
    this.defaultRule = rule;
  }

  /** The next `count` requests on `route` get a 429 the headers did not predict (a shared-resource limit). */
  forceRateLimit(
    route: string,
    count: number,
    retryAfterMs: number,
    scope: 'user' | 'shared' | 'global',
  ): void {
    this.#forced.set(route, { remaining: count, retryAfterMs, scope });
  }

  reset(): void {
    this.#windows.clear();
    this.#forced.clear();
    this.#globalWindows.clear();
    this.#globalHistory.clear();
  }

  /** The global windows a bot token (its `Authorization` header) opened so far, oldest first. */
  globalWindows(botToken: string): GlobalWindow[] {
    return (this.#globalHistory.get(botToken) ?? []).map((w) => ({ ...w }));
  }

  check(
    route: string,
    majorParameter: string,
    exemptFromGlobal: boolean,
    now = Date.now(),
    botToken = '',
  ): RateLimitDecision {
    const rule = this.#routeRules.get(route) ?? this.defaultRule;
    const bucket = rule.bucket ?? route;
    const bucketHash = createHash('sha1').update(bucket).digest('hex').slice(0, 16);
    const key = `${bucket}:${majorParameter}`;
    let window = this.#windows.get(key);
    if (!window || now - window.startedAt >= rule.windowMs) {
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    const resetAt = window.startedAt + rule.windowMs;
    const headersFor = (count: number): Record<string, string> => ({
      'x-ratelimit-limit': String(rule.limit),
      'x-ratelimit-remaining': String(Math.max(0, rule.limit - count)),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': (Math.max(0, resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': bucketHash,
    });

    const forced = this.#forced.get(route);
    if (forced && forced.remaining > 0) {
      forced.remaining -= 1;
      if (forced.remaining === 0) this.#forced.delete(route);
      return this.#refusal(headersFor(window.count), forced.retryAfterMs, forced.scope);
    }

    if (!exemptFromGlobal) {
      let global = this.#globalWindows.get(botToken);
      if (!global || now - global.startedAt >= this.globalRule.windowMs) {
        global = { startedAt: now, count: 0 };
        this.#globalWindows.set(botToken, global);
        const history = this.#globalHistory.get(botToken) ?? [];
        history.push({ openedAt: now, count: 0 });
        if (history.length > 10_000) history.shift();
        this.#globalHistory.set(botToken, history);
      }
      if (global.count >= this.globalRule.limit) {
        const retryAfterMs = global.startedAt + this.globalRule.windowMs - now;
        return this.#refusal({}, retryAfterMs, 'global');
      }
      global.count += 1;
      const current = this.#globalHistory.get(botToken)?.at(-1);
      if (current) current.count = global.count;
    }

    if (window.count >= rule.limit) {
      return this.#refusal(headersFor(window.count), resetAt - now, 'user');
    }
    window.count += 1;
    return { allowed: true, headers: headersFor(window.count), retryAfter: 0, global: false, scope: 'user' };
  }

  #refusal(
    headers: Record<string, string>,
    retryAfterMs: number,
    scope: 'user' | 'shared' | 'global',
  ): RateLimitDecision {
    const retryAfter = Math.max(0.001, retryAfterMs / 1000);
    const global = scope === 'global';
    const all: Record<string, string> = {
      ...headers,
      // Discord sends whole seconds here; fractions keep emulated limits short, and discord.js parses either.
      'retry-after': retryAfter.toFixed(3),
      'x-ratelimit-scope': scope,
    };
    if (global) all['x-ratelimit-global'] = 'true';
    return { allowed: false, headers: all, retryAfter, global, scope };
  }
}
