import { describe, expect, it } from 'vitest';
import { eventually, newPage, screenshot, useDesktop } from '../support/browser.ts';

const publicUrl = 'http://switchboard.test';

/** Issue 4, the composer's attachments: chosen, shown, removable, uploaded, delivered, downloadable. */
describe('agent desktop: attachments', () => {
  // A public URL unlike the listening address: the link a channel receives must use it.
  const desktop = useDesktop({ SWITCHBOARD_PUBLIC_URL: publicUrl });

  it('an agent attaches files, removes one, sends; the contact gets a link to the same bytes', async () => {
    const ana = await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    await desktop.server.sb.center.agents.setPresence(ana.id, 'available');
    const { context, page, watch } = await desktop.signedIn('ana@example.com');

    await desktop.server.channel.receive({ text: 'I want to talk to a human please', from: 'member-3' });
    const offer = page.locator('.offer');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);

    const report = Buffer.from('crash log\nline 2 <script>alert(1)</script>\n');
    // The Attach button opens the file chooser; it is an ordinary button, so Enter works on it.
    const attach = page.getByRole('button', { name: 'Attach' });
    await page
      .getByRole('list', { name: 'Transcript' })
      .getByText('I want to talk to a human please')
      .waitFor();
    let chooser = page.waitForEvent('filechooser');
    await attach.press('Enter');
    await (await chooser).setFiles({ name: 'crash report.txt', mimeType: 'text/plain', buffer: report });
    chooser = page.waitForEvent('filechooser');
    await attach.click();
    await (await chooser).setFiles({ name: 'wrong.txt', mimeType: 'text/plain', buffer: Buffer.from('no') });

    const chips = page.getByRole('list', { name: 'Files to send' });
    await chips.getByText('wrong.txt').waitFor();
    await screenshot(page, 'composer-attachments-1366');
    await chips.getByRole('button', { name: 'Remove wrong.txt' }).click();
    await chips.getByText('wrong.txt').waitFor({ state: 'detached' });
    expect(await chips.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringContaining('crash report.txt'),
    ]);

    // A reply of attachments alone is a reply.
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await chips.waitFor({ state: 'detached' });

    const sent = await eventually('the attachment reaches the contact channel', () =>
      desktop.server.channel.sent.find((m) => m.address.thread === 'member-3' && m.attachments.length > 0),
    );
    expect(sent.attachments).toHaveLength(1);
    const attachment = sent.attachments[0]!;
    expect(attachment.name).toBe('crash_report.txt');
    expect(attachment.url).toMatch(new RegExp(`^${publicUrl}/uploads/[A-Za-z0-9_-]{22}/crash_report\\.txt$`));
    // The public URL is this server: the link downloads what the agent attached, with no session.
    const download = await fetch(desktop.server.url + new URL(attachment.url).pathname);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(report);

    // The transcript shows it as a link.
    const link = page
      .getByRole('list', { name: 'Transcript' })
      .locator('[data-author="agent"]')
      .getByRole('link', { name: 'crash_report.txt' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(attachment.url);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 120_000);

  it('a web-chat visitor sees the attachment as a link, live and after a reload', async () => {
    // Ana, from the test above, would be offered this one too.
    const ana = await desktop.server.sb.center.store.agents.getByEmail('ana@example.com');
    if (ana) await desktop.server.sb.center.agents.setPresence(ana.id, 'offline');
    await desktop.server.agent('bea@example.com', { name: 'Bea Agent' });
    const agent = await desktop.signedIn('bea@example.com');
    await agent.page.getByLabel('Presence').selectOption('available');
    await agent.page.locator('.live.on').waitFor();

    const visitor = await newPage(desktop.browser, { width: 420, height: 720 });
    const chat = visitor.page;
    await chat.goto(`${desktop.server.url}/chat`);
    const messages = chat.getByRole('list', { name: 'Messages' });
    await chat.getByLabel('Your message').fill('Can I send you my invoice?');
    await chat.getByLabel('Your message').press('Enter');
    await messages.locator('[data-author="bot"]').first().waitFor();
    await messages.getByRole('button', { name: 'Talk to a person' }).click();

    await agent.page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await agent.page.waitForURL(/\/conversations\//);
    await agent.page.getByLabel('Files to attach').setInputFiles({
      name: 'invoice.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 not really'),
    });
    await agent.page.getByLabel('Reply').fill('Here is the corrected invoice.');
    await agent.page.getByLabel('Reply').press('Enter');

    const link = messages.locator('[data-author="agent"]').getByRole('link', { name: 'invoice.pdf' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^${publicUrl}/uploads/[A-Za-z0-9_-]{22}/invoice\\.pdf$`),
    );
    await chat.reload();
    await messages.locator('[data-author="agent"]').getByRole('link', { name: 'invoice.pdf' }).waitFor();

    expect([...agent.watch.errors, ...visitor.watch.errors]).toEqual([]);
    expect([...agent.watch.dialogs, ...visitor.watch.dialogs]).toEqual([]);
    await agent.context.close();
    await visitor.context.close();
  }, 120_000);
});
