import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedServer, rss } from '../../test/e2e/announcements-harness.ts';
import { ManualClock } from '../core/ports/clock.ts';
import type { Store } from '../core/ports/repositories.ts';
import { openStore } from '../storage/kysely-store.ts';
import { sharedDatabases } from '../storage/test-support/shared-databases.ts';
import { type AnnouncementPoster, AnnouncementService } from './announcement-service.ts';

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the two-instance announcement tests: TEST_DATABASE_URL is not set');

/** Discord's side of posting, as both instances share it: every post in the order it arrived. */
class SharedChannel {
  readonly posts: { instance: string; title: string }[] = [];
  poster(instance: string): AnnouncementPoster {
    return {
      post: async (_target, body: RESTPostAPIChannelMessageJSONBody) => {
        // A request takes a while, as Discord's does: the other instance runs meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        this.posts.push({ instance, title: String(body.embeds?.[0]?.title ?? body.content) });
        return { messageId: String(this.posts.length), channelId: '222', published: true };
      },
      servers: async () => [],
    };
  }
  titles(): string[] {
    return this.posts.map((p) => p.title);
  }
}

/**
 * Two instances (two AnnouncementServices, each on its own store) on one PostgreSQL database, one
 * clock: each due feed is fetched by one of them once per interval, each item and each scheduled post
 * goes out once, in order.
 */
describe.skipIf(!baseUrl)('announcements on two instances sharing one PostgreSQL database', () => {
  const databases = sharedDatabases(baseUrl, 'switchboard-ann2-');
  const clock = new ManualClock('2026-05-01T12:00:00.000Z');
  const channel = new SharedChannel();
  const stores: Store[] = [];
  let feeds: FeedServer;
  let a: AnnouncementService;
  let b: AnnouncementService;
  const items: { guid: string; title: string; date: string }[] = [];
  const addItems = (from: number, to: number) => {
    for (let n = from; n <= to; n += 1)
      items.push({
        guid: `post-${n}`,
        title: `Post ${n}`,
        date: new Date(Date.UTC(2026, 0, n)).toISOString(),
      });
  };
  const fetches = () => feeds.requests.filter((r) => r.path === '/news.xml').length;
  /** Both instances run scheduler passes one after another, each at its own pace, at the same time. */
  const race = async (rounds = 12) => {
    const passes = async (service: AnnouncementService) => {
      for (let i = 0; i < rounds; i += 1) await service.tick();
    };
    await Promise.all([passes(a), passes(b)]);
  };

  beforeAll(async () => {
    const url = await databases.url('postgres');
    for (let i = 0; i < 2; i += 1) stores.push(await openStore({ url }));
    feeds = await FeedServer.start();
    feeds.routes.set('/news.xml', (_req, res) => {
      const body = rss('Acme news', items);
      // The feed answers after a moment, so that both instances' passes overlap the fetch.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body), 20);
    });
    const options = { feed: { allowPrivate: true, timeoutMs: 10_000 }, maxItemsPerPoll: 50 };
    a = new AnnouncementService(stores[0]!, channel.poster('a'), clock, options);
    b = new AnnouncementService(stores[1]!, channel.poster('b'), clock, options);
  });

  afterAll(async () => {
    await feeds?.close();
    for (const store of stores) await store.close();
    await databases.drop();
  });

  it('fetches a due feed once per interval and posts each item once, in order', async () => {
    addItems(1, 45);
    const { source } = await a.createSource({
      kind: 'feed',
      name: 'News',
      url: feeds.url('/news.xml'),
      pollIntervalSeconds: 60,
      guildId: '111',
    });
    await race();
    expect(fetches()).toBe(1);
    // More than one claim's worth (20): the instances must not interleave their batches.
    expect(channel.titles()).toEqual(items.map((i) => i.title));

    addItems(46, 48);
    clock.advance(30_000);
    await race();
    expect(fetches(), 'not due before its interval').toBe(1);
    clock.advance(31_000);
    await race();
    expect(fetches()).toBe(2);
    expect(channel.titles()).toEqual([...items.map((i) => i.title)]);

    clock.advance(61_000);
    await race();
    expect(fetches()).toBe(3);
    expect(channel.titles()).toHaveLength(48);
    expect(await b.getSource(source.id)).toMatchObject({ failures: 0, lastError: null });
  });

  it('takes a feed over when the instance that claimed it died mid-poll, once its lease has run out', async () => {
    clock.advance(61_000);
    const fetched = fetches();
    // A third instance claims the due feed and dies before it fetches anything.
    const lease = new Date(clock.now().getTime() + a.options.pollLeaseMs).toISOString();
    const taken = await stores[0]!.announcements.claimDueSources(clock.now().toISOString(), lease, 20);
    expect(taken).toHaveLength(1);
    await race(4);
    expect(fetches(), 'held by the dead instance').toBe(fetched);
    // An admin's "poll now" meanwhile is refused with a reason, not a second fetch.
    await expect(b.pollNow(taken[0]!.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(fetches()).toBe(fetched);
    clock.advance(a.options.pollLeaseMs);
    await race(4);
    expect(fetches()).toBe(fetched + 1);
    // Once that poll is over, "poll now" fetches at once, on either instance.
    expect((await b.pollNow(taken[0]!.id)).failures).toBe(0);
    expect(fetches()).toBe(fetched + 2);
  });

  it('posts each scheduled announcement once, whichever instance scheduled it', async () => {
    const before = channel.posts.length;
    const at = new Date(clock.now().getTime() + 10 * 60_000).toISOString();
    for (let n = 1; n <= 10; n += 1)
      await (n % 2 ? a : b).compose({ guildId: '111', title: `Scheduled ${n}`, scheduledAt: at });
    await race(4);
    expect(channel.posts.length, 'nothing before its time').toBe(before);
    clock.advance(10 * 60_000);
    await race();
    const scheduled = channel.titles().filter((t) => t.startsWith('Scheduled'));
    expect(scheduled.toSorted()).toEqual(
      Array.from({ length: 10 }, (_, i) => `Scheduled ${i + 1}`).toSorted(),
    );
    const posted = await stores[0]!.announcements.list({ status: 'posted', limit: 500 });
    expect(posted.filter((p) => p.title.startsWith('Scheduled'))).toHaveLength(10);
  });
});
