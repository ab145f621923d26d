import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, signIn, useBrowser } from '../support/browser.ts';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type AnnouncementWorld,
  startAnnouncementWorld,
} from './announcements-harness.ts';

const member = (id: string) => ({ kind: 'contact', id }) as const;

/** Issue 15 in the desktop: feature requests by votes, merging a duplicate, a release note's cases. */
describe('desktop: the bug-and-feature loop', () => {
  let w: AnnouncementWorld;
  beforeAll(async () => {
    w = await startAnnouncementWorld();
  });
  afterAll(() => w?.close());
  // Registered after the world, so that it closes first.
  const browser = useBrowser();

  it('sorts feature requests by votes, merges a duplicate, and links a case to a release note', async () => {
    const cases = w.switchboard.center.cases;
    const original = await cases.create({ kind: 'feature', subject: 'Dark mode' }, member('a'));
    const duplicate = await cases.create({ kind: 'feature', subject: 'Night theme' }, member('b'));
    for (const voter of ['v1', 'v2']) await cases.vote(original.id, voter, member(voter));
    for (const voter of ['v2', 'v3', 'v4']) await cases.vote(duplicate.id, voter, member(voter));
    const bug = await cases.create({ kind: 'bug', subject: 'Crash on save' }, member('c'));

    const { context, page, watch } = await newPage(browser);
    await signIn(page, w.base, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${w.base}/cases`);
    await page.getByLabel('Kind').selectOption('feature');
    await page.getByLabel('Sort').selectOption('votes');
    const firstRow = page.locator('table.cases tbody tr').first();
    await expect.poll(() => firstRow.textContent()).toContain('Night theme');

    // Merge the duplicate: it points to the original, which counts the votes once each (v2 voted for both).
    await page.goto(`${w.base}/cases/${duplicate.number}`);
    const panel = page.locator(`.case-panel[data-case="${duplicate.number}"]`);
    await panel.getByLabel('Merge into case').fill(`#${original.number}`);
    await panel.getByRole('button', { name: 'Merge' }).click();
    await expect
      .poll(() => panel.locator('.duplicate-of').textContent())
      .toBe(`Duplicate of #${original.number}`);
    expect(await panel.getByLabel('Case status').inputValue()).toBe('closed');
    expect((await cases.get(original.id)).votes).toBe(4);
    await panel.locator('.duplicate-of').getByRole('link').click();
    await expect
      .poll(() => page.locator(`.case-panel[data-case="${original.number}"] .votes`).textContent())
      .toBe('▲ 4');

    // A release note composed with the bug's number: posted, the bug is solved and shows what fixed it.
    await page.goto(`${w.base}/admin/announcements`);
    const compose = page.locator('form.compose-form');
    await expect
      .poll(() => compose.getByLabel('Server', { exact: true }).locator('option').allTextContents())
      .toContain('Acme');
    await compose.getByLabel('Server', { exact: true }).selectOption({ label: 'Acme' });
    await compose.getByLabel('Title').fill('Version 5');
    await compose.getByLabel('Closes cases (release note)').fill(`#${bug.number}`);
    await compose.getByRole('button', { name: 'Post now' }).click();
    const row = page.locator('table.announcements tr', { hasText: 'Version 5' });
    await expect.poll(() => row.locator('.release-cases').textContent()).toContain(`#${bug.number}`);
    await expect.poll(async () => (await cases.get(bug.id)).status, { timeout: 15_000 }).toBe('solved');
    await page.goto(`${w.base}/cases/${bug.number}`);
    await expect
      .poll(() => page.locator(`.case-panel[data-case="${bug.number}"] .fixed-in`).textContent())
      .toContain('Fixed in Version 5');
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
