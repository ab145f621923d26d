import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/announcements/webhook-signature.ts';
import { ADMIN_PASSWORD, AGENT_PASSWORD, eventually, screenshot, useDesktop } from '../support/browser.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/** Admin → Webhooks: subscribe an integrator's URL, copy the secret once, follow the delivery log. */
describe('desktop: outbound webhooks', () => {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  const desktop = useDesktop();

  it('an admin creates a subscription, sees a refused delivery, sends it again and sees it delivered', async () => {
    const { page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${desktop.server.url}/admin/webhooks`);
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
    const [stored] = await desktop.server.sb.center.store.webhooks.listSubscriptions();
    expect(stored).toMatchObject({ url: receiver.url, description: 'CRM sync', events: ['case.created'] });
    expect(stored?.secret).toBe(secret);
    await page.getByRole('button', { name: 'I copied it' }).click();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);

    // The endpoint refuses the first attempt: the log shows the refusal and its answer, as text.
    receiver.answer = () => 500;
    const kase = await desktop.server.sb.center.cases.create(
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

/** An endpoint disabled after failing for `disableAfterMs` (short here): the admins are told in a banner. */
describe('desktop: the admins are told when a webhook endpoint is disabled', () => {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  const desktop = useDesktop(
    {},
    { webhooks: { disableAfterMs: 1_500, baseBackoffMs: 200, maxBackoffMs: 300, jitter: 0, tickMs: 100 } },
  );

  it('shows the notice live and at sign-in, leads to the webhook, and ends when it is turned on again', async () => {
    const { page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    const banner = page.getByRole('region', { name: 'Notices for admins' });
    expect(await banner.count()).toBe(0);

    receiver.answer = () => 503;
    const { subscription } = await desktop.server.sb.center.webhooks.create({
      url: receiver.url,
      events: ['case.created'],
    });
    await desktop.server.sb.center.cases.create(
      { kind: 'bug', subject: 'Crash' },
      { kind: 'system', id: null },
    );
    // Live: the admin already signed in is told when the endpoint is disabled.
    const notice = banner.getByRole('alert');
    await notice.getByText(`The webhook to ${new URL(receiver.url).host} was disabled after`).waitFor();
    await notice.getByText('(last: HTTP 503)', { exact: false }).waitFor();
    expect((await desktop.server.sb.center.webhooks.get(subscription.id)).enabled).toBe(false);

    // An admin who signs in later sees it too; an agent does not.
    const later = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await later.page.getByRole('region', { name: 'Notices for admins' }).getByRole('alert').waitFor();
    await desktop.server.agent('ana@example.com');
    const agent = await desktop.signedIn('ana@example.com', AGENT_PASSWORD);
    await agent.page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await agent.page.getByRole('region', { name: 'Notices for admins' }).count()).toBe(0);

    // It leads to the webhook; turned on again (endpoint fixed), the notice ends.
    receiver.answer = () => 200;
    await notice.getByRole('link', { name: 'Open' }).click();
    const item = page
      .getByRole('list', { name: 'Webhooks' })
      .locator(`li[data-webhook="${subscription.id}"]`);
    await item.getByRole('button', { name: 'Turn on' }).click();
    await eventually('the notice gone', async () => (await banner.count()) === 0);
    await eventually('the waiting delivery sent', () => receiver.accepted().length === 1);
    expect(watch.errors).toEqual([]);
  });
});
