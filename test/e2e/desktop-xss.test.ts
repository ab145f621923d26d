import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, newPage, useDesktop } from '../support/browser.ts';

const payloads = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '[click me](javascript:alert(3))',
  'javascript:alert(4)',
  '<svg onload=alert(5)></svg>',
  '"><img src=x onerror="window.__xss=6">',
  '<a href="javascript:alert(7)">link</a>',
  '<iframe src="javascript:alert(8)"></iframe>',
];
const all = payloads.join('\n');

/** Nothing from a payload became live markup: no handlers, no javascript: URLs, no script ran. */
async function assertInert(page: Page): Promise<void> {
  const found = await page.evaluate(() => ({
    xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
    handlers: Array.from(document.querySelectorAll('*')).filter((el) =>
      Array.from(el.attributes).some((a) => a.name.startsWith('on')),
    ).length,
    jsUrls: Array.from(document.querySelectorAll('[href],[src]')).filter((el) =>
      /^\s*javascript:/i.test(el.getAttribute('href') ?? el.getAttribute('src') ?? ''),
    ).length,
    iframes: document.querySelectorAll('iframe, script:not([src])').length,
  }));
  expect(found).toEqual({ xss: null, handlers: 0, jsUrls: 0, iframes: 0 });
}

/** Issue 4, acceptance 4: XSS payloads as contact messages, article bodies and case notes run nothing. */
describe('XSS payloads run nothing in the desktop, the article page or the widget', () => {
  const desktop = useDesktop();

  it('shows every payload as text', async () => {
    const { context, page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.live.on').waitFor();

    // Contact messages (and a contact name) through a connector, then a hand-off.
    const contact = { externalId: 'evil-1', name: payloads[0]! };
    await desktop.server.channel.receive({ text: all, from: 'evil-1', contact });
    await desktop.server.channel.receive({ text: 'agent', from: 'evil-1', contact, action: 'handoff' });
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    const transcript = page.getByRole('list', { name: 'Transcript' });
    await transcript.getByText('<script>alert(2)</script>', { exact: false }).first().waitFor();
    expect(await transcript.locator('[data-author="contact"]').first().textContent()).toContain(payloads[0]);

    // A case note through the case panel.
    const caseNote = page.locator('.note-form');
    await caseNote.getByLabel('Internal note', { exact: true }).fill(all);
    await caseNote.getByRole('button', { name: 'Add note' }).click();
    // (The hand-off summary, which quotes the member's payloads as text too, is another entry.)
    await page
      .getByRole('list', { name: 'Timeline' })
      .locator('li')
      .filter({ hasNotText: 'Hand-off summary' })
      .getByText('<svg onload=alert(5)></svg>', { exact: false })
      .waitFor();

    // An agent reply with payloads, which the web-chat visitor will also see.
    await page.getByLabel('Reply').fill(all);
    await page.getByLabel('Reply').press('Enter');
    await transcript
      .locator('[data-author="agent"]')
      .getByText('<img src=x onerror=alert(1)>', { exact: false })
      .waitFor();
    await assertInert(page);

    // An article body, in the Markdown preview and on the public article page.
    const article = await desktop.server.sb.center.articles.create({
      title: '<img src=x onerror=alert(9)> Article',
      body: `# Title\n\n${all}\n\n![img](javascript:alert(10))\n\n[ok link](https://example.com)`,
      published: true,
    });
    await page.goto(`${desktop.server.url}/admin/articles`);
    await page
      .getByRole('row', { name: /Article/ })
      .getByRole('button', { name: 'Edit' })
      .click();
    const preview = page.locator('.preview-pane');
    await preview.getByText('ok link').waitFor();
    // DOMPurify keeps a javascript: link's text but drops its URL.
    const hrefs = await preview.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs.filter((h) => h !== null)).toEqual(['https://example.com']);
    await assertInert(page);

    await page.goto(`${desktop.server.url}/kb/${article.id}`);
    await page.getByText('ok link').waitFor();
    expect(await page.locator('article').textContent()).toContain('<script>alert(2)</script>');
    await assertInert(page);

    // The web-chat visitor sees the agent's payload reply as text.
    const visitor = await newPage(desktop.browser, { width: 420, height: 720 });
    await visitor.page.goto(`${desktop.server.url}/chat`);
    await visitor.page.getByLabel('Your message').fill(all);
    await visitor.page.getByLabel('Your message').press('Enter');
    await visitor.page
      .getByRole('list', { name: 'Messages' })
      .locator('[data-author="bot"]')
      .first()
      .waitFor();
    await visitor.page.reload();
    await visitor.page
      .getByText('<iframe src="javascript:alert(8)"></iframe>', { exact: false })
      .first()
      .waitFor();
    await assertInert(visitor.page);

    for (const w of [watch, visitor.watch]) {
      expect(w.dialogs).toEqual([]);
      expect(w.errors).toEqual([]);
    }
    await visitor.context.close();
    await context.close();
  }, 120_000);
});
