import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely-store.ts';
import {
  type AnnouncementWorld,
  embedOf,
  FeedServer,
  rss,
  startAnnouncementWorld,
  testAnnouncementOptions,
} from './announcements-harness.ts';
import { eventually } from './discord-harness.ts';

interface SourceView {
  id: string;
  name: string;
  lastError: string | null;
  nextPollAt: string | null;
  failures: number;
  lastPolledAt: string | null;
}

/** Issue 6: feeds polled from a local HTTP server, posted once in order, also across a restart. */
describe('announcements: feeds', () => {
  let w: AnnouncementWorld;
  let feeds: FeedServer;
  const blog = [
    { guid: 'post-1', title: 'Version 1.0', date: '2026-01-01T10:00:00Z', image: 'https://acme.test/v1.png' },
    { guid: 'post-2', title: 'Version 1.1', date: '2026-01-02T10:00:00Z' },
  ];
  let etag = '"v1"';
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
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    feeds = await FeedServer.start();
    feeds.routes.set('/blog.xml', (req, res) => {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(rss('Acme blog', blog));
    });
    feeds.routes.set('/status.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/feed+json' }).end(
        JSON.stringify({
          version: 'https://jsonfeed.org/version/1.1',
          title: 'Status',
          items: [
            {
              id: 'inc-1',
              url: 'https://status.acme.test/1',
              title: 'All systems go',
              summary: 'Resolved',
              date_published: '2026-01-01T00:00:00Z',
            },
          ],
        }),
      );
    });
    feeds.routes.set('/changelog.atom', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/atom+xml' })
        .end(
          '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Changelog</title><id>urn:cl</id><updated>2026-01-01T00:00:00Z</updated>' +
            '<entry><title>Dark mode</title><id>urn:cl:2</id><link href="https://acme.test/cl/2"/><updated>2026-01-03T00:00:00Z</updated><summary>Now dark</summary></entry>' +
            '<entry><title>Light mode</title><id>urn:cl:1</id><link href="https://acme.test/cl/1"/><updated>2026-01-02T00:00:00Z</updated><summary>Now light</summary></entry></feed>',
        );
    });
    feeds.routes.set('/broken.xml', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end('<rss version="2.0"><channel><title>Oops</ti');
    });
    feeds.routes.set('/error', (_req, res) => {
      res.writeHead(500).end('boom');
    });
    feeds.routes.set('/slow.xml', () => {
      // Never answers: the reader's time-out must end the request.
    });
    feeds.routes.set('/loop', (_req, res) => {
      res.writeHead(302, { location: '/loop' }).end();
    });
    w = await startAnnouncementWorld(testAnnouncementOptions, { logger: pino({ level: 'warn' }, logSink) });
    const create = async (name: string, path: string) => {
      const res = await w.admin('POST', '/api/v1/announcement-sources', {
        kind: 'feed',
        name,
        url: feeds.url(path),
        pollIntervalSeconds: 1,
        guildId: w.guild.id,
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { source: { id: string }; secret: string | null };
      expect(body.secret).toBeNull();
      ids[name] = body.source.id;
    };
    // Failing sources first: the good ones must post regardless.
    await create('Broken', '/broken.xml');
    await create('Failing', '/error');
    await create('Slow', '/slow.xml');
    await create('Looping', '/loop');
    await create('Acme blog', '/blog.xml');
    await create('Changelog', '/changelog.atom');
    await create('Status', '/status.json');
  });
  afterAll(async () => {
    await w?.close();
    await feeds?.close();
  });

  const titles = () => w.posts().map((m) => embedOf(m).title);
  const sources = async () =>
    ((await (await w.admin('GET', '/api/v1/announcement-sources')).json()) as { sources: SourceView[] })
      .sources;

  it('posts new items of RSS, Atom and JSON Feed once, oldest first, as embeds, published', async () => {
    await w.discord.waitFor(() => titles().length >= 5 || undefined, 10_000, 'five posts');
    const all = titles();
    expect(all.filter((t) => t?.startsWith('Version'))).toEqual(['Version 1.0', 'Version 1.1']);
    expect(all.filter((t) => t?.endsWith('mode'))).toEqual(['Light mode', 'Dark mode']);
    expect(all).toContain('All systems go');
    const first = w.posts().find((m) => embedOf(m).title === 'Version 1.0');
    expect(embedOf(first)).toMatchObject({
      url: 'https://acme.test/post-1',
      description: 'About Version 1.0',
      image: { url: 'https://acme.test/v1.png' },
      footer: { text: 'Acme blog' },
    });
    // The announcements channel is an announcement channel: each post is published to followers.
    await w.discord.waitFor(
      () => w.posts().every((post) => ((post.flags ?? 0) & 1) === 1) || undefined,
      10_000,
      'every post crossposted',
    );
  });

  it('marks malformed XML, a 500, a time-out and a redirect loop as failing with the reason and next try', async () => {
    const failing = await eventually('four failing sources', async () => {
      const list = await sources();
      const bad = list.filter((s) => ['Broken', 'Failing', 'Slow', 'Looping'].includes(s.name));
      return bad.every((s) => s.lastError) ? bad : null;
    });
    const reason = (name: string) => failing.find((s) => s.name === name)?.lastError;
    expect(reason('Broken')).toMatch(/^parse:/);
    expect(reason('Failing')).toMatch(/^http: HTTP 500/);
    expect(reason('Slow')).toMatch(/^timeout:/);
    expect(reason('Looping')).toMatch(/^redirects:/);
    for (const source of failing) expect(source.nextPollAt).not.toBeNull();
    // Back-off: a failing source is tried again, and its failures add up.
    await eventually('a second failure', async () =>
      (await sources()).find((s) => s.name === 'Failing' && s.failures >= 2),
    );
    const good = (await sources()).filter((s) => ['Acme blog', 'Changelog', 'Status'].includes(s.name));
    for (const source of good) expect(source.lastError).toBeNull();
  });

  it('logs a poll failure it cannot record on the source, and "poll now" then answers 500', async () => {
    const created = await w.admin('POST', '/api/v1/announcement-sources', {
      kind: 'feed',
      name: 'Unrecordable',
      url: feeds.url('/error'),
      guildId: w.guild.id,
      enabled: false,
    });
    const { source } = (await created.json()) as { source: { id: string } };
    // The database refuses to store this source's error (as a full disk or a lost connection would).
    const db = (w.switchboard.center.store as KyselyStore).db;
    await sql
      .raw(
        `CREATE TRIGGER refuse_recording BEFORE UPDATE OF last_error ON announcement_sources
         WHEN NEW.id = '${source.id}' BEGIN SELECT RAISE(ABORT, 'database is full'); END`,
      )
      .execute(db);
    try {
      const poll = await w.admin('POST', `/api/v1/announcement-sources/${source.id}/poll`);
      expect(poll.status).toBe(500);
      const line = logLines().find(
        (l) => l.msg === 'feed poll failure not recorded on the source' && l.sourceId === source.id,
      );
      expect(line).toMatchObject({ reason: expect.stringMatching(/^http: HTTP 500/) });
      expect(JSON.stringify(line)).toContain('database is full');
    } finally {
      await sql.raw('DROP TRIGGER refuse_recording').execute(db);
    }
  });

  it('sends conditional requests and handles 304 without posting again', async () => {
    await eventually('a 304 from the blog feed', () =>
      feeds.requests.some(
        (r) => r.path === '/blog.xml' && r.status === 304 && r.headers['if-none-match'] === etag,
      ),
    );
    expect(titles().filter((t) => t === 'Version 1.0')).toHaveLength(1);
    expect((await sources()).find((s) => s.name === 'Acme blog')?.lastError).toBeNull();
  });

  it('posts a new item once; after a restart only newer items go out', async () => {
    blog.push({ guid: 'post-3', title: 'Version 1.2', date: '2026-01-03T10:00:00Z' });
    etag = '"v2"';
    await w.discord.waitFor(() => titles().includes('Version 1.2') || undefined, 10_000, 'Version 1.2');

    await w.restart(() => {
      blog.push({ guid: 'post-4', title: 'Version 2.0', date: '2026-01-04T10:00:00Z' });
      etag = '"v3"';
    });
    await w.discord.waitFor(() => titles().includes('Version 2.0') || undefined, 10_000, 'Version 2.0');
    // A further poll after the restart sees 304 and posts nothing.
    const after = feeds.requests.length;
    await eventually('another blog poll', () =>
      feeds.requests.slice(after).some((r) => r.path === '/blog.xml' && r.status === 304),
    );
    expect(titles().filter((t) => t?.startsWith('Version'))).toEqual([
      'Version 1.0',
      'Version 1.1',
      'Version 1.2',
      'Version 2.0',
    ]);
    for (const title of new Set(titles())) expect(titles().filter((t) => t === title)).toHaveLength(1);
  });
});
