import { randomBytes } from 'node:crypto';
import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { z } from 'zod';
import {
  type Announcement,
  type AnnouncementContent,
  type AnnouncementSource,
  backoffMs,
  type XAccount,
} from '../core/announcements/announcement.ts';
import { DomainError, invalid, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { ReleaseNote } from '../core/model.ts';
import { ConnectorError } from '../core/ports/channel-connector.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Store } from '../core/ports/repositories.ts';
import { announcementMessage } from './announcement-message.ts';
import type { FeedItem } from './feed-items.ts';
import { FeedError, FeedReader, type FeedReaderOptions } from './feed-reader.ts';
import { signatureMatches, webhookHeaders } from './webhook-signature.ts';
import { XApiClient, type XApiClientOptions, XApiError } from './x-api-client.ts';
import { compareIds, isAnnounced, newestId, postItem, type XPostItem } from './x-posts.ts';

/** Where announcements go out: Discord (the connector), resolving a guild's announcements channel. */
/** A server announcements can go to, as an admin picks it. */
export interface AnnouncementServer {
  id: string;
  name: string;
}

export interface AnnouncementPoster {
  post(
    target: { guildId: string; channelId: string | null },
    body: RESTPostAPIChannelMessageJSONBody,
  ): Promise<{ messageId: string; channelId: string; published: boolean }>;
  /** The servers the bot is in (empty when the channel is not connected). */
  servers(): Promise<AnnouncementServer[]>;
}

export interface AnnouncementLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

export interface AnnouncementServiceOptions {
  /** How often the scheduler looks for due feeds and due posts. */
  tickMs: number;
  /** First back-off after a failed poll; doubles per consecutive failure up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A post claimed (`posting`) this long ago without `posted` is sent again (at-least-once). */
  staleClaimMs: number;
  /**
   * An instance polling a feed holds it this long at most: another instance takes the feed over once it
   * has passed (the poller died). Longer than a poll can take (the feed time-out times its redirects).
   */
  pollLeaseMs: number;
  /** Discord refusals worth retrying are retried this many times before `failed`. */
  maxAttempts: number;
  /** At most this many (newest) items of one poll are posted, oldest first; protects a channel from a backlog. */
  maxItemsPerPoll: number;
  /** Webhook timestamps older (or further in the future) than this are refused; deliveries are remembered as long. */
  replayWindowMs: number;
  feed: Partial<FeedReaderOptions>;
  /** The X API client of X sources (`baseUrl` from `X_API_URL`). */
  x: Partial<XApiClientOptions>;
  /** The shortest poll interval of an X source (`SWITCHBOARD_X_MIN_POLL_SECONDS`). */
  xMinPollIntervalSeconds: number;
  /**
   * Stores a posted announcement together with its release step (the linked cases solved, their members
   * told), in one transaction; null stores it alone.
   */
  release: ((posted: Announcement, note: ReleaseNote) => Promise<unknown>) | null;
  log: AnnouncementLog;
}

export const defaultAnnouncementServiceOptions: AnnouncementServiceOptions = {
  tickMs: 5_000,
  backoffBaseMs: 60_000,
  backoffMaxMs: 6 * 60 * 60_000,
  staleClaimMs: 10 * 60_000,
  pollLeaseMs: 2 * 60_000,
  maxAttempts: 5,
  maxItemsPerPoll: 20,
  replayWindowMs: 5 * 60_000,
  feed: {},
  x: {},
  xMinPollIntervalSeconds: 60,
  release: null,
  log: { info: () => {}, warn: () => {} },
};

/** An X source polls every 15 minutes unless told otherwise: the timeline allows few requests per window. */
const xDefaultPollSeconds = 900;

const snowflake = z.string().regex(/^\d{1,25}$/, 'must be a Discord id');
const httpUrl = z.url({ protocol: /^https?$/ });

export const sourceInputSchema = z.object({
  kind: z.enum(['feed', 'webhook', 'x']),
  name: z.string().trim().min(1).max(100),
  url: httpUrl.nullable().optional(),
  pollIntervalSeconds: z.number().int().min(1).max(86_400).optional(),
  guildId: snowflake,
  channelId: snowflake.nullable().optional(),
  enabled: z.boolean().optional(),
  /** X: the app's bearer token (stored, never returned). */
  token: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .regex(/^[\x21-\x7e]+$/, 'must be a bearer token')
    .optional(),
  /** X: the account's @handle or numeric user id. */
  account: z
    .string()
    .trim()
    .regex(/^(@?[A-Za-z0-9_]{1,15}|\d{1,25})$/, 'must be an @handle or a numeric X user id')
    .optional(),
  /** X: announce replies (also the account's own threads) and reposts too; quotes always are. */
  includeReplies: z.boolean().optional(),
  includeReposts: z.boolean().optional(),
});
export type SourceInput = z.infer<typeof sourceInputSchema>;
export const sourcePatchSchema = sourceInputSchema.omit({ kind: true }).partial();
export type SourcePatch = z.infer<typeof sourcePatchSchema>;

export const composeSchema = z.object({
  guildId: snowflake,
  channelId: snowflake.nullable().optional(),
  title: z.string().trim().min(1).max(256),
  url: httpUrl.nullable().optional(),
  summary: z.string().max(4000).nullable().optional(),
  imageUrl: httpUrl.nullable().optional(),
  /** ISO instant; absent or past means now. */
  scheduledAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** A release note: the numbers of the bug reports and feature requests it closes once posted. */
  cases: z.array(z.number().int().positive()).max(50).optional(),
});
export type ComposeInput = z.infer<typeof composeSchema>;
export const linkCasesSchema = z.strictObject({
  cases: z.array(z.number().int().positive()).max(50),
});

/** An announcement as listed: with the numbers of the cases it closes (a release note). */
export type ListedAnnouncement = Announcement & { cases: number[] };

/** The JSON a website or status page posts to the webhook. */
export const webhookBodySchema = z.object({
  /** The sender's id of the announcement: a second delivery with the same id is not posted again. */
  id: z.string().min(1).max(200).optional(),
  title: z.string().trim().min(1).max(256),
  url: httpUrl.optional(),
  summary: z.string().max(4000).optional(),
  imageUrl: httpUrl.optional(),
});

/** A posted announcement as the release note members are told of: its link, else its Discord message. */
export function releaseNoteOf(posted: Announcement): ReleaseNote {
  const message =
    posted.messageId && posted.channelId
      ? `https://discord.com/channels/${posted.guildId}/${posted.channelId}/${posted.messageId}`
      : null;
  return { id: posted.id, title: posted.title, url: posted.url ?? message };
}

/** A webhook delivery that is not authentic (bad signature, stale timestamp, replay, unknown source): 401. */
export class WebhookAuthError extends Error {
  override readonly name = 'WebhookAuthError';
}

/**
 * Announcement sources and posts: polls feeds (conditional requests, back-off), takes signed webhook
 * deliveries, schedules composed posts, and posts each announcement once through the poster.
 *
 * With several instances on one database, each due feed is claimed by one of them for its poll (a lease,
 * `pollLeaseMs`, ended by storing the poll's outcome; the others skip the feed meanwhile) and fetched once
 * per interval; feed items are unique per source and key, so an item is queued once whoever fetched it.
 *
 * Posting is persisted around the send: `scheduled` → claimed `posting` (in a transaction, so two
 * instances never both take it) → Discord → `posted`. A crash after Discord accepted the message but
 * before `posted` was stored leaves `posting`; after `staleClaimMs` the post is sent again. That is the
 * one at-least-once edge: a duplicate is possible only when the process dies in that window.
 */
export class AnnouncementService {
  readonly options: AnnouncementServiceOptions;
  private readonly reader: FeedReader;
  private readonly xClient: XApiClient;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private publishing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly poster: AnnouncementPoster,
    private readonly clock: Clock,
    options: Partial<AnnouncementServiceOptions> = {},
  ) {
    this.options = { ...defaultAnnouncementServiceOptions, ...options };
    this.reader = new FeedReader(this.options.feed);
    this.xClient = new XApiClient(this.options.x);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    this.timer.unref?.();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    await this.running;
  }

  /** Runs one scheduler pass now (or right after the running one). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'announcement scheduler pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass: poll due feeds, then post due announcements. */
  async tick(): Promise<void> {
    const now = this.now();
    const lease = new Date(now.getTime() + this.options.pollLeaseMs).toISOString();
    const sources = await this.store.announcements.claimDueSources(now.toISOString(), lease, 20);
    // Each source on its own: a slow or failing feed never holds up another's posts.
    await Promise.all(sources.map((source) => this.poll(source).then(() => this.publishDue())));
    await this.publishDue();
    await this.store.announcements.forgetDeliveriesBefore(this.now().toISOString());
  }

  // ---- sources -------------------------------------------------------------------------------

  async createSource(input: SourceInput): Promise<{ source: AnnouncementSource; secret: string | null }> {
    if (input.kind === 'feed' && !input.url) throw invalid('a feed source needs a url');
    if (input.kind === 'x') {
      if (!input.token) throw invalid('an X source needs the bearer token of an X app');
      if (!input.account) throw invalid('an X source needs the account: its @handle or user id');
      this.checkXInterval(input.pollIntervalSeconds ?? xDefaultPollSeconds);
    }
    const now = this.now().toISOString();
    const secret = input.kind === 'webhook' ? randomBytes(32).toString('base64url') : null;
    const source: AnnouncementSource = {
      id: newId(),
      kind: input.kind,
      name: input.name,
      url: input.kind === 'feed' ? (input.url ?? null) : null,
      pollIntervalSeconds: input.pollIntervalSeconds ?? (input.kind === 'x' ? xDefaultPollSeconds : 600),
      guildId: input.guildId,
      channelId: input.channelId ?? null,
      secret: input.kind === 'x' ? (input.token ?? null) : secret,
      enabled: input.enabled ?? true,
      etag: null,
      lastModified: null,
      failures: 0,
      lastError: null,
      lastErrorAt: null,
      lastPolledAt: null,
      nextPollAt: input.kind === 'webhook' ? null : now,
      ...(input.kind === 'x'
        ? {
            x: {
              account: (input.account ?? '').replace(/^@/, ''),
              userId: null,
              handle: null,
              includeReplies: input.includeReplies ?? false,
              includeReposts: input.includeReposts ?? false,
              sinceId: null,
            },
          }
        : {}),
      createdAt: now,
      updatedAt: now,
    };
    await this.store.announcements.createSource(source);
    this.options.log.info(
      { sourceId: source.id, kind: source.kind, name: source.name },
      'announcement source created',
    );
    if (source.kind !== 'webhook' && this.timer) this.kick();
    // Only a webhook's generated secret is shown (once); an X token is the admin's own and never echoed.
    return { source, secret };
  }

  async listSources(): Promise<AnnouncementSource[]> {
    return this.store.announcements.listSources();
  }

  async getSource(id: string): Promise<AnnouncementSource> {
    const source = await this.store.announcements.getSource(id);
    if (!source) throw notFound('Announcement source', id);
    return source;
  }

  async updateSource(id: string, patch: SourcePatch): Promise<AnnouncementSource> {
    const source = await this.getSource(id);
    if (source.kind === 'x' && patch.pollIntervalSeconds !== undefined)
      this.checkXInterval(patch.pollIntervalSeconds);
    const x = source.x && this.patchX(source.x, patch);
    const next: AnnouncementSource = {
      ...source,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.url !== undefined && source.kind === 'feed'
        ? { url: patch.url, etag: null, lastModified: null }
        : {}),
      ...(patch.pollIntervalSeconds !== undefined ? { pollIntervalSeconds: patch.pollIntervalSeconds } : {}),
      ...(patch.guildId !== undefined ? { guildId: patch.guildId } : {}),
      ...(patch.channelId !== undefined ? { channelId: patch.channelId } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(source.kind === 'x' && patch.token !== undefined ? { secret: patch.token } : {}),
      ...(x ? { x } : {}),
      updatedAt: this.now().toISOString(),
    };
    if (next.kind === 'feed' && !next.url) throw invalid('a feed source needs a url');
    // A new token, account or choice, or enabling the source, polls it at once (a stopped source starts again).
    if (
      next.kind === 'x' &&
      (patch.token !== undefined ||
        patch.account !== undefined ||
        patch.includeReplies !== undefined ||
        patch.includeReposts !== undefined ||
        patch.enabled === true)
    )
      Object.assign(next, { nextPollAt: next.updatedAt, failures: 0 });
    // Re-enabling or changing a feed polls it at once and forgets the back-off.
    if (next.kind === 'feed' && (patch.url !== undefined || patch.enabled === true))
      Object.assign(next, { nextPollAt: next.updatedAt, failures: 0 });
    await this.store.announcements.updateSource(next);
    return next;
  }

  async deleteSource(id: string): Promise<void> {
    await this.getSource(id);
    await this.store.announcements.deleteSource(id);
  }

  // ---- feeds ---------------------------------------------------------------------------------

  /**
   * Polls one feed now (the scheduler does this when a source is due): a `conflict` while a poll of the
   * feed is under way, here or on another instance, so that the feed is not fetched twice at once.
   */
  async pollNow(id: string): Promise<AnnouncementSource> {
    const source = await this.getSource(id);
    if (source.kind === 'webhook') return source;
    const now = this.now();
    const lease = new Date(now.getTime() + this.options.pollLeaseMs).toISOString();
    const claimed = await this.store.announcements.claimSource(id, now.toISOString(), lease);
    if (!claimed) {
      await this.getSource(id); // gone meanwhile: not_found
      throw new DomainError('conflict', 'this feed is being polled right now; try again in a moment');
    }
    await this.poll(claimed, true);
    await this.publishDue();
    return this.getSource(id);
  }

  /** `loud`: a failure to record the outcome is thrown (an admin's request), not only logged (the scheduler). */
  private async poll(source: AnnouncementSource, loud = false): Promise<void> {
    if (source.kind === 'x') return this.pollX(source, loud);
    if (source.kind !== 'feed' || !source.url) return;
    const started = this.now();
    try {
      const result = await this.reader.read(source.url, {
        etag: source.etag,
        lastModified: source.lastModified,
      });
      let added = 0;
      if (result.kind === 'items') {
        const items = result.items.slice(-this.options.maxItemsPerPoll);
        const scheduledAt = started.toISOString();
        // One transaction: a publisher sees all of a poll's new items or none, so their order holds.
        await this.store.transaction(async (tx) => {
          for (const [position, item] of items.entries()) {
            if (await tx.announcements.insertIfNew(this.fromItem(source, item, scheduledAt, position)))
              added += 1;
          }
        });
      }
      const current = (await this.store.announcements.getSource(source.id)) ?? source;
      const done = this.now();
      await this.store.announcements.updateSource({
        ...current,
        ...(result.kind === 'items' ? { etag: result.etag, lastModified: result.lastModified } : {}),
        failures: 0,
        lastError: null,
        lastErrorAt: null,
        lastPolledAt: done.toISOString(),
        nextPollAt: new Date(done.getTime() + current.pollIntervalSeconds * 1000).toISOString(),
      });
      if (added > 0) this.options.log.info({ sourceId: source.id, added }, 'feed items queued for posting');
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not_found') return; // deleted meanwhile
      const reason =
        error instanceof FeedError
          ? `${error.kind}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      const current = (await this.store.announcements.getSource(source.id)) ?? source;
      const failures = current.failures + 1;
      const done = this.now();
      const wait = this.failureWait(failures, current);
      const nextPollAt = new Date(done.getTime() + wait).toISOString();
      this.options.log.warn(
        { sourceId: source.id, url: source.url, failures, reason, nextPollAt },
        'feed poll failed',
      );
      await this.recordPollFailure(
        { ...current, failures, nextPollAt },
        { reason, done, loud, what: 'feed poll' },
      );
    }
  }

  /** After `failures` failed polls in a row: the back-off, never shorter than the source's own interval. */
  private failureWait(failures: number, source: AnnouncementSource): number {
    return Math.max(
      backoffMs(failures, this.options.backoffBaseMs, this.options.backoffMaxMs),
      Math.min(source.pollIntervalSeconds * 1000, this.options.backoffMaxMs),
    );
  }

  /**
   * Stores a failed poll on its source. When that fails too, the source keeps its old state (and its
   * lease expires), so the desktop shows a stale status: say so, and fail an admin's "poll now" instead
   * of answering with that stale status.
   */
  private async recordPollFailure(
    next: AnnouncementSource,
    failure: { reason: string; done: Date; loud: boolean; what: string },
  ): Promise<void> {
    const at = failure.done.toISOString();
    try {
      await this.store.announcements.updateSource({
        ...next,
        lastError: failure.reason,
        lastErrorAt: at,
        lastPolledAt: at,
      });
    } catch (recordError) {
      this.options.log.warn(
        { sourceId: next.id, reason: failure.reason, err: recordError },
        `${failure.what} failure not recorded on the source`,
      );
      if (failure.loud) throw recordError;
    }
  }

  // ---- X ------------------------------------------------------------------------------------

  private checkXInterval(seconds: number): void {
    const min = this.options.xMinPollIntervalSeconds;
    if (seconds < min)
      throw invalid(
        `an X source is polled at most every ${min} s (the X API's rate limits); pollIntervalSeconds: ${seconds}`,
      );
  }

  /** The account after an admin's change: another account is looked up again and starts from its newest posts. */
  private patchX(x: XAccount, patch: SourcePatch): XAccount {
    const account = patch.account?.replace(/^@/, '');
    return {
      ...x,
      ...(account !== undefined && account.toLowerCase() !== x.account.toLowerCase()
        ? { account, userId: null, handle: null, sinceId: null }
        : {}),
      ...(patch.includeReplies !== undefined ? { includeReplies: patch.includeReplies } : {}),
      ...(patch.includeReposts !== undefined ? { includeReposts: patch.includeReposts } : {}),
    };
  }

  /**
   * Polls an X source: looks the account up once, asks for the posts newer than the newest seen (every
   * page), and queues the announced ones oldest first in the same transaction that stores the newest id,
   * so a restart neither repeats nor skips a post. The rate-limit headers set the next poll: none before
   * `x-rate-limit-reset` once the window is used up (or after a 429). A refused token (401/403) or an
   * unknown account stops the source (disabled, with the reason) until an admin changes it.
   */
  private async pollX(source: AnnouncementSource, loud: boolean): Promise<void> {
    const token = source.secret;
    let account = source.x;
    if (!account) return;
    const started = this.now();
    try {
      if (!token) throw new XApiError('unauthorized', 'no bearer token; set one and enable the source', '');
      if (!account.userId || !account.handle) {
        const user = await this.xClient.lookupUser(token, account.account);
        account = { ...account, userId: user.id, handle: user.username };
      }
      const { userId, handle, sinceId } = account as XAccount & { userId: string; handle: string };
      const timeline = await this.xClient.userPosts(token, userId, {
        sinceId,
        firstPage: this.options.maxItemsPerPoll,
      });
      const posts = timeline.posts
        .filter((p) => !sinceId || compareIds(p.id, sinceId) > 0)
        .sort((a, b) => compareIds(a.id, b.id));
      const seen = account;
      let items: XPostItem[] = posts
        .filter((p) => isAnnounced(p, seen))
        .map((p) => postItem(p, timeline.media, handle));
      // A new source announces the account's latest posts only, like a new feed.
      if (!sinceId) items = items.slice(-this.options.maxItemsPerPoll);
      const newest = newestId([sinceId, ...posts.map((p) => p.id)]);
      const done = this.now();
      let added = 0;
      await this.store.transaction(async (tx) => {
        const current = await tx.announcements.getSource(source.id);
        // Deleted, or pointed at another account meanwhile: this poll's posts are not the source's any more.
        if (!current?.x || current.x.account !== seen.account) return;
        for (const [position, item] of items.entries()) {
          const draft = this.draft(
            { ...item.content, sourceName: current.name },
            {
              sourceId: current.id,
              externalKey: item.id,
              guildId: current.guildId,
              channelId: current.channelId,
              scheduledAt: started.toISOString(),
              position,
            },
          );
          if (await tx.announcements.insertIfNew(draft)) added += 1;
        }
        const interval = current.pollIntervalSeconds * 1000;
        const { remaining, resetAt } = timeline.rateLimit;
        // The window is used up: the next request waits for its end, even when the interval is shorter.
        const wait =
          remaining === 0 && resetAt ? Math.max(interval, resetAt.getTime() - done.getTime()) : interval;
        await tx.announcements.updateSource({
          ...current,
          x: { ...current.x, userId, handle, sinceId: newest },
          failures: 0,
          lastError: null,
          lastErrorAt: null,
          lastPolledAt: done.toISOString(),
          nextPollAt: new Date(done.getTime() + wait).toISOString(),
        });
      });
      if (added > 0) this.options.log.info({ sourceId: source.id, added }, 'X posts queued for posting');
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not_found') return; // deleted meanwhile
      const xError = error instanceof XApiError ? error : null;
      const reason = xError
        ? `${xError.kind}: ${xError.message}`
        : error instanceof Error
          ? error.message
          : String(error);
      const current = (await this.store.announcements.getSource(source.id)) ?? source;
      const done = this.now();
      const stop = xError?.permanent === true;
      const limited = xError?.kind === 'rate_limited';
      const failures = limited ? current.failures : current.failures + 1;
      const wait = limited
        ? Math.max(
            1_000,
            (xError.resetAt?.getTime() ?? done.getTime() + current.pollIntervalSeconds * 1000) -
              done.getTime(),
          )
        : this.failureWait(failures, current);
      const nextPollAt = stop ? null : new Date(done.getTime() + wait).toISOString();
      // The endpoint and X's own words, never the token.
      this.options.log.warn(
        {
          sourceId: source.id,
          account: account.account,
          endpoint: xError?.endpoint,
          status: xError?.status,
          failures,
          reason,
          nextPollAt,
          ...(stop ? { stopped: true } : {}),
        },
        stop ? 'X source stopped: an admin must change it' : 'X poll failed',
      );
      const keep = current.x?.account === account.account ? account : current.x;
      await this.recordPollFailure(
        {
          ...current,
          // The account looked up before the failure stays looked up.
          ...(keep ? { x: { ...keep, sinceId: current.x?.sinceId ?? null } } : {}),
          ...(stop ? { enabled: false } : {}),
          failures,
          nextPollAt,
        },
        { reason, done, loud, what: 'X poll' },
      );
    }
  }

  private fromItem(
    source: AnnouncementSource,
    item: FeedItem,
    scheduledAt: string,
    position: number,
  ): Announcement {
    return this.draft(
      {
        title: item.title,
        url: item.url,
        summary: item.summary,
        imageUrl: item.imageUrl,
        sourceName: source.name,
        publishedAt: item.publishedAt,
      },
      {
        sourceId: source.id,
        externalKey: item.key.slice(0, 500),
        guildId: source.guildId,
        channelId: source.channelId,
        scheduledAt,
        position,
      },
    );
  }

  // ---- compose and webhook -------------------------------------------------------------------

  /** The servers an admin can post to, with their names. */
  servers(): Promise<AnnouncementServer[]> {
    return this.poster.servers();
  }

  /** The message a composed announcement would be posted as. */
  preview(input: ComposeInput): RESTPostAPIChannelMessageJSONBody {
    return announcementMessage(this.contentOf(input, null));
  }

  /** Posts now (scheduledAt absent or past) or at `scheduledAt`; the scheduler sends it once. */
  async compose(input: ComposeInput): Promise<ListedAnnouncement> {
    const now = this.now().toISOString();
    const at = input.scheduledAt ? new Date(input.scheduledAt).toISOString() : now;
    const announcement = this.draft(this.contentOf(input, null), {
      sourceId: null,
      externalKey: null,
      guildId: input.guildId,
      channelId: input.channelId ?? null,
      scheduledAt: new Date(Math.max(Date.parse(at), Date.parse(now))).toISOString(),
      position: 0,
    });
    const caseIds = await this.releasableCases(input.cases ?? []);
    // With its links in one transaction: the scheduler never sees the note without the cases it closes.
    await this.store.transaction(async (tx) => {
      await tx.announcements.insertIfNew(announcement);
      if (caseIds.length > 0) await tx.announcements.linkCases(announcement.id, caseIds, now);
    });
    if (this.timer && announcement.scheduledAt <= now) this.kick();
    return { ...announcement, cases: await this.linkedCaseNumbers(announcement.id) };
  }

  async list(filter: { sourceId?: string; limit?: number } = {}): Promise<ListedAnnouncement[]> {
    const announcements = await this.store.announcements.list({ limit: 100, ...filter });
    return Promise.all(announcements.map(async (a) => ({ ...a, cases: await this.linkedCaseNumbers(a.id) })));
  }

  /**
   * Makes the announcement a release note closing these cases (by number) once it is posted; an empty
   * list unlinks them. Only before it goes out: a posted one has released its cases already.
   */
  async linkCases(id: string, numbers: number[]): Promise<ListedAnnouncement> {
    const announcement = await this.get(id);
    const caseIds = await this.releasableCases(numbers);
    await this.store.transaction(async (tx) => {
      // Read again in the transaction: the scheduler may have claimed it meanwhile.
      const current = await tx.announcements.get(id);
      if (current?.status !== 'scheduled')
        throw new DomainError(
          'conflict',
          `announcement is ${current?.status ?? 'gone'}; its cases are fixed`,
        );
      await tx.announcements.linkCases(id, caseIds, this.now().toISOString());
    });
    return { ...announcement, cases: await this.linkedCaseNumbers(id) };
  }

  /** The ids of the bug reports and feature requests with these numbers; a 400 names any other. */
  private async releasableCases(numbers: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const number of new Set(numbers)) {
      const kase = await this.store.cases.getByNumber(number);
      if (!kase) throw invalid(`there is no case #${number}`, { field: 'cases' });
      if (kase.kind === 'support')
        throw invalid(
          `#${number} is a support case; a release note closes bug reports and feature requests`,
          {
            field: 'cases',
          },
        );
      ids.push(kase.id);
    }
    return ids;
  }

  private async linkedCaseNumbers(id: string): Promise<number[]> {
    const numbers: number[] = [];
    for (const caseId of await this.store.announcements.linkedCases(id)) {
      const kase = await this.store.cases.get(caseId);
      if (kase) numbers.push(kase.number);
    }
    return numbers;
  }

  async get(id: string): Promise<Announcement> {
    const found = await this.store.announcements.get(id);
    if (!found) throw notFound('Announcement', id);
    return found;
  }

  /** Cancels a scheduled announcement that has not gone out yet. */
  async cancel(id: string): Promise<Announcement> {
    const announcement = await this.get(id);
    if (announcement.status !== 'scheduled')
      throw new DomainError('conflict', `announcement is ${announcement.status}`);
    const cancelled: Announcement = { ...announcement, status: 'failed', error: 'cancelled' };
    await this.store.announcements.update(cancelled);
    return cancelled;
  }

  /**
   * A signed webhook delivery: checks the source, the timestamp window, the signature and replays
   * before reading the body; throws WebhookAuthError (401) when any fails, and posts nothing then.
   */
  async receiveWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<{ announcement: Announcement; duplicate: boolean }> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const sourceId = header(webhookHeaders.source);
    const timestamp = header(webhookHeaders.timestamp);
    const signature = header(webhookHeaders.signature);
    if (!sourceId || !timestamp || !signature)
      throw new WebhookAuthError(
        `${webhookHeaders.source}, ${webhookHeaders.timestamp} and ${webhookHeaders.signature} are required`,
      );
    const source = await this.store.announcements.getSource(sourceId);
    if (source?.kind !== 'webhook' || !source.secret || !source.enabled)
      throw new WebhookAuthError('unknown or disabled webhook source');
    if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookAuthError('the timestamp must be Unix seconds');
    const now = this.now().getTime();
    const sentAt = Number(timestamp) * 1000;
    if (Math.abs(now - sentAt) > this.options.replayWindowMs)
      throw new WebhookAuthError('the timestamp is outside the 5-minute window');
    if (!signatureMatches(source.secret, timestamp, rawBody, signature))
      throw new WebhookAuthError('the signature does not match');
    const expiresAt = new Date(sentAt + this.options.replayWindowMs).toISOString();
    if (!(await this.store.announcements.rememberDelivery(`${source.id}:${signature}`, expiresAt)))
      throw new WebhookAuthError('this delivery was already received (replay)');
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw invalid('the body is not JSON');
    }
    const parsed = webhookBodySchema.safeParse(json);
    if (!parsed.success)
      throw invalid(
        `invalid announcement: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      );
    const body = parsed.data;
    const announcement = this.draft(
      {
        title: body.title,
        url: body.url ?? null,
        summary: body.summary ?? null,
        imageUrl: body.imageUrl ?? null,
        sourceName: source.name,
        publishedAt: this.now().toISOString(),
      },
      {
        sourceId: source.id,
        externalKey: body.id ?? `delivery:${signature}`,
        guildId: source.guildId,
        channelId: source.channelId,
        scheduledAt: this.now().toISOString(),
        position: 0,
      },
    );
    const inserted = await this.store.announcements.insertIfNew(announcement);
    if (!inserted) {
      const existing = (await this.store.announcements.list({ sourceId: source.id, limit: 500 })).find(
        (a) => a.externalKey === announcement.externalKey,
      );
      return { announcement: existing ?? announcement, duplicate: true };
    }
    await this.publishDue();
    return {
      announcement: (await this.store.announcements.get(announcement.id)) ?? announcement,
      duplicate: false,
    };
  }

  // ---- posting -------------------------------------------------------------------------------

  /**
   * Claims due announcements (in a transaction) and posts them in order. Runs one at a time in this
   * process, and the claim holds back a post while an earlier one to the same channel is being sent by
   * another instance, so that posts claimed later never overtake earlier ones.
   */
  publishDue(): Promise<number> {
    const run = this.publishing.then(() => this.publishDueNow());
    this.publishing = run.catch(() => 0);
    return run;
  }

  private async publishDueNow(): Promise<number> {
    let posted = 0;
    for (;;) {
      const now = this.now();
      const staleBefore = new Date(now.getTime() - this.options.staleClaimMs).toISOString();
      const batch = await this.store.announcements.claimDue(now.toISOString(), staleBefore, 20);
      if (batch.length === 0) return posted;
      for (const announcement of batch) if (await this.send(announcement)) posted += 1;
      if (batch.length < 20) return posted;
    }
  }

  private async send(announcement: Announcement): Promise<boolean> {
    try {
      const result = await this.poster.post(
        { guildId: announcement.guildId, channelId: announcement.channelId },
        announcementMessage(announcement),
      );
      const posted: Announcement = {
        ...announcement,
        status: 'posted',
        channelId: result.channelId,
        messageId: result.messageId,
        published: result.published,
        postedAt: this.now().toISOString(),
        error: null,
      };
      if (this.options.release) await this.options.release(posted, releaseNoteOf(posted));
      else await this.store.announcements.update(posted);
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const retry =
        error instanceof ConnectorError &&
        error.retryable &&
        announcement.attempts < this.options.maxAttempts;
      const next = new Date(
        this.now().getTime() +
          backoffMs(announcement.attempts, this.options.tickMs, this.options.backoffMaxMs),
      ).toISOString();
      await this.store.announcements.update({
        ...announcement,
        status: retry ? 'scheduled' : 'failed',
        ...(retry ? { scheduledAt: next } : {}),
        error: reason,
      });
      this.options.log.warn(
        { announcementId: announcement.id, guildId: announcement.guildId, retry, reason },
        'announcement not posted',
      );
      return false;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private contentOf(input: ComposeInput, sourceName: string | null): AnnouncementContent {
    return {
      title: input.title,
      url: input.url ?? null,
      summary: input.summary ?? null,
      imageUrl: input.imageUrl ?? null,
      sourceName,
      publishedAt: null,
    };
  }

  private draft(
    content: AnnouncementContent,
    at: Pick<Announcement, 'sourceId' | 'externalKey' | 'guildId' | 'channelId' | 'scheduledAt' | 'position'>,
  ): Announcement {
    return {
      ...content,
      ...at,
      id: newId(),
      status: 'scheduled',
      claimedAt: null,
      attempts: 0,
      postedAt: null,
      messageId: null,
      published: false,
      error: null,
      createdAt: this.now().toISOString(),
    };
  }

  private now(): Date {
    return this.clock.now();
  }
}
