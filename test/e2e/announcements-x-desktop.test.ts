import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, launchBrowser, newPage, screenshot, signIn } from '../support/browser.ts';
import { XApiFake } from '../support/x-api-fake.ts';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type AnnouncementWorld,
  embedOf,
  startAnnouncementWorld,
  testAnnouncementOptions,
} from './announcements-harness.ts';

const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAdesktop-x-token';

/** Admin → Announcements: an X source added in the desktop; a refused token shown with its reason, then replaced. */
describe('announcements: X source in the desktop', () => {
  let w: AnnouncementWorld;
  let x: XApiFake;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuild();
    x = await XApiFake.start({ token: TOKEN });
    [w, browser] = await Promise.all([
      startAnnouncementWorld(testAnnouncementOptions, {
        env: { X_API_URL: x.url, SWITCHBOARD_X_MIN_POLL_SECONDS: '2' },
      }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
    await x?.close();
  });

  it('adds an X source, shows a refused token as stopped with the reason, and starts again with a new token', async () => {
    const brand = x.addUser('acmegames');
    const id = x.post(brand, {
      text: 'Season 3 <is> here',
      media: [{ type: 'photo', url: 'https://pbs.twimg.com/media/s3.jpg' }],
    });
    const { context, page } = await newPage(browser);
    await signIn(page, w.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${w.base}/admin/announcements`);
    const form = page.locator('form.source-form');
    await expect
      .poll(() => form.getByLabel('Server', { exact: true }).locator('option').allTextContents())
      .toContain('Acme');
    await form.getByLabel('Kind').selectOption('x');
    // X's rate limits: a longer default interval than a feed's.
    expect(await form.getByLabel('Poll every (seconds)').inputValue()).toBe('900');
    await form.getByLabel('Name').fill('Acme Games on X');
    await form.getByLabel('Account (@handle or user id)').fill('@acmegames');
    await form.getByLabel(/Bearer token/).fill('an-old-revoked-token');
    await form.getByLabel('Poll every (seconds)').fill('2');
    await form.getByLabel('Server', { exact: true }).selectOption({ label: 'Acme' });
    await form.getByRole('button', { name: 'Add source' }).click();

    const row = page.locator('table.sources tr', { hasText: 'Acme Games on X' });
    await expect
      .poll(() => row.locator('.source-status').textContent(), { timeout: 15_000 })
      .toMatch(/^stopped: unauthorized: the X API refused the bearer token \(HTTP 401/);
    expect(await row.textContent()).toContain('X @acmegames, every 2 s');
    // The token typed is never shown back.
    expect(await page.content()).not.toContain('an-old-revoked-token');
    expect(x.requests.filter((r) => !r.authorized)).toHaveLength(1);
    await screenshot(page, 'announcements-x-stopped');

    await row.getByRole('button', { name: 'New token' }).click();
    await row.getByLabel('New bearer token').fill(TOKEN);
    await row.getByRole('button', { name: 'Save token' }).click();
    const post = await w.discord.waitFor(
      () => w.posts().find((m) => embedOf(m).url === `https://x.com/acmegames/status/${id}`),
      15_000,
      'the X post',
    );
    expect(embedOf(post)).toMatchObject({
      title: 'Season 3 <is> here',
      image: { url: 'https://pbs.twimg.com/media/s3.jpg' },
    });
    await expect.poll(() => row.locator('.source-status').textContent(), { timeout: 15_000 }).toMatch(/^ok/);
    expect(await page.content()).not.toContain(TOKEN);
    // Outside text is shown as text in the list of posts.
    const listed = page.locator('table.announcements tr', { hasText: 'Season 3 <is> here' });
    await expect.poll(() => listed.count(), { timeout: 15_000 }).toBe(1);
    await context.close();
  }, 60_000);
});
