import { RestrictedAddressError, restrictedAddressKind } from '../net/address-policy.ts';
import { BodyTooLargeError, type GuardedResponse, guardedGet } from '../net/guarded-get.ts';
import type { FeedItem } from './feed-items.ts';

export interface FeedReaderOptions {
  timeoutMs: number;
  maxRedirects: number;
  /** Larger bodies are refused (a feed is small; this protects memory). */
  maxBytes: number;
  userAgent: string;
  /**
   * Feeds may be on loopback and private addresses. Off by default: a feed URL (or a redirect) pointing
   * into the server's own network is refused (`SWITCHBOARD_FEEDS_ALLOW_PRIVATE`).
   */
  allowPrivate: boolean;
  /** Which addresses are refused when private networks are not allowed, and why (see address-policy.ts). */
  restrictedAddress: (address: string) => string | null;
}

export const defaultFeedReaderOptions: FeedReaderOptions = {
  timeoutMs: 10_000,
  maxRedirects: 5,
  maxBytes: 5 * 1024 * 1024,
  userAgent: 'Switchboard announcements (+https://github.com/switchboard)',
  allowPrivate: false,
  restrictedAddress: restrictedAddressKind,
};

export const feedErrorKinds = [
  'timeout',
  'http',
  'redirects',
  'parse',
  'network',
  'too_large',
  'refused',
] as const;
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

/**
 * Fetches a feed with a conditional request, a time-out and a redirect limit (manual redirects, each hop's
 * address checked unless private networks are allowed).
 */
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
      let response: GuardedResponse;
      try {
        const target = new URL(current);
        if (target.protocol !== 'http:' && target.protocol !== 'https:')
          throw new FeedError('refused', `${target.protocol} URLs are not feeds`, current);
        response = await guardedGet(target, {
          headers,
          signal,
          ...(this.options.allowPrivate ? {} : { restricted: this.options.restrictedAddress }),
        });
      } catch (error) {
        throw this.failure(error, current);
      }
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        response.discard();
        const location = response.header('location');
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
        response.discard();
        return { kind: 'not_modified' };
      }
      if (response.status < 200 || response.status >= 300) {
        response.discard();
        throw new FeedError(
          'http',
          `HTTP ${response.status} ${response.statusText}`.trim(),
          current,
          response.status,
        );
      }
      let body: string;
      try {
        body = await response.text(this.options.maxBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          throw new FeedError('too_large', `feed larger than ${this.options.maxBytes} bytes`, current);
        throw this.failure(error, current);
      }
      let items: FeedItem[];
      try {
        // The feed parser is loaded by the first poll: an installation without feeds never loads it.
        const { parseFeedItems } = await import('./feed-items.ts');
        items = parseFeedItems(body);
      } catch (error) {
        throw new FeedError('parse', error instanceof Error ? error.message : String(error), current);
      }
      return {
        kind: 'items',
        items,
        etag: response.header('etag'),
        lastModified: response.header('last-modified'),
      };
    }
  }

  private failure(error: unknown, url: string): FeedError {
    if (error instanceof FeedError) return error;
    if (error instanceof RestrictedAddressError) return new FeedError('refused', error.message, url);
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError')
      return new FeedError('timeout', `no response within ${this.options.timeoutMs} ms`, url);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new FeedError('network', `${error instanceof Error ? error.message : String(error)}${cause}`, url);
  }
}
