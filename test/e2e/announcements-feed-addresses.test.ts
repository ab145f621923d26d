import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnouncementWorld,
  FeedServer,
  rss,
  startAnnouncementWorld,
  testAnnouncementOptions,
} from './announcements-harness.ts';
import { eventually } from './discord-harness.ts';

/** By default a feed source cannot reach the server's own machine or network (server-side request forgery). */
describe('announcements: feeds on private addresses', () => {
  let w: AnnouncementWorld;
  let feeds: FeedServer;
  beforeAll(async () => {
    feeds = await FeedServer.start();
    feeds.routes.set('/internal.xml', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(rss('Internal', [{ guid: 'secret-1', title: 'Internal only', date: '2026-01-01T00:00:00Z' }]));
    });
    // As installed: SWITCHBOARD_FEEDS_ALLOW_PRIVATE unset.
    w = await startAnnouncementWorld(testAnnouncementOptions, {
      env: { SWITCHBOARD_FEEDS_ALLOW_PRIVATE: '' },
    });
  });
  afterAll(async () => {
    await w?.close();
    await feeds?.close();
  });

  it('refuses a loopback feed with the reason on the source, and never requests it', async () => {
    const created = await w.admin('POST', '/api/v1/announcement-sources', {
      kind: 'feed',
      name: 'Internal',
      url: feeds.url('/internal.xml').replace('127.0.0.1', 'localhost'),
      pollIntervalSeconds: 1,
      guildId: w.guild.id,
    });
    expect(created.status).toBe(201);
    const { source } = (await created.json()) as { source: { id: string } };
    const failed = await eventually('the source marked failing', async () => {
      const res = await w.admin('GET', `/api/v1/announcement-sources/${source.id}`);
      const view = (await res.json()) as { lastError: string | null; failures: number };
      return view.lastError ? view : undefined;
    });
    expect(failed.lastError).toMatch(
      /^refused: address (127\.0\.0\.1|::1) \(of localhost\) is loopback; set SWITCHBOARD_FEEDS_ALLOW_PRIVATE=true/,
    );
    expect(feeds.requests).toEqual([]);
    expect(w.posts()).toEqual([]);
  });
});
