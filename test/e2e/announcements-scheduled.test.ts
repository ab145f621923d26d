import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/ports/clock.ts';
import {
  type AnnouncementWorld,
  embedOf,
  startAnnouncementWorld,
  testAnnouncementOptions,
} from './announcements-harness.ts';
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
  // The scheduler's time is the test's: a post becomes due when the test moves the clock, not after a wait.
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    w = await startAnnouncementWorld(testAnnouncementOptions, { clock });
  });
  afterAll(() => w?.close());

  const titles = () => w.posts().map((m) => embedOf(m).title);
  const postNow = async (title: string) => {
    const res = await w.admin('POST', '/api/v1/announcements/posts', { guildId: w.guild.id, title });
    expect(res.status).toBe(201);
    await w.discord.waitFor(() => titles().includes(title) || undefined, 10_000, title);
  };
  const stored = async (id: string) =>
    (
      (await (await w.admin('GET', '/api/v1/announcements/posts')).json()) as {
        announcements: AnnouncementView[];
      }
    ).announcements.find((a) => a.id === id);

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
    const at = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    const res = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'Patch day',
      scheduledAt: at,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as AnnouncementView;
    expect(created.status).toBe('scheduled');

    // Restart before it is due: the schedule is in the database, not in memory.
    await w.restart();
    // A post for now goes out after the restart; the scheduler posts what is due in order, so once it is
    // out, a pass has seen the scheduled one and left it for its time.
    await postNow('Before the time');
    expect(titles()).not.toContain('Patch day');
    expect((await stored(created.id))?.status).toBe('scheduled');

    clock.advance(60 * 60_000);
    await w.discord.waitFor(() => titles().includes('Patch day') || undefined, 10_000, 'the scheduled post');
    const post = w.posts().find((m) => embedOf(m).title === 'Patch day');
    const posted = await eventually('stored as posted', async () => {
      const view = await stored(created.id);
      return view?.status === 'posted' ? view : undefined;
    });
    expect(posted).toMatchObject({ messageId: post?.id });
    expect(new Date(posted.postedAt ?? 0).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());

    // Another restart and another post: the scheduled one is not sent again.
    await w.restart();
    await postNow('Later');
    expect(titles().filter((t) => t === 'Patch day')).toHaveLength(1);
    expect(await stored(created.id)).toMatchObject({ status: 'posted', messageId: post?.id });
  });

  it('cancels a scheduled announcement before it goes out', async () => {
    const res = await w.admin('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      title: 'Never',
      scheduledAt: new Date(clock.now().getTime() + 24 * 60 * 60_000).toISOString(),
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
