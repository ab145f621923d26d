import { describe, expect, it } from 'vitest';
import { discordRouteRateLimits, RateLimiter } from './rate-limiter.ts';

const MESSAGES = 'POST /channels/:channel_id/messages';

function limiter(): RateLimiter {
  const made = new RateLimiter({ limit: 50, windowMs: 1_000 }, { limit: 50, windowMs: 1_000 });
  for (const [route, rule] of Object.entries(discordRouteRateLimits)) made.setRouteLimit(route, rule);
  return made;
}

describe("the emulator's Discord limits", () => {
  it('messages: 5 per 5 s per channel, announced in X-RateLimit-* headers, then 429 with scope user', () => {
    const limits = limiter();
    const decisions = Array.from({ length: 6 }, () => limits.check(MESSAGES, 'channel-1', false, 1_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions[0]?.headers).toMatchObject({
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset-after': '5.000',
    });
    expect(decisions[5]).toMatchObject({ retryAfter: 5, scope: 'user', global: false });
    // Another channel has a bucket of its own; the first one is full again after its window.
    expect(limits.check(MESSAGES, 'channel-2', false, 1_000).allowed).toBe(true);
    expect(limits.check(MESSAGES, 'channel-1', false, 6_000).allowed).toBe(true);
  });

  it('routes that share a bucket share its window and its X-RateLimit-Bucket hash', () => {
    const limits = limiter();
    const edit = 'PATCH /channels/:channel_id/messages/:message_id';
    const remove = 'DELETE /channels/:channel_id/messages/:message_id';
    const first = limits.check(edit, 'c', false, 0);
    const second = limits.check(remove, 'c', false, 0);
    expect(second.headers['x-ratelimit-bucket']).toBe(first.headers['x-ratelimit-bucket']);
    expect(second.headers['x-ratelimit-remaining']).toBe('3');
    expect(limits.check(MESSAGES, 'c', false, 0).headers['x-ratelimit-bucket']).not.toBe(
      first.headers['x-ratelimit-bucket'],
    );
  });

  it('the global limit is per bot token, across every route and connection; interactions are exempt', () => {
    const limits = limiter();
    for (let i = 0; i < 50; i++) {
      expect(limits.check('GET /channels/:channel_id', `c${i}`, false, 0, 'Bot one').allowed).toBe(true);
    }
    const refused = limits.check('GET /channels/:channel_id', 'c-last', false, 500, 'Bot one');
    expect(refused).toMatchObject({ allowed: false, global: true, scope: 'global', retryAfter: 0.5 });
    expect(refused.headers['x-ratelimit-global']).toBe('true');
    // Another bot (token) has a global limit of its own; interaction callbacks count against none.
    expect(limits.check('GET /channels/:channel_id', 'c', false, 500, 'Bot two').allowed).toBe(true);
    const callback = 'POST /interactions/:interaction_id/:interaction_token/callback';
    expect(limits.check(callback, 'i:t', true, 500, 'Bot one').allowed).toBe(true);
  });
});

describe("the emulator's record of the global limit", () => {
  it('keeps each window a bot opened: when its first request came, how many it let through', () => {
    const limits = limiter();
    for (let i = 0; i < 60; i++) limits.check(MESSAGES, `c${i}`, false, 100 + i, 'Bot one');
    // A new window opens with the first request after the previous one ran out, not on a clock edge.
    for (let i = 0; i < 3; i++) limits.check(MESSAGES, `d${i}`, false, 1_250 + i, 'Bot one');
    expect(limits.globalWindows('Bot one')).toEqual([
      { openedAt: 100, count: 50 },
      { openedAt: 1_250, count: 3 },
    ]);
    // Another bot's windows are its own; interaction callbacks open none.
    limits.check('POST /interactions/:interaction_id/:interaction_token/callback', 'i:t', true, 0, 'Bot two');
    expect(limits.globalWindows('Bot two')).toEqual([]);
  });
});
