import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnnouncementWorld, embedOf, startAnnouncementWorld } from './announcements-harness.ts';
import { eventually } from './discord-harness.ts';

interface AnnouncementView {
  id: string;
  status: string;
  scheduledAt: string;
  postedAt: string | null;
  messageId: string | null;
}

/** Issue 6: admins compose announcements with a preview, post now or at a time; a restart loses none. */
describe('announcements: composed and scheduled', () => {
  let w: AnnouncementWorld;
  beforeAll(async () => {
    w = await startAnnouncementWorld();
  });
  afterAll(() => w?.close());

  const titles = () => w.posts().map((m) => embedOf(m).title);

  it('previews the embed without posting, and checks the input', async () => {
    const res = await w.admin('POST', '/api/v1/announcements/preview', {
      guildId: w.guild.id,
      title: 'Season 2',
      summary: 'New maps',
      url: 'https://acme.test/s2',
      imageUrl: 'https://acme.test/s2.png',
    });
    expect(res.status).toBe(200);
    const { message } = (await res.json()) as { message: { embeds: unknown[] } };
    expect(message.embeds[0]).toMatchObject({
      title: 'Season 2',
      description: 'New maps',
      url: 'https://acme.test/s2',
      image: { url: 'https://acme.test/s2.png' },
    });
    const bad = await w.admin('POST', '/api/v1/announcements/preview', { guildId: w.guild.id, title: '' });
    expect(bad.status).toBe(400);
    expect(w.posts()).toHaveLength(0);
  });

  it('posts now', async () => {
    const res = await w.admin('POST', '/api/v1/announcements/posts', { guildId: w.guild.id, title: 'Hello' });
    expect(res.status).toBe(201);
    await w.discord.waitFor(() => titles().includes('Hello') || undefined, 10_000, 'the post');
  });

  it('posts a scheduled announcement once at its time, also across a restart', async () => {
    const at = new Date(Date.now() + 1_500).toISOString();
    const res = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'Patch day',
      scheduledAt: at,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as AnnouncementView;
    expect(created.status).toBe('scheduled');
    expect(titles()).not.toContain('Patch day');

    // Restart before it is due: the schedule is in the database, not in memory.
    await w.restart();
    await w.discord.waitFor(() => titles().includes('Patch day') || undefined, 10_000, 'the scheduled post');
    const post = w.posts().find((m) => embedOf(m).title === 'Patch day');
    expect(new Date(post?.timestamp ?? 0).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());

    // Another restart and another post: the scheduled one is not sent again.
    await w.restart();
    const later = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'Later',
    });
    expect(later.status).toBe(201);
    await w.discord.waitFor(() => titles().includes('Later') || undefined, 10_000, 'the later post');
    expect(titles().filter((t) => t === 'Patch day')).toHaveLength(1);
    const list = (await (await w.admin('GET', '/api/v1/announcements/posts')).json()) as {
      announcements: AnnouncementView[];
    };
    const stored = list.announcements.find((a) => a.id === created.id);
    expect(stored).toMatchObject({ status: 'posted', messageId: post?.id });
  });

  it('cancels a scheduled announcement before it goes out', async () => {
    const res = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'Never',
      scheduledAt: new Date(Date.now() + 60 * 60_000).toISOString(),
    });
    const { id } = (await res.json()) as AnnouncementView;
    expect((await w.admin('POST', `/api/v1/announcements/posts/${id}/cancel`)).status).toBe(200);
    expect((await w.admin('POST', `/api/v1/announcements/posts/${id}/cancel`)).status).toBe(409);
    await eventually(
      'stored as cancelled',
      async () => (await w.switchboard.announcements.get(id)).error === 'cancelled',
    );
  });

  it('lets only admins manage announcements', async () => {
    const anonymous = await fetch(`${w.base}/api/v1/announcement-sources`);
    expect(anonymous.status).toBe(401);
  });
});
