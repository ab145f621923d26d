import { type FeedItem, parseFeedItems } from './feed-items.ts';

export interface FeedReaderOptions {
  timeoutMs: number;
  maxRedirects: number;
  /** Larger bodies are refused (a feed is small; this protects memory). */
  maxBytes: number;
  userAgent: string;
}

export const defaultFeedReaderOptions: FeedReaderOptions = {
  timeoutMs: 10_000,
  maxRedirects: 5,
  maxBytes: 5 * 1024 * 1024,
  userAgent: 'Switchboard announcements (+https://github.com/switchboard)',
};

export const feedErrorKinds = ['timeout', 'http', 'redirects', 'parse', 'network', 'too_large'] as const;
export type FeedErrorKind = (typeof feedErrorKinds)[number];

export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly kind: FeedErrorKind,
    message: string,
    readonly url: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export type FeedFetchResult =
  | { kind: 'not_modified' }
  | { kind: 'items'; items: FeedItem[]; etag: string | null; lastModified: string | null };

/** Fetches a feed with a conditional request, a time-out and a redirect limit (global fetch, manual redirects). */
export class FeedReader {
  readonly options: FeedReaderOptions;

  constructor(options: Partial<FeedReaderOptions> = {}) {
    this.options = { ...defaultFeedReaderOptions, ...options };
  }

  async read(
    url: string,
    validators: { etag: string | null; lastModified: string | null },
  ): Promise<FeedFetchResult> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = {
        accept:
          'application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, */*;q=0.5',
        'user-agent': this.options.userAgent,
      };
      if (validators.etag) headers['if-none-match'] = validators.etag;
      if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
      let response: Response;
      try {
        response = await fetch(current, { headers, redirect: 'manual', signal });
      } catch (error) {
        throw this.failure(error, current);
      }
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get('location');
        if (!location)
          throw new FeedError('http', `HTTP ${response.status} without a Location`, current, response.status);
        if (redirects >= this.options.maxRedirects)
          throw new FeedError(
            'redirects',
            `more than ${this.options.maxRedirects} redirects`,
            url,
            response.status,
          );
        current = new URL(location, current).toString();
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel().catch(() => {});
        return { kind: 'not_modified' };
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new FeedError(
          'http',
          `HTTP ${response.status} ${response.statusText}`.trim(),
          current,
          response.status,
        );
      }
      let body: string;
      try {
        body = await response.text();
      } catch (error) {
        throw this.failure(error, current);
      }
      if (body.length > this.options.maxBytes)
        throw new FeedError('too_large', `feed larger than ${this.options.maxBytes} bytes`, current);
      let items: FeedItem[];
      try {
        items = parseFeedItems(body);
      } catch (error) {
        throw new FeedError('parse', error instanceof Error ? error.message : String(error), current);
      }
      return {
        kind: 'items',
        items,
        etag: response.headers.get('etag'),
        lastModified: response.headers.get('last-modified'),
      };
    }
  }

  private failure(error: unknown, url: string): FeedError {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError')
      return new FeedError('timeout', `no response within ${this.options.timeoutMs} ms`, url);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new FeedError('network', `${error instanceof Error ? error.message : String(error)}${cause}`, url);
  }
}
