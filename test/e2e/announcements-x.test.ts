import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../support/x-api-fake.ts';
import { XApiFake } from '../support/x-api-fake.ts';
import {
  type AnnouncementWorld,
  embedOf,
  startAnnouncementWorld,
  testAnnouncementOptions,
} from './announcements-harness.ts';
import { eventually } from './discord-harness.ts';

interface SourceView {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  failures: number;
  lastError: string | null;
  nextPollAt: string | null;
  hasSecret: boolean;
  x?: { account: string; userId: string | null; handle: string | null; sinceId: string | null };
}

const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAx-bearer-token%2Fsecret';

/** Announcements from the brand's X account: the X API v2 of a local fake, posted through the Discord emulator. */
describe('announcements: X source', () => {
  let w: AnnouncementWorld;
  let x: XApiFake;
  const logged: string[] = [];
  const logSink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const logLines = () =>
    logged
      .flatMap((chunk) => chunk.split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    x = await XApiFake.start({ token: TOKEN });
    w = await startAnnouncementWorld(testAnnouncementOptions, {
      logger: pino({ level: 'info' }, logSink),
      env: { X_API_URL: x.url, SWITCHBOARD_X_MIN_POLL_SECONDS: '2' },
    });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    await x?.close();
  });

  const sources = async () =>
    ((await (await w.admin('GET', '/api/v1/announcement-sources')).json()) as { sources: SourceView[] })
      .sources;
  const source = async (id: string) => (await sources()).find((s) => s.id === id);
  const create = async (body: Record<string, unknown>) => {
    const res = await w.admin('POST', '/api/v1/announcement-sources', {
      kind: 'x',
      token: TOKEN,
      pollIntervalSeconds: 2,
      guildId: w.guild.id,
      ...body,
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(TOKEN);
    const parsed = JSON.parse(text) as { source: SourceView; secret: string | null };
    expect(parsed.secret).toBeNull();
    return parsed.source;
  };
  const stop = (id: string) => w.admin('PATCH', `/api/v1/announcement-sources/${id}`, { enabled: false });
  /** The posts in the announcements channel that came from this account, oldest first. */
  const postsOf = (user: FakeUser) =>
    w.posts().filter((m) => embedOf(m).url?.startsWith(`https://x.com/${user.username}/status/`));
  const linkOf = (user: FakeUser, id: string) => `https://x.com/${user.username}/status/${id}`;
  const timelineOf = (user: FakeUser) => x.requests.filter((r) => r.path === `/2/users/${user.id}/tweets`);

  it('creates X sources for admins only, refuses bad input with 400 and never returns the token', async () => {
    // Not signed in: 401. An agent: 403.
    const anonymous = await fetch(`${w.base}/api/v1/announcement-sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ kind: 'x', name: 'X', token: TOKEN, account: 'acme', guildId: w.guild.id }),
    });
    expect(anonymous.status).toBe(401);
    const agent = await w.admin('POST', '/api/v1/agents', {
      email: 'ava@example.com',
      name: 'Ava',
      role: 'agent',
      password: 'ava-password-1',
    });
    expect(agent.status).toBe(201);
    const login = await fetch(`${w.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ava@example.com', password: 'ava-password-1' }),
    });
    const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('sb_session=')) ?? '').split(
      ';',
    )[0];
    const asAgent = await fetch(`${w.base}/api/v1/announcement-sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1', cookie: cookie ?? '' },
      body: JSON.stringify({ kind: 'x', name: 'X', token: TOKEN, account: 'acme', guildId: w.guild.id }),
    });
    expect(asAgent.status).toBe(403);

    const refused = async (body: Record<string, unknown>, reason: RegExp) => {
      const res = await w.admin('POST', '/api/v1/announcement-sources', {
        kind: 'x',
        name: 'Acme on X',
        guildId: w.guild.id,
        ...body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(reason);
    };
    await refused({ account: 'acme' }, /bearer token/);
    await refused({ token: TOKEN }, /account/);
    await refused({ token: TOKEN, account: 'not a handle!' }, /@handle or a numeric X user id/);
    await refused({ token: 'two words', account: 'acme' }, /bearer token/);
    await refused({ token: TOKEN, account: 'acme', pollIntervalSeconds: 1 }, /at most every 2 s/);
    await refused({ token: TOKEN, account: 'acme', includeReplies: 'yes' }, /includeReplies/);
    expect((await sources()).filter((s) => s.kind === 'x')).toEqual([]);

    const created = await create({ name: 'Quiet on X', account: '@quiet', enabled: false });
    expect(created).toMatchObject({ kind: 'x', hasSecret: true, x: { account: 'quiet' } });
    expect(created).not.toHaveProperty('secret');
    for (const path of ['/api/v1/announcement-sources', `/api/v1/announcement-sources/${created.id}`])
      expect(await (await w.admin('GET', path)).text()).not.toContain(TOKEN);
    const patched = await w.admin('PATCH', `/api/v1/announcement-sources/${created.id}`, {
      token: `${TOKEN}-new`,
    });
    expect(patched.status).toBe(200);
    expect(await patched.text()).not.toContain(TOKEN);
    const tooOften = await w.admin('PATCH', `/api/v1/announcement-sources/${created.id}`, {
      pollIntervalSeconds: 1,
    });
    expect(tooOften.status).toBe(400);
    expect((await w.admin('DELETE', `/api/v1/announcement-sources/${created.id}`)).status).toBe(204);
  });

  it('announces each post once, oldest first, with its media and link; replies and reposts skipped', async () => {
    const acme = x.addUser('acme');
    const launch = x.post(acme, {
      text: 'Season 2 is live!\nNew maps &amp; modes, patch notes:',
      links: ['https://acme.test/patch-notes'],
      media: ['season2', 'maps', 'modes'].map((name) => ({
        type: 'photo' as const,
        url: `https://pbs.twimg.com/media/${name}.jpg`,
      })),
      createdAt: '2026-01-01T10:00:00.000Z',
    });
    const reply = x.post(acme, { text: '@someone thanks, fixed!', replyTo: '1234' });
    const repost = x.post(acme, { text: 'our partner ships', repostOf: '5678' });
    const quote = x.post(acme, { text: 'Our team at the expo', quoteOf: '9012' });
    const trailer = x.post(acme, {
      text: 'The trailer',
      media: [{ type: 'video', url: 'https://pbs.twimg.com/ext_tw_video_thumb/trailer.jpg' }],
    });
    const s = await create({ name: 'Acme on X', account: '@Acme' });

    const three = await w.discord.waitFor(
      () => (postsOf(acme).length >= 3 ? postsOf(acme) : undefined),
      15_000,
      'three X posts',
    );
    expect(three.map((m) => embedOf(m).url)).toEqual([
      linkOf(acme, launch),
      linkOf(acme, quote),
      linkOf(acme, trailer),
    ]);
    expect(embedOf(three[0])).toMatchObject({
      title: 'Season 2 is live!',
      description: 'Season 2 is live!\nNew maps & modes, patch notes: https://acme.test/patch-notes',
      image: { url: 'https://pbs.twimg.com/media/season2.jpg' },
      footer: { text: 'Acme on X' },
    });
    expect(three[0]?.embeds?.[0]?.timestamp).toBe('2026-01-01T10:00:00.000Z');
    // Every photo: the others as embeds sharing the post's link, which Discord shows as one gallery.
    expect(three[0]?.embeds?.slice(1)).toEqual(
      ['maps', 'modes'].map((name) => ({
        url: linkOf(acme, launch),
        image: { url: `https://pbs.twimg.com/media/${name}.jpg` },
      })),
    );
    // A video cannot play in an embed: its preview, and a line saying where it plays.
    expect(three[2]?.embeds).toHaveLength(1);
    expect(embedOf(three[2])).toMatchObject({
      image: { url: 'https://pbs.twimg.com/ext_tw_video_thumb/trailer.jpg' },
      description: `The trailer\n\n▶ Watch the video on X: ${linkOf(acme, trailer)}`,
    });
    // The handle and user id were looked up once.
    expect((await source(s.id))?.x).toMatchObject({ userId: acme.id, handle: 'acme' });

    // New posts (three pages of two), a reply among them: the next poll follows the pages, announces the
    // posts oldest first and asks for nothing older than the newest post seen, the reply included.
    x.maxPage = 2;
    const news = ['Patch 2.0.1', 'Patch 2.0.2', 'Patch 2.0.3', 'Patch 2.0.4'].map((text) =>
      x.post(acme, { text }),
    );
    const lastReply = x.post(acme, { text: '@fan yes!', replyTo: '4321' });
    await w.discord.waitFor(() => (postsOf(acme).length >= 7 ? true : undefined), 15_000, 'the four patches');
    await eventually('a poll since the last reply', () =>
      timelineOf(acme).some((r) => r.query.get('since_id') === lastReply),
    );
    expect(timelineOf(acme).some((r) => r.query.has('pagination_token'))).toBe(true);
    const urls = postsOf(acme).map((m) => embedOf(m).url);
    expect(urls).toEqual([launch, quote, trailer, ...news].map((id) => linkOf(acme, id)));
    for (const skipped of [reply, repost, lastReply]) expect(urls).not.toContain(linkOf(acme, skipped));
    // Each request asked for the fields and media an announcement needs.
    const query = timelineOf(acme)[0]?.query;
    expect(query?.get('tweet.fields')).toBe('created_at,attachments,referenced_tweets,entities');
    expect(query?.get('expansions')).toBe('attachments.media_keys');
    expect(query?.get('media.fields')).toBe('url,preview_image_url,type');
    expect(x.requests.filter((r) => r.path.startsWith('/2/users/by/username/'))).toHaveLength(1);
    x.maxPage = 100;

    // Chosen: replies and reposts are announced from now on.
    await w.admin('PATCH', `/api/v1/announcement-sources/${s.id}`, {
      includeReplies: true,
      includeReposts: true,
    });
    const answer = x.post(acme, { text: '@fan the servers are back', replyTo: '999' });
    const shared = x.post(acme, { text: 'big news from a partner', repostOf: '998' });
    await w.discord.waitFor(
      () => (postsOf(acme).length >= 9 ? true : undefined),
      15_000,
      'the reply and repost',
    );
    expect(
      postsOf(acme)
        .slice(-2)
        .map((m) => embedOf(m).url),
    ).toEqual([linkOf(acme, answer), linkOf(acme, shared)]);

    // A restart announces nothing again; a post made while down goes out once.
    let whileDown = '';
    await w.restart(() => {
      whileDown = x.post(acme, { text: 'Posted while Switchboard was down' });
    });
    await w.discord.waitFor(
      () => (postsOf(acme).some((m) => embedOf(m).url === linkOf(acme, whileDown)) ? true : undefined),
      15_000,
      'the post made while down',
    );
    const polls = timelineOf(acme).length;
    await eventually('two more polls after the restart', () => timelineOf(acme).length >= polls + 2);
    const all = postsOf(acme).map((m) => embedOf(m).url);
    expect(all).toHaveLength(10);
    expect(new Set(all).size).toBe(10);
    expect(all.at(-1)).toBe(linkOf(acme, whileDown));
    await stop(s.id);
  }, 60_000);

  it('honours a 429: no request before x-rate-limit-reset, then the posts go out', async () => {
    const busy = x.addUser('busyacme');
    const id = x.post(busy, { text: 'Launch day' });
    const until = Date.now() + 2_500;
    x.throttle(until);
    const s = await create({ name: 'Busy on X', account: 'busyacme' });
    const first = await eventually('a 429', () =>
      x.requests.find((r) => r.path.includes('busyacme') && r.status === 429),
    );
    await w.discord.waitFor(
      () => (postsOf(busy).length === 1 ? true : undefined),
      15_000,
      'the post after the reset',
    );
    const mine = x.requests.filter((r) => r.path.includes('busyacme') || r.path.includes(busy.id));
    const reset = Math.ceil(until / 1000) * 1000;
    // One request met the limit; the next waited for the reset the 429 announced.
    expect(mine.filter((r) => r.at >= first.at && r.at < reset)).toEqual([first]);
    expect(mine.filter((r) => r.status === 429)).toHaveLength(1);
    expect(embedOf(postsOf(busy)[0]).url).toBe(linkOf(busy, id));
    await stop(s.id);
  }, 30_000);

  it('waits for x-rate-limit-reset once x-rate-limit-remaining is 0, and so never meets a 429', async () => {
    const steady = x.addUser('steadyacme');
    x.post(steady, { text: 'Before the window' });
    // Two timeline requests per 5 s window, polled every 2 s: the second uses the window up.
    x.resetWindows(2, 5_000);
    const s = await create({ name: 'Steady on X', account: 'steadyacme' });
    await w.discord.waitFor(
      () => (postsOf(steady).length === 1 ? true : undefined),
      15_000,
      'the first post',
    );
    const mine = () => timelineOf(steady);
    const usedUp = await eventually('a response with no request left', () =>
      mine().find((r) => r.remaining === 0),
    );
    const next = await eventually('the request after the reset', () => mine().find((r) => r.at > usedUp.at));
    expect(next.at).toBeGreaterThanOrEqual(usedUp.resetAt ?? Number.POSITIVE_INFINITY);
    const later = x.post(steady, { text: 'After the window' });
    await w.discord.waitFor(
      () => (postsOf(steady).some((m) => embedOf(m).url === linkOf(steady, later)) ? true : undefined),
      15_000,
      'the post after the window',
    );
    expect(mine().filter((r) => r.status === 429)).toEqual([]);
    await stop(s.id);
    x.resetWindows(900, 15 * 60_000);
  }, 30_000);

  it('a refused token stops the source with the reason until an admin gives a new one', async () => {
    const brand = x.addUser('tokenacme');
    x.post(brand, { text: 'Hello from the brand' });
    const s = await create({ name: 'Wrong token on X', account: 'tokenacme', token: 'revoked-token' });
    const stopped = await eventually('the source stopped', async () => {
      const view = await source(s.id);
      return view && !view.enabled && view.lastError ? view : null;
    });
    expect(stopped.lastError).toMatch(/^unauthorized: the X API refused the bearer token \(HTTP 401/);
    expect(stopped.nextPollAt).toBeNull();
    // No hammering: other sources poll on, this one asks nothing more.
    const refused = () => x.requests.filter((r) => r.path.includes('tokenacme') && !r.authorized);
    expect(refused()).toHaveLength(1);
    x.addUser('tickeracme');
    const other = await create({ name: 'Ticker on X', account: 'tickeracme' });
    await eventually(
      'the other source polled twice',
      () =>
        x.requests.filter((r) => r.path.includes(`/2/users/`) && r.at > (refused()[0]?.at ?? 0)).length >= 3,
    );
    expect(refused()).toHaveLength(1);
    const line = logLines().find((l) => l.msg === 'X source stopped: an admin must change it');
    expect(line).toMatchObject({ sourceId: s.id, status: 401 });

    const fixed = await w.admin('PATCH', `/api/v1/announcement-sources/${s.id}`, {
      token: TOKEN,
      enabled: true,
    });
    expect(fixed.status).toBe(200);
    await w.discord.waitFor(() => (postsOf(brand).length === 1 ? true : undefined), 15_000, 'the post');
    expect((await source(s.id))?.lastError).toBeNull();
    await stop(s.id);
    await stop(other.id);
  }, 30_000);

  it('retries a 5xx and a bad payload with back-off, logs them with context and loses nothing', async () => {
    const shaky = x.addUser('shakyacme');
    const first = x.post(shaky, { text: 'First' });
    const second = x.post(shaky, { text: 'Second' });
    x.failNext(shaky.id, 503, { garbage: '{"data":"not a list","meta":{}}' });
    const s = await create({ name: 'Shaky on X', account: 'shakyacme' });
    const failing = await eventually('two failures', async () => {
      const view = await source(s.id);
      return view && view.failures >= 2 ? view : null;
    });
    expect(failing.enabled).toBe(true);
    expect(failing.nextPollAt).not.toBeNull();
    await w.discord.waitFor(() => (postsOf(shaky).length === 2 ? true : undefined), 15_000, 'both posts');
    expect(postsOf(shaky).map((m) => embedOf(m).url)).toEqual([linkOf(shaky, first), linkOf(shaky, second)]);
    const failures = logLines().filter((l) => l.msg === 'X poll failed' && l.sourceId === s.id);
    expect(failures.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^server: HTTP 503/),
      expect.stringMatching(/^payload: unexpected timeline response: data/),
    ]);
    expect(failures[1]).toMatchObject({
      status: 200,
      endpoint: expect.stringContaining(`/2/users/${shaky.id}/tweets`),
    });
    expect((await source(s.id))?.lastError).toBeNull();
    await stop(s.id);
  }, 30_000);

  it('never logs the bearer token', () => {
    expect(logged.join('')).not.toContain(TOKEN);
    expect(logged.join('')).not.toContain('revoked-token');
  });
});
