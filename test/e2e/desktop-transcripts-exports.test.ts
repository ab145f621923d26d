import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/core/model.ts';
import { newPage, screenshot, useDesktop } from '../support/browser.ts';

/** Issue 14 in the desktop: the transcript page and its downloads; an export of 10,000 cases with progress. */
describe('agent desktop: transcripts and exports', () => {
  const desktop = useDesktop();

  it('an agent opens the transcript of a conversation, prints it and downloads it as HTML and JSON', async () => {
    const ana = await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    await desktop.server.sb.center.agents.setPresence(ana.id, 'available');
    const { context, page, watch } = await desktop.signedIn('ana@example.com');

    await desktop.server.channel.receive({ text: 'I want to talk to a human please', from: 'member-t' });
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);
    const conversationId = new URL(page.url()).pathname.split('/')[2]!;
    await desktop.server.channel.receive({
      text: 'My order <img src=x onerror=alert(1)> never came',
      from: 'member-t',
    });
    const composer = page.getByRole('textbox', { name: 'Reply' });
    await composer.fill('Sorry about that, let me look');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('list', { name: 'Transcript' }).getByText('Sorry about that, let me look').waitFor();

    await page.getByRole('link', { name: 'Transcript' }).click();
    await page.waitForURL(`${desktop.server.url}/conversations/${conversationId}/transcript`);
    const entries = page.getByRole('list', { name: 'Transcript entries' });
    await entries.getByText('Sorry about that, let me look').waitFor();
    // Outside text is text: the member's markup shows as written and runs nothing.
    await entries.getByText('My order <img src=x onerror=alert(1)> never came').waitFor();
    expect(await page.locator('.transcript img').count()).toBe(0);
    await entries.locator('.transcript-event').getByText('Ana Agent joined').waitFor();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Case #\d+/);
    await screenshot(page, 'transcript-page-1366');

    // The page is linkable: opened afresh by its address, it shows the same transcript.
    await page.reload();
    await entries.getByText('Sorry about that, let me look').waitFor();

    // Printed, only the transcript remains.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await entries.getByText('Sorry about that, let me look').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    const htmlDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download HTML' }).click();
    const html = await readFile((await (await htmlDownload).path())!, 'utf8');
    expect((await htmlDownload).suggestedFilename()).toBe(`conversation-${conversationId}.html`);
    expect(html).toContain('Sorry about that, let me look');
    expect(html).toContain('My order &lt;img src=x onerror=alert(1)&gt; never came');
    expect(html).not.toContain('<img');
    expect(html).toContain('@media print');

    // The downloaded file stands alone: opened from disk, it shows the transcript and loads nothing.
    const { page: filePage } = await newPage(desktop.browser);
    const requests: string[] = [];
    filePage.on('request', (request) => requests.push(request.url()));
    await filePage.setContent(html);
    await filePage.getByText('Sorry about that, let me look').waitFor();
    expect(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank')).toEqual([]);
    await filePage.context().close();

    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download JSON' }).click();
    const json = JSON.parse(await readFile((await (await jsonDownload).path())!, 'utf8'));
    expect(json.conversation.id).toBe(conversationId);
    expect(json.entries.map((e: { text?: string }) => e.text)).toEqual(
      expect.arrayContaining([
        'Sorry about that, let me look',
        'My order <img src=x onerror=alert(1)> never came',
      ]),
    );
    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 120_000);

  it('a supervisor exports 10,000 cases: the progress counts rows of the total, the file has 10,000 rows', async () => {
    const store = desktop.server.sb.center.store;
    const first = await store.cases.nextNumber();
    const base = Date.UTC(2027, 0, 1);
    // Written straight to the store, a thousand a transaction: the export is under test, not case creation.
    for (let batch = 0; batch < 10; batch += 1) {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 1000; i += 1) {
          const n = batch * 1000 + i;
          const kase: Case = {
            id: `export-case-${String(n).padStart(5, '0')}`,
            number: first + 1 + n,
            kind: n % 3 === 0 ? 'bug' : 'support',
            status: 'open',
            priority: 'normal',
            subject: n === 42 ? '=cmd|" /C calc"!A0, "quoted"\nnext line' : `Case ${n}`,
            contactId: null,
            assigneeId: null,
            tags: [],
            fields: {},
            rating: null,
            votes: 0,
            openedBy: null,
            postUrl: null,
            createdAt: new Date(base + n * 1000).toISOString(),
            updatedAt: new Date(base + n * 1000).toISOString(),
          };
          await tx.cases.create(kase);
        }
      });
    }
    await desktop.server.agent('sue@example.com', { role: 'supervisor', name: 'Sue Supervisor' });
    const { context, page, watch } = await desktop.signedIn('sue@example.com');
    await page.getByRole('link', { name: 'Export' }).click();
    await page.waitForURL(`${desktop.server.url}/exports`);
    const form = page.getByRole('form', { name: 'Export' });
    await form.getByLabel('Created from').fill('2027-01-01');
    await form.getByLabel('Status').selectOption('open');

    const download = page.waitForEvent('download');
    await form.getByRole('button', { name: 'Export' }).click();
    const status = page.getByRole('status');
    await status.getByText('Exported 10,000 of 10,000 rows').waitFor({ timeout: 60_000 });
    const progress = page.getByRole('progressbar', { name: 'Export progress' });
    expect(await progress.getAttribute('max')).toBe('10000');
    expect(await progress.getAttribute('value')).toBe('10000');
    await screenshot(page, 'export-progress-1366');

    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^cases-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await file.path())!, 'utf8');
    const records = csv.split('\r\n').filter(Boolean);
    // The header, then 10,000 records; the one subject with a line break keeps it inside its quotes.
    expect(records).toHaveLength(10_001);
    expect(records[0]).toMatch(/^number,id,kind,status,/);
    expect(records[1]).toContain('export-case-00000');
    expect(records[10_000]).toContain('export-case-09999');
    expect(csv).toContain(`,"'=cmd|"" /C calc""!A0, ""quoted""\nnext line",`);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('an agent has no Export page', async () => {
    await desktop.server.agent('bob@example.com', { name: 'Bob' });
    const { context, page } = await desktop.signedIn('bob@example.com');
    expect(await page.getByRole('link', { name: 'Export' }).count()).toBe(0);
    await page.goto(`${desktop.server.url}/exports`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await context.close();
  });
});
