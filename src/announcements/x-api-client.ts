import { z } from 'zod';

export interface XApiClientOptions {
  /** The X API v2 base URL (`X_API_URL`); tests point it at a local fake. */
  baseUrl: string;
  timeoutMs: number;
  /** A poll follows `meta.next_token` at most this many pages (100 posts each). */
  maxPages: number;
  userAgent: string;
}

export const defaultXApiClientOptions: XApiClientOptions = {
  baseUrl: 'https://api.x.com',
  timeoutMs: 10_000,
  maxPages: 10,
  userAgent: 'Switchboard announcements (+https://github.com/switchboard)',
};

/**
 * Why a request to the X API failed. `unauthorized` (401, 403) and `not_found` need an admin;
 * `rate_limited` (429) waits for `resetAt`; `server`, `network`, `timeout` and `payload` are retried with back-off.
 */
export const xApiErrorKinds = [
  'unauthorized',
  'not_found',
  'rate_limited',
  'server',
  'network',
  'timeout',
  'payload',
] as const;
export type XApiErrorKind = (typeof xApiErrorKinds)[number];

export class XApiError extends Error {
  override readonly name = 'XApiError';
  constructor(
    readonly kind: XApiErrorKind,
    message: string,
    /** The endpoint (path and query, never the token). */
    readonly endpoint: string,
    readonly status: number | null = null,
    /** When the rate-limit window ends (`x-rate-limit-reset`), when X said so. */
    readonly resetAt: Date | null = null,
  ) {
    super(message);
  }

  /** An admin must act (new token, another account): polling stops until then. */
  get permanent(): boolean {
    return this.kind === 'unauthorized' || this.kind === 'not_found';
  }
}

/** What the rate-limit headers of the last response said. */
export interface XRateLimit {
  remaining: number | null;
  resetAt: Date | null;
}

const idString = z.string().regex(/^\d{1,25}$/);

const userSchema = z.object({
  id: idString,
  username: z.string().min(1).max(50),
  name: z.string().optional(),
});
const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  type: z.string().optional(),
});
const userResponseSchema = z.object({
  data: userSchema.optional(),
  errors: z.array(problemSchema).optional(),
});

const postSchema = z.object({
  id: idString,
  text: z.string(),
  created_at: z.string().optional(),
  attachments: z.object({ media_keys: z.array(z.string()).optional() }).optional(),
  referenced_tweets: z.array(z.object({ type: z.string(), id: idString })).optional(),
  entities: z
    .object({
      urls: z
        .array(
          z.object({
            start: z.number().int(),
            end: z.number().int(),
            url: z.string(),
            expanded_url: z.string().optional(),
            display_url: z.string().optional(),
            media_key: z.string().optional(),
          }),
        )
        .optional(),
    })
    .loose()
    .optional(),
});
export type XPost = z.infer<typeof postSchema>;

const mediaSchema = z.object({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
});
export type XMedia = z.infer<typeof mediaSchema>;

const timelineSchema = z.object({
  data: z.array(postSchema).optional(),
  includes: z
    .object({ media: z.array(mediaSchema).optional() })
    .loose()
    .optional(),
  meta: z.object({
    result_count: z.number().int(),
    newest_id: z.string().optional(),
    oldest_id: z.string().optional(),
    next_token: z.string().optional(),
  }),
  errors: z.array(problemSchema).optional(),
});

/** The posts of one poll, every page together, and the rate limit of the last response. */
export interface XTimeline {
  posts: XPost[];
  media: Map<string, XMedia>;
  rateLimit: XRateLimit;
}

const problemText = (body: unknown): string | null => {
  const parsed = problemSchema.extend({ errors: z.array(problemSchema).optional() }).safeParse(body);
  if (!parsed.success) return null;
  const first = parsed.data.errors?.[0] ?? parsed.data;
  return first.detail ?? first.title ?? null;
};

/**
 * The X API v2 calls an X source makes, with an app's bearer token: the user lookup (once) and the
 * user's posts timeline, page by page. Bodies are validated; the token is sent, never logged or echoed.
 */
export class XApiClient {
  readonly options: XApiClientOptions;

  constructor(options: Partial<XApiClientOptions> = {}) {
    this.options = { ...defaultXApiClientOptions, ...options };
  }

