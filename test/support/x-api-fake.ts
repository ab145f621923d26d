import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local fake of the X API v2 endpoints an X announcement source calls, on 127.0.0.1:
 * `GET /2/users/by/username/:username`, `GET /2/users/:id` and `GET /2/users/:id/tweets` with the v2
 * shapes (`data`, `includes.media`, `meta` with `newest_id`/`oldest_id`/`next_token`), `since_id`,
 * `max_results` (5–100) and `pagination_token`, a bearer-token check (401), and rate limits per endpoint
 * (`x-rate-limit-limit`/`-remaining`/`-reset` in Unix seconds, 429 once a window is used up).
 */

export interface FakeUser {
  id: string;
  username: string;
  name: string;
}

export interface FakeMedia {
  type: 'photo' | 'video' | 'animated_gif';
  /** A photo's URL, or a video's preview image. */
  url: string;
}

export interface FakePostInput {
  text: string;
  /** The post it answers (a reply), reposts, or quotes. */
  replyTo?: string;
  repostOf?: string;
  quoteOf?: string;
  media?: FakeMedia[];
  /** Links in the text: the short t.co link is put in the text, its entity says what it stands for. */
  links?: string[];
  createdAt?: string;
}

interface StoredPost {
  id: string;
  authorId: string;
  json: Record<string, unknown>;
  media: Array<Record<string, unknown>>;
}

export interface FakeRequest {
  path: string;
  query: URLSearchParams;
  status: number;
  /** When the fake answered (ms since the epoch). */
  at: number;
  /** Whether the request carried the right bearer token. */
  authorized: boolean;
  /** The `x-rate-limit-remaining` and `x-rate-limit-reset` (ms) answered, when the request was counted. */
  remaining: number | null;
  resetAt: number | null;
}

interface Window {
  used: number;
  resetAt: number;
}

export interface XApiFakeOptions {
  token: string;
  /** Requests per endpoint per window. */
  limit: number;
  windowMs: number;
}

const unauthorized = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
const tooMany = { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 };

export class XApiFake {
  readonly requests: FakeRequest[] = [];
  token: string;
  limit: number;
  windowMs: number;
  private readonly users = new Map<string, FakeUser>();
  private readonly posts: StoredPost[] = [];
  private readonly windows = new Map<string, Window>();
  private nextId = 999_999_999_999_999_995n; // crosses into 19 digits: ids compare as numbers, not text
  private throttledUntil = 0;
  private failures: Array<{ path: string; failure: { status: number } | { garbage: string } }> = [];
  /** The most posts a timeline page holds, whatever `max_results` asks (to make pages small in tests). */
  maxPage = 100;

