import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XApiFake } from '../../test/support/x-api-fake.ts';
import { ManualClock } from '../core/ports/clock.ts';
import type { Store } from '../core/ports/repositories.ts';
import { openStore } from '../storage/kysely-store.ts';
import { sharedDatabases } from '../storage/test-support/shared-databases.ts';
import { type AnnouncementPoster, AnnouncementService } from './announcement-service.ts';

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the two-instance X source tests: TEST_DATABASE_URL is not set');

/**
 * Two instances (two AnnouncementServices, each on its own store) on one PostgreSQL database and one clock:
 * an X source is polled by one of them once per interval, and each post goes out once, oldest first.
 */
describe.skipIf(!baseUrl)('X source on two instances sharing one PostgreSQL database', () => {
  const databases = sharedDatabases(baseUrl, 'switchboard-x2-');
  const clock = new ManualClock('2026-05-01T12:00:00.000Z');
  const posted: string[] = [];
  const poster: AnnouncementPoster = {
    post: async (_target, body: RESTPostAPIChannelMessageJSONBody) => {
      await new Promise((resolve) => setImmediate(resolve));
      posted.push(String(body.embeds?.[0]?.url));
      return { messageId: String(posted.length), channelId: '222', published: true };
    },
    servers: async () => [],
  };
  const stores: Store[] = [];
  let x: XApiFake;
  let a: AnnouncementService;
  let b: AnnouncementService;
  const race = async (rounds = 8) => {
    const passes = async (service: AnnouncementService) => {
      for (let i = 0; i < rounds; i += 1) await service.tick();
    };
    await Promise.all([passes(a), passes(b)]);
  };

  beforeAll(async () => {
    const url = await databases.url('postgres');
    for (let i = 0; i < 2; i += 1) stores.push(await openStore({ url }));
    x = await XApiFake.start({ token: 'shared-token' });
    const options = { x: { baseUrl: x.url }, xMinPollIntervalSeconds: 60 };
    a = new AnnouncementService(stores[0]!, poster, clock, options);
    b = new AnnouncementService(stores[1]!, poster, clock, options);
  });

  afterAll(async () => {
    await x?.close();
    for (const store of stores) await store.close();
    await databases.drop();
  });

  it('looks the account up once, polls once per interval and announces each post once, in order', async () => {
    const acme = x.addUser('acme');
    const ids = [1, 2, 3].map((n) => x.post(acme, { text: `Post ${n}` }));
    const { source } = await a.createSource({
      kind: 'x',
      name: 'Acme on X',
      token: 'shared-token',
      account: 'acme',
      pollIntervalSeconds: 60,
      guildId: '111',
    });
    const timeline = () => x.timelineRequests().length;
    await race();
    expect(x.requests.filter((r) => r.path.startsWith('/2/users/by/username/'))).toHaveLength(1);
    expect(timeline()).toBe(1);
    const link = (id: string) => `https://x.com/acme/status/${id}`;
    expect(posted).toEqual(ids.map(link));

    ids.push(x.post(acme, { text: 'Post 4' }), x.post(acme, { text: 'Post 5' }));
    clock.advance(30_000);
    await race();
    expect(timeline(), 'not due before its interval').toBe(1);
    clock.advance(31_000);
    await race();
    expect(timeline()).toBe(2);
    expect(posted).toEqual(ids.map(link));
    expect(x.timelineRequests()[1]?.query.get('since_id')).toBe(ids[2]);
    expect(await b.getSource(source.id)).toMatchObject({
      failures: 0,
      lastError: null,
      x: { sinceId: ids[4] },
    });
  });
});
