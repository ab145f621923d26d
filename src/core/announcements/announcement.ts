/**
 * Official announcements: one-to-many posts in a brand's Discord announcements channels, from feeds
 * (RSS 2.0, Atom, JSON Feed), the brand's X account, signed webhooks, or composed by an admin in the desktop.
 */

export const announcementSourceKinds = ['feed', 'webhook', 'x'] as const;
export type AnnouncementSourceKind = (typeof announcementSourceKinds)[number];

/** Where announcements come from, and where they go (a guild's announcements channel unless `channelId`). */
export interface AnnouncementSource {
  id: string;
  kind: AnnouncementSourceKind;
  name: string;
  /** Feed URL (feeds only). */
  url: string | null;
  pollIntervalSeconds: number;
  guildId: string;
  channelId: string | null;
  /** HMAC key of a webhook source (shown once on creation) or an X source's bearer token; never listed. */
  secret: string | null;
  enabled: boolean;
  /** Conditional-request validators of the last 200 response. */
  etag: string | null;
  lastModified: string | null;
  /** Consecutive failures; the back-off grows with them. */
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastPolledAt: string | null;
  /** When the source is polled next (feeds, X). */
  nextPollAt: string | null;
  /** The X account and what of it is announced (X sources only). */
  x?: XAccount;
  createdAt: string;
  updatedAt: string;
}

/** The brand's X account an X source follows. */
export interface XAccount {
  /** The @handle (without `@`) or the numeric user id, as the admin gave it. */
  account: string;
  /** The user id and handle, looked up once from `account` (null until the first poll). */
  userId: string | null;
  handle: string | null;
  /** Replies (also the account's own threads) and reposts are skipped unless chosen; quotes are announced. */
  includeReplies: boolean;
  includeReposts: boolean;
  /** The newest post id seen: the next poll asks only for newer posts (`since_id`). */
  sinceId: string | null;
}

/** The embed an announcement is posted as. */
export interface AnnouncementContent {
  title: string;
  url: string | null;
  summary: string | null;
  imageUrl: string | null;
  /** The pictures after `imageUrl` (an X post's other photos), posted with it as one gallery; absent when none. */
  moreImageUrls?: string[];
  /** The source's name, shown in the embed's footer. */
  sourceName: string | null;
  publishedAt: string | null;
}

/**
 * `scheduled` → `posting` (claimed, about to be sent) → `posted`, or `failed` after Discord refused it.
 * A crash between sending and `posted` leaves `posting`: after `staleClaimMs` it is sent again
 * (at-least-once; see AnnouncementPublisher).
 */
export const announcementStatuses = ['scheduled', 'posting', 'posted', 'failed'] as const;
export type AnnouncementStatus = (typeof announcementStatuses)[number];

export interface Announcement extends AnnouncementContent {
  id: string;
  sourceId: string | null;
  /** The feed item's guid/id/link or the webhook's id: posted once per source. */
  externalKey: string | null;
  guildId: string;
  channelId: string | null;
  status: AnnouncementStatus;
  scheduledAt: string;
  /** Order among announcements scheduled at the same instant (feed items oldest first). */
  position: number;
  claimedAt: string | null;
  attempts: number;
  postedAt: string | null;
  messageId: string | null;
  published: boolean;
  error: string | null;
  createdAt: string;
}

/** Exponential back-off after `failures` consecutive failures: base · 2^(failures−1), capped. */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}
