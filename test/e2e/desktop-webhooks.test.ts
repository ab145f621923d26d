import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/announcements/webhook-signature.ts';
import {
  ADMIN_PASSWORD,
  eventually,
  launchBrowser,
  newPage,
  type RunningSwitchboard,
  screenshot,
  signIn,
  startSwitchboard,
} from '../support/browser.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/** Admin → Webhooks: subscribe an integrator's URL, copy the secret once, follow the delivery log. */
describe('desktop: outbound webhooks', () => {
  let server: RunningSwitchboard;
  let browser: Browser;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    [server, browser] = await Promise.all([startSwitchboard(), launchBrowser(), receiver.start()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver.stop();
  });

  it('an admin creates a subscription, sees a refused delivery, sends it again and sees it delivered', async () => {
    const { page, watch } = await newPage(browser);
    await signIn(page, server.url, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${server.url}/admin/webhooks`);
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description').fill('CRM sync');
    for (const label of [
      'Conversation created',
      'Conversation assigned',
      'Conversation closed',
      'Message created',
      'Case updated',
      'Case solved',
      'Rating received',
    ])
      await form.getByLabel(label).uncheck();
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const secret = await page.getByTestId('webhook-secret').textContent();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const [stored] = await server.sb.center.store.webhooks.listSubscriptions();
    expect(stored).toMatchObject({ url: receiver.url, description: 'CRM sync', events: ['case.created'] });
    expect(stored?.secret).toBe(secret);
    await page.getByRole('button', { name: 'I copied it' }).click();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);

    // The endpoint refuses the first attempt: the log shows the refusal and its answer, as text.
    receiver.answer = () => 500;
    const kase = await server.sb.center.cases.create(
      { kind: 'bug', subject: 'Checkout fails' },
      { kind: 'system', id: null },
    );
    await eventually('the refused attempt', () => receiver.received.length > 0);
    const log = page.getByRole('table', { name: 'Deliveries' });
    const row = log.locator('tbody tr').first();
    await row.getByText('retrying').waitFor();
    await row.getByText('<b>endpoint trouble 500</b>').waitFor();
    expect(await log.locator('b').count()).toBe(0);
    await screenshot(page, 'webhooks-admin');

    receiver.answer = () => 200;
    await row.getByRole('button', { name: 'Send again' }).click();
    await row.getByText('delivered').waitFor();
    await row.getByText('thanks').waitFor();
    const taken = receiver.accepted();
    expect(taken).toHaveLength(1);
    const body = JSON.parse(taken[0]!.body);
    expect(body).toMatchObject({
      type: 'case.created',
      data: { case: { id: kase.id, subject: 'Checkout fails' } },
    });
    const h = taken[0]!.headers;
    expect(
      signatureMatches(
        secret!,
        String(h['x-switchboard-timestamp']),
        taken[0]!.body,
        String(h['x-switchboard-signature']),
      ),
    ).toBe(true);

    // Turned off: the page says so.
    const item = page.getByRole('list', { name: 'Webhooks' }).locator(`li[data-webhook="${stored!.id}"]`);
    await item.getByRole('button', { name: 'Turn off' }).click();
    await item.getByRole('alert').getByText('turned off by an admin').waitFor();
    expect(watch.errors).toEqual([]);
  });
});
