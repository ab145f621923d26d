import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, eventually, useDesktop } from '../support/browser.ts';

/**
 * Issue 4, the composer's helpers served by the API: an admin keeps the team's canned responses and sees
 * the channels' health; an agent inserts a canned response with `/shortcut` and links an article found by
 * the server's knowledge-base search.
 */
describe('desktop: shared canned responses, knowledge-base search and channel health', () => {
  const desktop = useDesktop();

  it('an admin adds a canned response; an agent in another browser uses it with /shortcut', async () => {
    const refundText = 'Refunds reach your card within 5 to 7 days.';
    const admin = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await admin.page.goto(`${desktop.server.url}/admin/canned`);
    const form = admin.page.getByRole('form', { name: 'Canned response' });
    await form.getByLabel('Shortcut').fill('refund');
    await form.getByLabel('Title').fill('Refund policy');
    await form.getByLabel('Text').fill(refundText);
    await form.getByRole('button', { name: 'Add' }).click();
    const list = admin.page.getByRole('list', { name: 'Canned responses' });
    await list.locator('li[data-shortcut="refund"]').waitFor();
    // A taken shortcut is refused with the server's reason, and nothing changes.
    await form.getByLabel('Shortcut').fill('Refund');
    await form.getByLabel('Title').fill('Another');
    await form.getByLabel('Text').fill('Something else');
    await form.getByRole('button', { name: 'Add' }).click();
    await admin.page.getByRole('alert').getByText('the shortcut /refund is already taken').waitFor();
    expect((await desktop.server.sb.center.cannedResponses.list()).map((r) => r.text)).toEqual([refundText]);

    // The channels tab shows each connector's state from the desktop.server.
    await admin.page.goto(`${desktop.server.url}/admin/channels`);
    const channels = admin.page.getByRole('table', { name: 'Channels' });
    await channels.locator('tr[data-channel="webchat"]').getByText('connected').waitFor();
    expect(admin.watch.errors).toEqual([]);

    await desktop.server.sb.center.articles.create({
      title: 'Tracking a lost parcel',
      body: 'Open Orders, choose the parcel and press Track; a courier reference follows within a day.',
    });
    await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    const { context, page, watch } = await desktop.signedIn('ana@example.com');
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.live.on').waitFor();
    await eventually(
      'presence saved',
      async () =>
        (await desktop.server.sb.center.store.agents.getByEmail('ana@example.com'))?.presence === 'available',
    );
    await desktop.server.channel.receive({
      text: 'I want a refund, a human please',
      from: 'member-9',
      action: 'handoff',
    });
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);

    // `/ref` offers the shared response; Enter inserts it, Enter again sends it.
    const reply = page.getByLabel('Reply');
    await reply.fill('Hello! /ref');
    const canned = page.getByRole('list', { name: 'Canned responses' });
    await canned.getByText('/refund').waitFor();
    await reply.press('Enter');
    await expect.poll(() => reply.inputValue()).toBe(`Hello! ${refundText}`);
    await reply.press('Enter');
    const delivered = await eventually('the canned reply reaches the contact channel', () =>
      desktop.server.channel.textsTo('member-9').find((t) => t.includes('5 to 7 days')),
    );
    expect(delivered).toBe(`Hello! ${refundText}`);

    // The knowledge-base search asks the server's index (stemming: "parcels" finds "parcel") and inserts
    // the article's link; the excerpt shows which passage matched.
    await page.getByRole('button', { name: 'Knowledge base' }).click();
    await page.getByLabel('Search articles').fill('lost parcels');
    const found = page.getByRole('list', { name: 'Articles found' }).getByRole('button', {
      name: /^Tracking a lost parcel/,
    });
    await found.locator('.excerpt').waitFor();
    await found.click();
    await expect
      .poll(() => reply.inputValue())
      .toMatch(/^Tracking a lost parcel: http:\/\/127\.0\.0\.1:\d+\/kb\//);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
    await admin.context.close();
  }, 120_000);
});
