import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, screenshot, signIn, useBrowser } from '../support/browser.ts';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type AnnouncementWorld,
  embedOf,
  startAnnouncementWorld,
} from './announcements-harness.ts';

/**
 * Issue 6, desktop: admins manage sources and compose an announcement with a preview. Issue 9, item 16:
 * the page is styled, the server is picked by name, the preview renders Markdown, the notice tells the real status.
 */
describe('announcements: desktop admin page', () => {
  let w: AnnouncementWorld;
  beforeAll(async () => {
    w = await startAnnouncementWorld();
  });
  afterAll(() => w?.close());
  // Registered after the world, so that it closes first.
  const browser = useBrowser();

  it('adds a webhook source (secret shown once), shows a failing feed, previews and posts', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, w.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${w.base}/admin/announcements`);

    const sourceForm = page.locator('form.source-form');
    // Styled: the forms are laid out as grids, not the browser's default inline boxes.
    expect(await sourceForm.evaluate((el) => getComputedStyle(el).display)).toBe('grid');
    // The server is picked by name from those the bot is in; nobody types an id.
    await expect
      .poll(() => sourceForm.getByLabel('Server', { exact: true }).locator('option').allTextContents())
      .toContain('Acme');
    expect(await sourceForm.getByLabel('Server id').count()).toBe(0);
    await sourceForm.getByLabel('Kind').selectOption('webhook');
    await sourceForm.getByLabel('Name').fill('Status page');
    await sourceForm.getByLabel('Server', { exact: true }).selectOption({ label: 'Acme' });
    await sourceForm.getByRole('button', { name: 'Add source' }).click();
    const secret = (await page.locator('.secret-once code.secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'I stored it' }).click();
    await expect.poll(() => page.locator('.secret-once').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    const webhookRow = page.locator('table.sources tr', { hasText: 'Status page' });
    expect(await webhookRow.textContent()).toContain('Acme / announcements');

    // A feed nobody serves: the table says it is failing and why.
    await sourceForm.getByLabel('Kind').selectOption('feed');
    await sourceForm.getByLabel('Name').fill('Dead blog');
    await sourceForm.getByLabel('Feed URL').fill('http://127.0.0.1:9/feed.xml');
    await sourceForm.getByLabel('Server', { exact: true }).selectOption({ label: 'Acme' });
    await sourceForm.getByRole('button', { name: 'Add source' }).click();
    const dead = page.locator('table.sources tr', { hasText: 'Dead blog' });
    await expect.poll(() => dead.textContent(), { timeout: 15_000 }).toContain('failing');

    const compose = page.locator('form.compose-form');
    await compose.getByLabel('Server', { exact: true }).selectOption({ label: 'Acme' });
    await compose.getByLabel('Title').fill('Season 2 is live');
    await compose.getByLabel('Text').fill('**New maps** and modes.');
    await compose.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('.embed-preview').textContent()).toContain('Season 2 is live');
    // Markdown is shown as Discord shows it, not literally.
    expect(await page.locator('.embed-preview strong', { hasText: 'New maps' }).count()).toBe(1);
    expect(await page.locator('.embed-preview').textContent()).not.toContain('**');
    expect(w.posts()).toHaveLength(0);
    await screenshot(page, 'announcements-admin');
    await compose.getByRole('button', { name: 'Post now' }).click();
    const post = await w.discord.waitFor(
      () => w.posts().find((m) => embedOf(m).title === 'Season 2 is live'),
      10_000,
      'the composed post',
    );
    expect(embedOf(post).description).toBe('**New maps** and modes.');
    const row = page.locator('table.announcements tr', { hasText: 'Season 2 is live' });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('posted');
    // The notice follows the real status: posted, not "being posted".
    await expect
      .poll(() => page.locator('.notice[role="status"]').textContent(), { timeout: 15_000 })
      .toContain('“Season 2 is live” was posted in Acme');
    await context.close();
  });
});
