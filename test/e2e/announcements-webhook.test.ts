import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/announcements/webhook-signature.ts';
import { type AnnouncementWorld, embedOf, startAnnouncementWorld } from './announcements-harness.ts';

/** Issue 6: `POST /api/v1/announcements`, signed with the source's secret (HMAC-SHA256, timestamped). */
describe('announcements: signed webhook', () => {
  let w: AnnouncementWorld;
  let sourceId: string;
  let secret: string;
  beforeAll(async () => {
    w = await startAnnouncementWorld();
    const res = await w.admin('POST', '/api/v1/announcement-sources', {
      kind: 'webhook',
      name: 'Status page',
      guildId: w.guild.id,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { source: { id: string }; secret: string };
    sourceId = body.source.id;
    secret = body.secret;
    expect(secret.length).toBeGreaterThan(20);
  });
  afterAll(() => w?.close());

  const deliver = (raw: string, headers: Record<string, string>) =>
    fetch(`${w.base}/api/v1/announcements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });
  const signed = (raw: string, timestamp = Math.floor(Date.now() / 1000), key = secret) => ({
    'x-switchboard-source': sourceId,
    'x-switchboard-timestamp': String(timestamp),
    'x-switchboard-signature': signWebhook(key, timestamp, raw),
  });
  const titles = () => w.posts().map((m) => embedOf(m).title);

  it('shows the secret only once', async () => {
    const listed = await (await w.admin('GET', '/api/v1/announcement-sources')).text();
    expect(listed).not.toContain(secret);
    expect(listed).toContain('"hasSecret":true');
  });

  it('posts a delivery with a valid signature', async () => {
    const raw = JSON.stringify({ id: 'inc-42', title: 'Scheduled maintenance', summary: 'Sunday 02:00 UTC' });
    const res = await deliver(raw, signed(raw));
    expect(res.status).toBe(201);
    await w.discord.waitFor(
      () => titles().includes('Scheduled maintenance') || undefined,
      10_000,
      'the post',
    );
    expect(embedOf(w.posts().at(-1))).toMatchObject({
      description: 'Sunday 02:00 UTC',
      footer: { text: 'Status page' },
    });
  });

  it('rejects a bad signature, a stale timestamp and a replay with 401, posting nothing', async () => {
    const before = w.posts().length;
    const raw = JSON.stringify({ title: 'Forged' });
    expect((await deliver(raw, signed(raw, undefined, 'not-the-secret'))).status).toBe(401);
    const tampered = signed(raw);
    expect((await deliver(JSON.stringify({ title: 'Tampered' }), tampered)).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await deliver(raw, signed(raw, stale))).status).toBe(401);
    expect((await deliver(raw, { 'content-type': 'application/json' })).status).toBe(401);

    const once = JSON.stringify({ title: 'Replayed once' });
    const headers = signed(once);
    expect((await deliver(once, headers)).status).toBe(201);
    const replay = await deliver(once, headers);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/replay/);

    await w.discord.waitFor(
      () => titles().includes('Replayed once') || undefined,
      10_000,
      'the first delivery',
    );
    // A later post goes out, so the scheduler had every chance to post the refused ones.
    const later = JSON.stringify({ title: 'Later' });
    expect((await deliver(later, signed(later))).status).toBe(201);
    await w.discord.waitFor(() => titles().includes('Later') || undefined, 10_000, 'the later post');
    expect(w.posts().length).toBe(before + 2);
    expect(titles()).not.toContain('Forged');
    expect(titles()).not.toContain('Tampered');
  });

  it('answers a resent id with 200 and does not post it again; bad JSON is a 400', async () => {
    const raw = JSON.stringify({ id: 'inc-42', title: 'Scheduled maintenance' });
    const res = await deliver(raw, signed(raw));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { duplicate: boolean }).duplicate).toBe(true);
    const bad = JSON.stringify({ summary: 'no title' });
    expect((await deliver(bad, signed(bad))).status).toBe(400);
    const stored = await w.switchboard.announcements.list({ sourceId });
    expect(stored.filter((a) => a.externalKey === 'inc-42')).toHaveLength(1);
    expect(titles().filter((t) => t === 'Scheduled maintenance')).toHaveLength(1);
  });
});