  private constructor(
    private readonly server: Server,
    options: XApiFakeOptions,
  ) {
    this.token = options.token;
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  static async start(options: Partial<XApiFakeOptions> = {}): Promise<XApiFake> {
    const server = createServer();
    const fake = new XApiFake(server, {
      token: 'x-bearer-token',
      limit: 900,
      windowMs: 15 * 60_000,
      ...options,
    });
    server.on('request', (req, res) => fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  addUser(username: string, id?: string): FakeUser {
    const user = { id: id ?? String(2_244_994_945 + this.users.size), username, name: username };
    this.users.set(user.id, user);
    return user;
  }

  /** The account posts now; returns the post's id. */
  post(user: FakeUser, input: FakePostInput): string {
    const id = String(this.nextId);
    this.nextId += 3n;
    const media = (input.media ?? []).map((m, i) => ({
      media_key: `3_${id}${i}`,
      type: m.type,
      ...(m.type === 'photo' ? { url: m.url } : { preview_image_url: m.url }),
    }));
    let text = input.text;
    const urls: Array<Record<string, unknown>> = [];
    const addLink = (expanded: string, mediaKey?: string) => {
      const short = `https://t.co/${Buffer.from(expanded).toString('base64url').slice(-10)}`;
      const start = Array.from(text).length + 1;
      text = `${text} ${short}`;
      urls.push({
        start,
        end: start + short.length,
        url: short,
        expanded_url: expanded,
        display_url: expanded.replace(/^https?:\/\//, ''),
        ...(mediaKey ? { media_key: mediaKey } : {}),
      });
    };
    for (const link of input.links ?? []) addLink(link);
    // X puts one link to the post's media at the end of its text.
    const first = media[0];
    if (first) addLink(`https://x.com/${user.username}/status/${id}/photo/1`, String(first.media_key));
    const referenced = [
      ...(input.replyTo ? [{ type: 'replied_to', id: input.replyTo }] : []),
      ...(input.repostOf ? [{ type: 'retweeted', id: input.repostOf }] : []),
      ...(input.quoteOf ? [{ type: 'quoted', id: input.quoteOf }] : []),
    ];
    this.posts.push({
      id,
      authorId: user.id,
      media,
      json: {
        id,
        text: input.repostOf ? `RT @someone: ${text}` : text,
        edit_history_tweet_ids: [id],
        created_at: input.createdAt ?? new Date().toISOString(),
        ...(media.length ? { attachments: { media_keys: media.map((m) => m.media_key) } } : {}),
        ...(referenced.length ? { referenced_tweets: referenced } : {}),
        ...(urls.length ? { entities: { urls } } : {}),
      },
    });
    return id;
  }

  /** New rate-limit windows from now on: `limit` requests per endpoint every `windowMs`. */
  resetWindows(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.windows.clear();
  }

  /** Every request gets 429 until `until` (ms), with that as its reset: the limit was used elsewhere. */
  throttle(until: number): void {
    this.throttledUntil = until;
  }

  /**
   * The next requests whose path contains `path` (a user id or username) fail with these HTTP statuses,
   * or answer 200 with a body that is not the v2 shape.
   */
  failNext(path: string, ...failures: Array<number | { garbage: string }>): void {
    for (const f of failures)
      this.failures.push({ path, failure: typeof f === 'number' ? { status: f } : f });
  }

  timelineRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/tweets'));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const now = Date.now();
    const endpoint = url.pathname.endsWith('/tweets')
      ? 'timeline'
      : url.pathname.startsWith('/2/users/by/username/')
        ? 'username'
        : 'user';
    const authorized = req.headers.authorization === `Bearer ${this.token}`;
    const record = (status: number, headers: Record<string, string>) =>
      this.requests.push({
        path: url.pathname,
        query: url.searchParams,
        status,
        at: now,
        authorized,
        remaining: headers['x-rate-limit-remaining'] ? Number(headers['x-rate-limit-remaining']) : null,
        resetAt: headers['x-rate-limit-reset'] ? Number(headers['x-rate-limit-reset']) * 1000 : null,
      });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status, headers);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { title: 'Method Not Allowed', status: 405 });
    if (!authorized) return send(401, unauthorized);

    // Rate limits are counted per endpoint and window; the reset is a Unix time in seconds.
    if (now < this.throttledUntil) {
      const reset = Math.ceil(this.throttledUntil / 1000);
      this.windows.set(endpoint, { used: this.limit, resetAt: reset * 1000 });
      return send(429, tooMany, this.limitHeaders(0, reset));
    }
    let current = this.windows.get(endpoint);
    if (!current || now >= current.resetAt) {
      current = { used: 0, resetAt: Math.ceil((now + this.windowMs) / 1000) * 1000 };
      this.windows.set(endpoint, current);
    }
    if (current.used >= this.limit) return send(429, tooMany, this.limitHeaders(0, current.resetAt / 1000));
    current.used += 1;
    const headers = this.limitHeaders(this.limit - current.used, current.resetAt / 1000);

    const at = this.failures.findIndex((f) => url.pathname.includes(f.path));
    const failure = at >= 0 ? this.failures.splice(at, 1)[0]?.failure : undefined;
    if (failure && 'status' in failure)
      return send(failure.status, { title: 'Service Unavailable', status: failure.status }, headers);
    if (failure) return send(200, failure.garbage, headers);

    const byName = url.pathname.match(/^\/2\/users\/by\/username\/([^/]+)$/);
    if (byName) {
      const name = decodeURIComponent(byName[1] ?? '').toLowerCase();
      const user = [...this.users.values()].find((u) => u.username.toLowerCase() === name);
      return user
        ? send(200, { data: user }, headers)
        : send(200, { errors: [notFound('username', name)] }, headers);
    }
    const byId = url.pathname.match(/^\/2\/users\/(\d+)(\/tweets)?$/);
    if (!byId) return send(404, { title: 'Not Found Error', status: 404 }, headers);
    const user = this.users.get(byId[1] ?? '');
    if (!byId[2])
      return user
        ? send(200, { data: user }, headers)
        : send(200, { errors: [notFound('id', byId[1] ?? '')] }, headers);
    if (!user) return send(200, { errors: [notFound('id', byId[1] ?? '')] }, headers);
    return this.timeline(user, url.searchParams, headers, send);
  }

  private timeline(
    user: FakeUser,
    query: URLSearchParams,
    headers: Record<string, string>,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ) {
    const max = Number(query.get('max_results') ?? '10');
    if (!Number.isInteger(max) || max < 5 || max > 100)
      return send(
        400,
        {
          errors: [
            {
              parameters: { max_results: [String(max)] },
              message: 'The `max_results` query parameter value is not between 5 and 100',
            },
          ],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        },
        headers,
      );
    const since = query.get('since_id');
    const all = this.posts
      .filter((p) => p.authorId === user.id && (!since || BigInt(p.id) > BigInt(since)))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)); // newest first
    const token = query.get('pagination_token');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    const size = Math.min(max, this.maxPage);
    const page = all.slice(offset, offset + size);
    const fields = new Set((query.get('tweet.fields') ?? '').split(','));
    const wantMedia = (query.get('expansions') ?? '').split(',').includes('attachments.media_keys');
    const data = page.map((p) => {
      const { id, text, edit_history_tweet_ids, ...rest } = p.json;
      const chosen = Object.fromEntries(Object.entries(rest).filter(([k]) => fields.has(k)));
      return { id, text, edit_history_tweet_ids, ...chosen };
    });
    const media = wantMedia ? page.flatMap((p) => p.media) : [];
    const more = offset + size < all.length;
    send(
      200,
      {
        ...(data.length ? { data } : {}),
        ...(media.length ? { includes: { media } } : {}),
        meta: {
          result_count: data.length,
          ...(page.length ? { newest_id: page[0]?.id, oldest_id: page[page.length - 1]?.id } : {}),
          ...(more ? { next_token: Buffer.from(String(offset + size)).toString('base64url') } : {}),
        },
      },
      headers,
    );
  }

  private limitHeaders(remaining: number, resetSeconds: number): Record<string, string> {
    return {
      'x-rate-limit-limit': String(this.limit),
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': String(resetSeconds),
    };
  }
}

const notFound = (parameter: string, value: string) => ({
  value,
  detail: `Could not find user with ${parameter}: [${value}].`,
  title: 'Not Found Error',
  resource_type: 'user',
  parameter,
  resource_id: value,
  type: 'https://api.twitter.com/2/problems/resource-not-found',
});
