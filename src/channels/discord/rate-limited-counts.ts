/** `X-RateLimit-Scope` of a 429: the bot's own bucket, the bot's global limit, or a shared resource. */
export const rateLimitScopes = ['user', 'global', 'shared'] as const;
export type RateLimitScope = (typeof rateLimitScopes)[number];

/**
 * 429s Discord answered to this process, by scope: read by `/metrics`, whichever connector got them. Kept
 * apart from the REST limiter so that `/metrics` does not load discord.js where Discord is not configured.
 */
const rateLimitedInProcess: Record<RateLimitScope, number> = { user: 0, global: 0, shared: 0 };

export function countRateLimited(scope: RateLimitScope): void {
  rateLimitedInProcess[scope] += 1;
}

/** The 429s Discord answered to this process so far, by scope. */
export function discordRateLimitedCounts(): Readonly<Record<RateLimitScope, number>> {
  return { ...rateLimitedInProcess };
}
