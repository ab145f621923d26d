import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnnouncementWorld, startAnnouncementWorld } from '../e2e/announcements-harness.ts';

/** The announcement API: admin-only management, clear 4xx on bad input, the webhook scheme documented. */
describe('announcements API', () => {
  let w: AnnouncementWorld;
  let agentCookie = '';
  beforeAll(async () => {
    w = await startAnnouncementWorld();
    await w.switchboard.center.agents.create({
      email: 'agent@example.com',
      name: 'Agent',
      role: 'agent',
      password: 'agent-password-42',
    });
    const res = await fetch(`${w.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@example.com', password: 'agent-password-42' }),
    });
    agentCookie =
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith('sb_session='))
        ?.split(';')[0] ?? '';
  });
  afterAll(() => w?.close());

  it('is for admins only', async () => {
    expect((await fetch(`${w.base}/api/v1/announcement-sources`)).status).toBe(401);
    const asAgent = await fetch(`${w.base}/api/v1/announcements/posts`, {
      method: 'POST',
      headers: { cookie: agentCookie, 'x-switchboard-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ guildId: w.guild.id, title: 'x' }),
    });
    expect(asAgent.status).toBe(403);
    expect(w.posts()).toHaveLength(0);
  });

  it('answers bad input with a clear 400 and stores nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'feed', name: 'Blog', guildId: w.guild.id }, /url/],
      [{ kind: 'feed', name: 'Blog', url: 'ftp://acme.test/feed', guildId: w.guild.id }, /url/],
      [{ kind: 'feed', name: 'Blog', url: 'https://acme.test/feed', guildId: 'acme' }, /guildId/],
      [{ kind: 'rss', name: 'Blog', guildId: w.guild.id }, /kind/],
      [{ kind: 'feed', name: '', url: 'https://acme.test/feed', guildId: w.guild.id }, /name/],
    ];
    for (const [body, pattern] of cases) {
      const res = await w.admin('POST', '/api/v1/announcement-sources', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(pattern);
    }
    const list = (await (await w.admin('GET', '/api/v1/announcement-sources')).json()) as {
      sources: unknown[];
    };
    expect(list.sources).toEqual([]);
    const post = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'x',
      scheduledAt: 'tomorrow',
    });
    expect(post.status).toBe(400);
  });

  it('changes, polls and deletes a source; unknown ids are 404', async () => {
    const created = await w.admin('POST', '/api/v1/announcement-sources', {
      kind: 'feed',
      name: 'Blog',
      url: 'http://127.0.0.1:9/feed.xml',
      pollIntervalSeconds: 3600,
      guildId: w.guild.id,
      enabled: false,
    });
    const { source } = (await created.json()) as { source: { id: string } };
    const changed = await w.admin('PATCH', `/api/v1/announcement-sources/${source.id}`, {
      name: 'Engineering blog',
    });
    expect(((await changed.json()) as { name: string }).name).toBe('Engineering blog');
    const polled = await w.admin('POST', `/api/v1/announcement-sources/${source.id}/poll`);
    expect(((await polled.json()) as { lastError: string }).lastError).toMatch(/^network:/);
    expect((await w.admin('DELETE', `/api/v1/announcement-sources/${source.id}`)).status).toBe(204);
    expect((await w.admin('GET', `/api/v1/announcement-sources/${source.id}`)).status).toBe(404);
    expect((await w.admin('POST', '/api/v1/announcements/posts/nope/cancel')).status).toBe(404);
  });

  it('documents the webhook signature in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${w.base}/api/docs/json`)).json()) as {
      paths: Record<string, { post?: { summary?: string } }>;
    };
    const summary = doc.paths['/api/v1/announcements']?.post?.summary ?? '';
    expect(summary).toContain('HMAC-SHA256');
    expect(summary).toContain('X-Switchboard-Signature');
    expect(summary).toContain('5 minutes');
  });
});
