import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Announcement, AnnouncementSource } from '../core/announcements/announcement.ts';
import type { Store } from '../core/ports/repositories.ts';

/** What every `AnnouncementRepository` must do, run against SQLite and PostgreSQL. */
export function describeAnnouncementRepositoryContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`announcement repository contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    const source = (over: Partial<AnnouncementSource> = {}): AnnouncementSource => ({
      id: randomUUID(),
      kind: 'feed',
      name: 'Blog',
      url: 'https://acme.test/feed.xml',
      pollIntervalSeconds: 60,
      guildId: '1',
      channelId: null,
      secret: null,
      enabled: true,
      etag: null,
      lastModified: null,
      failures: 0,
      lastError: null,
      lastErrorAt: null,
      lastPolledAt: null,
      nextPollAt: '2026-01-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...over,
    });
    const announcement = (over: Partial<Announcement> = {}): Announcement => ({
      id: randomUUID(),
      sourceId: null,
      externalKey: null,
      guildId: '1',
      channelId: null,
      title: 'Hello',
      url: null,
      summary: null,
      imageUrl: null,
      sourceName: null,
      publishedAt: null,
      status: 'scheduled',
      scheduledAt: '2026-01-01T00:00:00.000Z',
      position: 0,
      claimedAt: null,
      attempts: 0,
      postedAt: null,
      messageId: null,
      published: false,
      error: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      ...over,
    });

    it('stores, updates and deletes sources', async () => {
      const s = source({ kind: 'webhook', url: null, secret: 'k', nextPollAt: null });
      await store.announcements.createSource(s);
      expect(await store.announcements.getSource(s.id)).toEqual(s);
      await store.announcements.updateSource({ ...s, lastError: 'http: HTTP 500', failures: 2 });
      expect(await store.announcements.getSource(s.id)).toMatchObject({
        lastError: 'http: HTTP 500',
        failures: 2,
      });
      await store.announcements.deleteSource(s.id);
      expect(await store.announcements.getSource(s.id)).toBeUndefined();
    });

    it('stores an X source with its account, choices and newest post id, and claims it when due', async () => {
      const x = {
        account: 'acme',
        userId: null,
        handle: null,
        includeReplies: false,
        includeReposts: true,
        sinceId: null,
      };
      const s = source({ kind: 'x', url: null, secret: 'bearer', nextPollAt: '2001-01-01T00:00:00.000Z', x });
      await store.announcements.createSource(s);
      expect(await store.announcements.getSource(s.id)).toEqual(s);
      const resolved = { ...x, userId: '2244994945', handle: 'Acme', sinceId: '1800000000000000001' };
      await store.announcements.updateSource({ ...s, x: resolved });
      expect((await store.announcements.getSource(s.id))?.x).toEqual(resolved);
      const claimed = await store.announcements.claimDueSources(
        '2001-01-01T00:00:01.000Z',
        '2001-01-01T00:02:00.000Z',
        50,
      );
      expect(claimed.find((c) => c.id === s.id)?.x).toEqual(resolved);
      await store.announcements.deleteSource(s.id);
    });

    it("keeps an announcement's further pictures, in order, and none when there are none", async () => {
      const gallery = announcement({
        imageUrl: 'https://pbs.twimg.com/1.jpg',
        moreImageUrls: ['https://pbs.twimg.com/2.jpg', 'https://pbs.twimg.com/3.jpg'],
      });
      const single = announcement({ imageUrl: 'https://pbs.twimg.com/1.jpg' });
      for (const a of [gallery, single]) expect(await store.announcements.insertIfNew(a)).toBe(true);
      expect(await store.announcements.get(gallery.id)).toEqual(gallery);
      expect(await store.announcements.get(single.id)).toEqual(single);
    });

    it('claims a due feed once until its lease ends', async () => {
      const s = source({ nextPollAt: '2000-01-01T00:00:00.000Z' });
      await store.announcements.createSource(s);
      const first = await store.announcements.claimDueSources(
        '2000-01-01T00:00:01.000Z',
        '2000-01-01T00:10:00.000Z',
        50,
      );
      expect(first.map((x) => x.id)).toContain(s.id);
      const second = await store.announcements.claimDueSources(
        '2000-01-01T00:00:02.000Z',
        '2000-01-01T00:10:00.000Z',
        50,
      );
      expect(second.map((x) => x.id)).not.toContain(s.id);
      await store.announcements.deleteSource(s.id);
    });

    it('keeps a claimed feed due, hands it over when the lease ends, and frees it when its outcome is stored', async () => {
      const s = source({ nextPollAt: '2001-01-01T00:00:00.000Z' });
      await store.announcements.createSource(s);
      const claim = (now: string, until: string) =>
        store.announcements.claimDueSources(now, until, 50).then((c) => c.filter((x) => x.id === s.id));
      expect(await claim('2001-01-01T00:00:01.000Z', '2001-01-01T00:02:01.000Z')).toHaveLength(1);
      // The desktop still shows when the feed was due, not the lease.
      expect((await store.announcements.getSource(s.id))?.nextPollAt).toBe('2001-01-01T00:00:00.000Z');
      expect(await claim('2001-01-01T00:02:00.000Z', '2001-01-01T00:04:00.000Z')).toEqual([]);
      // The poller died: once its lease has run out another instance takes the feed.
      expect(await claim('2001-01-01T00:02:01.000Z', '2001-01-01T00:04:01.000Z')).toHaveLength(1);
      // Its outcome stored (still due, as after an admin's "poll again"): free for the next claim at once.
      await store.announcements.updateSource({ ...s, nextPollAt: '2001-01-01T00:02:02.000Z' });
      expect(await claim('2001-01-01T00:02:03.000Z', '2001-01-01T00:04:03.000Z')).toHaveLength(1);
      await store.announcements.deleteSource(s.id);
    });

    it('claims one feed for a poll now unless a poll holds it', async () => {
      const s = source({ nextPollAt: '2999-01-01T00:00:00.000Z' });
      await store.announcements.createSource(s);
      const now = '2001-01-01T00:00:00.000Z';
      // Not due, and claimed all the same: an admin asked for it.
      expect((await store.announcements.claimSource(s.id, now, '2001-01-01T00:02:00.000Z'))?.id).toBe(s.id);
      expect(await store.announcements.claimSource(s.id, now, '2001-01-01T00:02:00.000Z')).toBeUndefined();
      await store.announcements.updateSource(s);
      expect((await store.announcements.claimSource(s.id, now, '2001-01-01T00:02:00.000Z'))?.id).toBe(s.id);
      expect(
        (await store.announcements.claimSource(s.id, '2001-01-01T00:02:00.000Z', '2001-01-01T00:04:00.000Z'))
          ?.id,
        'once the lease has run out',
      ).toBe(s.id);
      await store.announcements.deleteSource(s.id);
      expect(await store.announcements.claimSource(s.id, now, '2001-01-01T00:02:00.000Z')).toBeUndefined();
    });

    it('inserts an item once per source key', async () => {
      const sourceId = randomUUID();
      expect(await store.announcements.insertIfNew(announcement({ sourceId, externalKey: 'guid-1' }))).toBe(
        true,
      );
      expect(await store.announcements.insertIfNew(announcement({ sourceId, externalKey: 'guid-1' }))).toBe(
        false,
      );
      expect(
        await store.announcements.insertIfNew(
          announcement({ sourceId: randomUUID(), externalKey: 'guid-1' }),
        ),
      ).toBe(true);
      // Composed announcements have no key and never collide.
      expect(await store.announcements.insertIfNew(announcement())).toBe(true);
      expect(await store.announcements.insertIfNew(announcement())).toBe(true);
      expect(await store.announcements.list({ sourceId })).toHaveLength(1);
    });

    it('claims due announcements in order, once, and reclaims stale posting ones', async () => {
      const sourceId = randomUUID();
      const at = '1990-01-01T00:00:00.000Z';
      const b = announcement({ sourceId, externalKey: 'b', scheduledAt: at, position: 1, title: 'B' });
      const a = announcement({ sourceId, externalKey: 'a', scheduledAt: at, position: 0, title: 'A' });
      const later = announcement({ sourceId, externalKey: 'c', scheduledAt: '2999-01-01T00:00:00.000Z' });
      for (const x of [b, a, later]) await store.announcements.insertIfNew(x);
      const claimed = (
        await store.announcements.claimDue('1990-01-01T00:00:01.000Z', '1989-01-01T00:00:00.000Z', 500)
      ).filter((x) => x.sourceId === sourceId);
      expect(claimed.map((x) => [x.title, x.status, x.attempts])).toEqual([
        ['A', 'posting', 1],
        ['B', 'posting', 1],
      ]);
      const again = await store.announcements.claimDue(
        '1990-01-01T00:00:02.000Z',
        '1989-01-01T00:00:00.000Z',
        500,
      );
      expect(again.filter((x) => x.sourceId === sourceId)).toEqual([]);
      await store.announcements.update({ ...claimed[0]!, status: 'posted', messageId: '9', published: true });
      expect(await store.announcements.get(a.id)).toMatchObject({
        status: 'posted',
        messageId: '9',
        published: true,
      });
      // B was claimed and never marked posted (a crash): once stale it is claimed again.
      const stale = await store.announcements.claimDue(
        '1990-01-02T00:00:00.000Z',
        '1990-01-01T12:00:00.000Z',
        500,
      );
      expect(stale.filter((x) => x.sourceId === sourceId).map((x) => [x.title, x.attempts])).toEqual([
        ['B', 2],
      ]);
    });

    it('holds back a post while an earlier one to the same place is being posted, not posts elsewhere', async () => {
      const sourceId = randomUUID();
      const at = '1991-01-01T00:00:00.000Z';
      const guildId = `g-${randomUUID()}`;
      const [first, second, third] = [0, 1, 2].map((position) =>
        announcement({ sourceId, externalKey: `k${position}`, guildId, scheduledAt: at, position }),
      );
      const elsewhere = announcement({
        sourceId,
        externalKey: 'other',
        guildId,
        channelId: '77',
        scheduledAt: at,
      });
      for (const x of [first!, second!, third!, elsewhere]) await store.announcements.insertIfNew(x);
      const mine = (claimed: Announcement[]) =>
        claimed.filter((x) => x.sourceId === sourceId).map((x) => x.id);
      // One instance's claim took the first only (a batch of one), as a batch boundary does.
      expect(
        mine(await store.announcements.claimDue('1991-01-01T00:00:01.000Z', '1990-01-01T00:00:00.000Z', 1)),
      ).toEqual([first!.id]);
      // Another instance, meanwhile: the second and third wait for the first; the other channel does not.
      expect(
        mine(await store.announcements.claimDue('1991-01-01T00:00:02.000Z', '1990-01-01T00:00:00.000Z', 500)),
      ).toEqual([elsewhere.id]);
      await store.announcements.update({ ...(await store.announcements.get(first!.id))!, status: 'posted' });
      expect(
        mine(await store.announcements.claimDue('1991-01-01T00:00:03.000Z', '1990-01-01T00:00:00.000Z', 500)),
      ).toEqual([second!.id, third!.id]);
    });

    it('remembers webhook deliveries until they expire', async () => {
      const key = `src:${randomUUID()}`;
      expect(await store.announcements.rememberDelivery(key, '2026-01-01T00:05:00.000Z')).toBe(true);
      expect(await store.announcements.rememberDelivery(key, '2026-01-01T00:05:00.000Z')).toBe(false);
      await store.announcements.forgetDeliveriesBefore('2026-01-01T00:06:00.000Z');
      expect(await store.announcements.rememberDelivery(key, '2026-01-01T00:10:00.000Z')).toBe(true);
    });

    it('links cases to a release note, in order, replacing earlier links', async () => {
      const note = announcement();
      await store.announcements.insertIfNew(note);
      expect(await store.announcements.linkedCases(note.id)).toEqual([]);
      await store.announcements.linkCases(note.id, ['c-2', 'c-1', 'c-2'], '2026-01-01T00:00:00.000Z');
      expect(await store.announcements.linkedCases(note.id)).toEqual(['c-2', 'c-1']);
      await store.announcements.linkCases(note.id, ['c-3', 'c-1'], '2026-01-01T00:01:00.000Z');
      expect(await store.announcements.linkedCases(note.id)).toEqual(['c-3', 'c-1']);
      const other = announcement();
      await store.announcements.insertIfNew(other);
      await store.announcements.linkCases(other.id, ['c-1'], '2026-01-01T00:00:00.000Z');
      await store.announcements.linkCases(note.id, [], '2026-01-01T00:02:00.000Z');
      expect(await store.announcements.linkedCases(note.id)).toEqual([]);
      expect(await store.announcements.linkedCases(other.id)).toEqual(['c-1']);
    });

    it('releases each linked case once, however many callers race for it', async () => {
      const note = announcement();
      await store.announcements.insertIfNew(note);
      await store.announcements.linkCases(note.id, ['c-9', 'c-8', 'c-7'], '2026-01-01T00:00:00.000Z');
      const runs = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.announcements.releaseLinkedCases(note.id, '2026-01-02T00:00:00.000Z'),
        ),
      );
      expect(runs.filter((r) => r.length > 0)).toEqual([['c-9', 'c-8', 'c-7']]);
      expect(await store.announcements.releaseLinkedCases(note.id, '2026-01-03T00:00:00.000Z')).toEqual([]);
      expect(await store.announcements.linkedCases(note.id)).toEqual(['c-9', 'c-8', 'c-7']);
    });

    it('tells each member of a release note once', async () => {
      const note = announcement();
      const at = '2026-01-01T00:00:00.000Z';
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.announcements.claimReleaseNotice(note.id, 'member-1', at)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.announcements.claimReleaseNotice(note.id, 'member-2', at)).toBe(true);
      expect(await store.announcements.claimReleaseNotice(randomUUID(), 'member-1', at)).toBe(true);
    });
  });
}