  /** `account`: a handle (with or without `@`) or a numeric user id. */
  async lookupUser(token: string, account: string): Promise<{ id: string; username: string }> {
    const endpoint = /^\d+$/.test(account)
      ? `/2/users/${account}`
      : `/2/users/by/username/${encodeURIComponent(account.replace(/^@/, ''))}`;
    const { body } = await this.get(token, endpoint);
    const parsed = userResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new XApiError(
        'payload',
        `unexpected user lookup response: ${issues(parsed.error)}`,
        endpoint,
        200,
      );
    if (!parsed.data.data)
      throw new XApiError(
        'not_found',
        `no X account ${/^\d+$/.test(account) ? account : `@${account.replace(/^@/, '')}`}${
          parsed.data.errors?.[0]?.detail ? ` (${parsed.data.errors[0].detail})` : ''
        }`,
        endpoint,
        200,
      );
    return { id: parsed.data.data.id, username: parsed.data.data.username };
  }

  /**
   * The user's posts newer than `sinceId`, every page (`meta.next_token`) up to `maxPages`; without
   * `sinceId`, the newest `firstPage` posts only (a new source does not announce the account's history).
   */
  async userPosts(
    token: string,
    userId: string,
    request: { sinceId: string | null; firstPage: number },
  ): Promise<XTimeline> {
    const posts: XPost[] = [];
    const media = new Map<string, XMedia>();
    let rateLimit: XRateLimit = { remaining: null, resetAt: null };
    let next: string | undefined;
    for (let page = 0; page < this.options.maxPages; page++) {
      const query = new URLSearchParams({
        'tweet.fields': 'created_at,attachments,referenced_tweets,entities',
        expansions: 'attachments.media_keys',
        'media.fields': 'url,preview_image_url,type',
        max_results: String(request.sinceId ? 100 : Math.min(100, Math.max(5, request.firstPage))),
      });
      if (request.sinceId) query.set('since_id', request.sinceId);
      if (next) query.set('pagination_token', next);
      const endpoint = `/2/users/${userId}/tweets?${query.toString()}`;
      const response = await this.get(token, endpoint);
      rateLimit = response.rateLimit;
      const parsed = timelineSchema.safeParse(response.body);
      if (!parsed.success)
        throw new XApiError(
          'payload',
          `unexpected timeline response: ${issues(parsed.error)}`,
          endpoint,
          200,
        );
      posts.push(...(parsed.data.data ?? []));
      for (const m of parsed.data.includes?.media ?? []) media.set(m.media_key, m);
      next = parsed.data.meta.next_token;
      if (!next || !request.sinceId) break;
      // More pages than allowed: the poll fails rather than skip the posts in between (nothing lost).
      if (page === this.options.maxPages - 1)
        throw new XApiError(
          'payload',
          `more than ${this.options.maxPages} pages of new posts; raise the poll frequency`,
          endpoint,
          200,
        );
    }
    return { posts, media, rateLimit };
  }

  private async get(token: string, endpoint: string): Promise<{ body: unknown; rateLimit: XRateLimit }> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${endpoint}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'user-agent': this.options.userAgent,
        },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timeout =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new XApiError(
        timeout ? 'timeout' : 'network',
        timeout
          ? `no answer within ${this.options.timeoutMs} ms`
          : `the X API could not be reached (${causeOf(error)})`,
        endpoint,
      );
    }
    const rateLimit = rateLimitOf(response.headers);
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (response.ok) {
      if (body === null)
        throw new XApiError(
          'payload',
          `the response is not JSON: ${clip(text, 200)}`,
          endpoint,
          response.status,
        );
      return { body, rateLimit };
    }
    const said = problemText(body);
    const status = response.status;
    const detail = said ? `: ${clip(said, 300)}` : '';
    if (status === 401 || status === 403)
      throw new XApiError(
        'unauthorized',
        `the X API refused the bearer token (HTTP ${status}${detail}); set a new token and enable the source`,
        endpoint,
        status,
      );
    if (status === 429)
      throw new XApiError(
        'rate_limited',
        `rate limited by the X API until ${rateLimit.resetAt?.toISOString() ?? 'later'}`,
        endpoint,
        status,
        rateLimit.resetAt,
      );
    if (status === 404) throw new XApiError('not_found', `HTTP 404${detail}`, endpoint, status);
    throw new XApiError(status >= 500 ? 'server' : 'payload', `HTTP ${status}${detail}`, endpoint, status);
  }
}

function rateLimitOf(headers: Headers): XRateLimit {
  const remaining = headers.get('x-rate-limit-remaining');
  const reset = headers.get('x-rate-limit-reset');
  return {
    remaining: remaining !== null && /^\d+$/.test(remaining) ? Number(remaining) : null,
    resetAt: reset !== null && /^\d{1,12}$/.test(reset) ? new Date(Number(reset) * 1000) : null,
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const issues = (error: z.ZodError) =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
const causeOf = (error: unknown): string => {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
};
