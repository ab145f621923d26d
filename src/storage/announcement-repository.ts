import { type Selectable, sql } from 'kysely';
import type {
  Announcement,
  AnnouncementSource,
  AnnouncementStatus,
} from '../core/announcements/announcement.ts';
import type { AnnouncementRepository } from '../core/ports/repositories.ts';
import { engineOf } from './database.ts';
import { assertUpdated, atomically, type DbScope, fromFlag, fromJson, toFlag, toJson } from './db-scope.ts';

/** The PostgreSQL advisory lock that makes announcement claims one at a time ("ann" + "clm" in ASCII). */
const claimLockKey = 0x616e6e636c6dn;

export interface AnnouncementSourceTable {
  id: string;
  kind: string;
  name: string;
  url: string | null;
  poll_interval_seconds: number;
  guild_id: string;
  channel_id: string | null;
  secret: string | null;
  enabled: number;
  etag: string | null;
  last_modified: string | null;
  failures: number;
  last_error: string | null;
  last_error_at: string | null;
  last_polled_at: string | null;
  next_poll_at: string | null;
  /** While an instance polls the feed: until when its claim holds (null: nobody polls it). */
  poll_claimed_until: string | null;
  x_account: string | null;
  x_user_id: string | null;
  x_handle: string | null;
  x_include_replies: number | null;
  x_include_reposts: number | null;
  x_since_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface AnnouncementTable {
  id: string;
  source_id: string | null;
  external_key: string | null;
  guild_id: string;
  channel_id: string | null;
  title: string;
  url: string | null;
  summary: string | null;
  image_url: string | null;
  /** The pictures after the first, a JSON list (migration 0035); null when there is one or none. */
  more_image_urls: string | null;
  source_name: string | null;
  published_at: string | null;
  status: string;
  scheduled_at: string;
  position: number;
  claimed_at: string | null;
  attempts: number;
  posted_at: string | null;
  message_id: string | null;
  published: number;
  error: string | null;
  created_at: string;
}

export interface AnnouncementDeliveryTable {
  key: string;
  expires_at: string;
}

const sourceToRow = (s: AnnouncementSource): Selectable<AnnouncementSourceTable> => ({
  id: s.id,
  kind: s.kind,
  name: s.name,
  url: s.url,
  poll_interval_seconds: s.pollIntervalSeconds,
  guild_id: s.guildId,
  channel_id: s.channelId,
  secret: s.secret,
  enabled: toFlag(s.enabled),
  etag: s.etag,
  last_modified: s.lastModified,
  failures: s.failures,
  last_error: s.lastError,
  last_error_at: s.lastErrorAt,
  last_polled_at: s.lastPolledAt,
  next_poll_at: s.nextPollAt,
  // Storing a source's state (the outcome of its poll, an admin's change) ends a poll claim.
  poll_claimed_until: null,
  x_account: s.x?.account ?? null,
  x_user_id: s.x?.userId ?? null,
  x_handle: s.x?.handle ?? null,
  x_include_replies: s.x ? toFlag(s.x.includeReplies) : null,
  x_include_reposts: s.x ? toFlag(s.x.includeReposts) : null,
  x_since_id: s.x?.sinceId ?? null,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

const sourceFromRow = (r: Selectable<AnnouncementSourceTable>): AnnouncementSource => ({
  id: r.id,
  kind: r.kind === 'webhook' || r.kind === 'x' ? r.kind : 'feed',
  name: r.name,
  url: r.url,
  pollIntervalSeconds: Number(r.poll_interval_seconds),
  guildId: r.guild_id,
  channelId: r.channel_id,
  secret: r.secret,
  enabled: fromFlag(r.enabled),
  etag: r.etag,
  lastModified: r.last_modified,
  failures: Number(r.failures),
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
  lastPolledAt: r.last_polled_at,
  nextPollAt: r.next_poll_at,
  ...(r.kind === 'x'
    ? {
        x: {
          account: r.x_account ?? '',
          userId: r.x_user_id,
          handle: r.x_handle,
          includeReplies: fromFlag(r.x_include_replies ?? 0),
          includeReposts: fromFlag(r.x_include_reposts ?? 0),
          sinceId: r.x_since_id,
        },
      }
    : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRow = (a: Announcement): Selectable<AnnouncementTable> => ({
  id: a.id,
  source_id: a.sourceId,
  external_key: a.externalKey,
  guild_id: a.guildId,
  channel_id: a.channelId,
  title: a.title,
  url: a.url,
  summary: a.summary,
  image_url: a.imageUrl,
  more_image_urls: a.moreImageUrls?.length ? toJson(a.moreImageUrls) : null,
  source_name: a.sourceName,
  published_at: a.publishedAt,
  status: a.status,
  scheduled_at: a.scheduledAt,
  position: a.position,
  claimed_at: a.claimedAt,
  attempts: a.attempts,
  posted_at: a.postedAt,
  message_id: a.messageId,
  published: toFlag(a.published),
  error: a.error,
  created_at: a.createdAt,
});

const statusOf = (value: string): AnnouncementStatus =>
  value === 'posting' || value === 'posted' || value === 'failed' ? value : 'scheduled';

const fromRow = (r: Selectable<AnnouncementTable>): Announcement => ({
  id: r.id,
  sourceId: r.source_id,
  externalKey: r.external_key,
  guildId: r.guild_id,
  channelId: r.channel_id,
  title: r.title,
  url: r.url,
  summary: r.summary,
  imageUrl: r.image_url,
  // Only present with a gallery, so announcements read back equal what was written.
  ...(r.more_image_urls ? { moreImageUrls: fromJson<string[]>(r.more_image_urls) } : {}),
  sourceName: r.source_name,
  publishedAt: r.published_at,
  status: statusOf(r.status),
  scheduledAt: r.scheduled_at,
  position: Number(r.position),
  claimedAt: r.claimed_at,
  attempts: Number(r.attempts),
  postedAt: r.posted_at,
  messageId: r.message_id,
  published: fromFlag(r.published),
  error: r.error,
  createdAt: r.created_at,
});

export class KyselyAnnouncementRepository implements AnnouncementRepository {
  constructor(private readonly scope: DbScope) {}

  async createSource(source: AnnouncementSource): Promise<void> {
    await this.scope.db.insertInto('announcement_sources').values(sourceToRow(source)).execute();
  }

  async getSource(id: string): Promise<AnnouncementSource | undefined> {
    const row = await this.scope.db
      .selectFrom('announcement_sources')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && sourceFromRow(row);
  }

  async listSources(): Promise<AnnouncementSource[]> {
    const rows = await this.scope.db
      .selectFrom('announcement_sources')
      .selectAll()
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(sourceFromRow);
  }

  async updateSource(source: AnnouncementSource): Promise<void> {
    const { id, ...values } = sourceToRow(source);
    const result = await this.scope.db
      .updateTable('announcement_sources')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Announcement source', id);
  }

  async deleteSource(id: string): Promise<void> {
    await this.scope.db.deleteFrom('announcement_sources').where('id', '=', id).execute();
  }

  async claimDueSources(now: string, leaseUntil: string, limit: number): Promise<AnnouncementSource[]> {
    const db = this.scope.db;
    // One statement: the due feeds nobody holds are claimed; on PostgreSQL rows another instance is
    // claiming right now are skipped rather than waited for.
    let due = db
      .selectFrom('announcement_sources')
      .select('id')
      .where('kind', 'in', ['feed', 'x'])
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', now)]))
      .where((eb) => eb.or([eb('poll_claimed_until', 'is', null), eb('poll_claimed_until', '<=', now)]))
      .orderBy('next_poll_at', 'asc')
      .limit(limit);
    if (engineOf(db) === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await db
      .updateTable('announcement_sources')
      .set({ poll_claimed_until: leaseUntil })
      .where('id', 'in', due)
      // Checked again on the row itself, for an engine that took no row lock above.
      .where((eb) => eb.or([eb('poll_claimed_until', 'is', null), eb('poll_claimed_until', '<=', now)]))
      .returningAll()
      .execute();
    return rows
      .map(sourceFromRow)
      .sort((a, b) => (a.nextPollAt ?? '').localeCompare(b.nextPollAt ?? '') || a.id.localeCompare(b.id));
  }

  async claimSource(id: string, now: string, leaseUntil: string): Promise<AnnouncementSource | undefined> {
    const row = await this.scope.db
      .updateTable('announcement_sources')
      .set({ poll_claimed_until: leaseUntil })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('poll_claimed_until', 'is', null), eb('poll_claimed_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    return row && sourceFromRow(row);
  }

  async insertIfNew(announcement: Announcement): Promise<boolean> {
    const result = await this.scope.db
      .insertInto('announcements')
      .values(toRow(announcement))
      .onConflict((oc) => oc.columns(['source_id', 'external_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async get(id: string): Promise<Announcement | undefined> {
    const row = await this.scope.db
      .selectFrom('announcements')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(filter: {
    sourceId?: string;
    status?: AnnouncementStatus;
    limit?: number;
  }): Promise<Announcement[]> {
    let query = this.scope.db.selectFrom('announcements').selectAll();
    if (filter.sourceId !== undefined) query = query.where('source_id', '=', filter.sourceId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    query = query.orderBy('scheduled_at', 'desc').orderBy('position', 'desc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(fromRow);
  }

  async claimDue(now: string, staleBefore: string, limit: number): Promise<Announcement[]> {
    return atomically(this.scope.db, async (db) => {
      // Claims are taken one instance at a time, so that each sees the posts the other is sending.
      if (engineOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${claimLockKey})`.execute(db);
      const due = await db
        .selectFrom('announcements as a')
        .selectAll('a')
        .where((eb) =>
          eb.and([
            eb.or([
              eb.and([eb('a.status', '=', 'scheduled'), eb('a.scheduled_at', '<=', now)]),
              eb.and([eb('a.status', '=', 'posting'), eb('a.claimed_at', '<', staleBefore)]),
            ]),
            // Not while an earlier post to the same place is being sent (by another instance): posts
            // claimed later never overtake earlier ones, however many instances post.
            eb.not(
              eb.exists(
                eb
                  .selectFrom('announcements as e')
                  .select('e.id')
                  .where('e.status', '=', 'posting')
                  .where('e.claimed_at', '>=', staleBefore)
                  .whereRef('e.guild_id', '=', 'a.guild_id')
                  .where(
                    sql<boolean>`coalesce(${sql.ref('e.channel_id')}, '') = coalesce(${sql.ref('a.channel_id')}, '')`,
                  )
                  .where((inner) =>
                    inner.or([
                      inner('e.scheduled_at', '<', inner.ref('a.scheduled_at')),
                      inner.and([
                        inner('e.scheduled_at', '=', inner.ref('a.scheduled_at')),
                        inner('e.position', '<', inner.ref('a.position')),
                      ]),
                    ]),
                  ),
              ),
            ),
          ]),
        )
        .orderBy('a.scheduled_at', 'asc')
        .orderBy('a.position', 'asc')
        .limit(limit)
        .execute();
      const claimed: Announcement[] = [];
      for (const row of due) {
        const result = await db
          .updateTable('announcements')
          .set({ status: 'posting', claimed_at: now, attempts: Number(row.attempts) + 1 })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .where('attempts', '=', Number(row.attempts))
          .executeTakeFirst();
        if (result.numUpdatedRows > 0n)
          claimed.push(
            fromRow({ ...row, status: 'posting', claimed_at: now, attempts: Number(row.attempts) + 1 }),
          );
      }
      return claimed;
    });
  }

  async update(announcement: Announcement): Promise<void> {
    const { id, ...values } = toRow(announcement);
    const result = await this.scope.db
      .updateTable('announcements')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Announcement', id);
  }

  async rememberDelivery(key: string, expiresAt: string): Promise<boolean> {
    const result = await this.scope.db
      .insertInto('announcement_deliveries')
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async forgetDeliveriesBefore(now: string): Promise<void> {
    await this.scope.db.deleteFrom('announcement_deliveries').where('expires_at', '<', now).execute();
  }

  async linkCases(announcementId: string, caseIds: string[], at: string): Promise<void> {
    const unique = [...new Set(caseIds)];
    await atomically(this.scope.db, async (db) => {
      await db.deleteFrom('announcement_cases').where('announcement_id', '=', announcementId).execute();
      if (unique.length === 0) return;
      await db
        .insertInto('announcement_cases')
        .values(
          unique.map((caseId, position) => ({
            announcement_id: announcementId,
            case_id: caseId,
            position,
            created_at: at,
            released_at: null,
          })),
        )
        .execute();
    });
  }

  async linkedCases(announcementId: string): Promise<string[]> {
    const rows = await this.scope.db
      .selectFrom('announcement_cases')
      .select('case_id')
      .where('announcement_id', '=', announcementId)
      .orderBy('position', 'asc')
      .execute();
    return rows.map((r) => r.case_id);
  }

  /**
   * One `UPDATE … RETURNING`: on PostgreSQL the rows are locked, so of two concurrent callers only one sees
   * a link still unreleased; SQLite has a single writer.
   */
  async releaseLinkedCases(announcementId: string, at: string): Promise<string[]> {
    const rows = await this.scope.db
      .updateTable('announcement_cases')
      .set({ released_at: at })
      .where('announcement_id', '=', announcementId)
      .where('released_at', 'is', null)
      .returning(['case_id', 'position'])
      .execute();
    return rows.sort((a, b) => Number(a.position) - Number(b.position)).map((r) => r.case_id);
  }

  async claimReleaseNotice(announcementId: string, contactId: string, at: string): Promise<boolean> {
    const inserted = await this.scope.db
      .insertInto('release_notices')
      .values({ announcement_id: announcementId, contact_id: contactId, created_at: at })
      .onConflict((oc) => oc.columns(['announcement_id', 'contact_id']).doNothing())
      .returning('contact_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }
}
