import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, useDesktop } from '../support/browser.ts';

/**
 * Issue 9, item 12: a fresh install lists its support queue; the admin picks the hand-off queue in the desktop.
 * Issue 15: the admin maps Discord roles to queues and priorities (Admin → Role routing).
 */
describe('Admin → Queues: where hand-offs go', () => {
  const desktop = useDesktop();

  it('shows the default queue before any hand-off and sends hand-offs to the queue the admin chooses', async () => {
    // The first start created it: before any hand-off, before anyone opened the desktop.
    expect((await desktop.server.sb.center.queues.list()).map((q) => q.name)).toEqual(['support']);
    const { context, page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${desktop.server.url}/admin/queues`);
    const table = page.getByRole('table', { name: 'Queues' });
    // Nobody has asked for a person yet, and the queue they will wait in is already there.
    await expect.poll(() => table.locator('tbody td:first-child').allTextContents()).toEqual(['support']);
    const handoffs = page.getByLabel('Hand-offs go to');
    await expect.poll(() => handoffs.locator('option:checked').textContent()).toBe('support');

    await page.getByLabel('Queue name').fill('vip');
    await page.getByRole('button', { name: 'Create queue' }).click();
    await expect
      .poll(() => table.locator('tbody td:first-child').allTextContents())
      .toEqual(['support', 'vip']);
    await handoffs.selectOption({ label: 'vip' });
    await page.getByRole('status').filter({ hasText: 'new hand-offs wait in vip' }).waitFor();

    await desktop.server.channel.receive({
      from: 'member-1',
      text: 'I want to talk to a person',
      action: 'handoff',
    });
    const vip = await desktop.server.sb.center.queues.get('vip');
    await expect
      .poll(async () =>
        (await desktop.server.sb.center.conversations.list({ state: 'queued' })).map((c) => c.queueId),
      )
      .toEqual([vip.id]);

    // After a reload the choice is still there.
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Hand-offs go to').locator('option:checked').textContent())
      .toBe('vip');

    // Issue 14: the admin turns on the transcript to the member for vip; it stays on after a reload.
    const vipTranscript = page.getByLabel("Send vip's members the transcript when their conversation closes");
    expect(await vipTranscript.isChecked()).toBe(false);
    await vipTranscript.check();
    await expect
      .poll(async () => (await desktop.server.sb.center.queues.get('vip')).sendTranscript)
      .toBe(true);
    expect((await desktop.server.sb.center.queues.get('support')).sendTranscript).toBe(false);
    await page.reload();
    expect(
      await page.getByLabel("Send vip's members the transcript when their conversation closes").isChecked(),
    ).toBe(true);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('Admin → Role routing maps a Discord role to a queue, a priority and a skill, and says why a route is refused', async () => {
    const partners = await desktop.server.sb.center.queues.create({ name: 'partners', skills: ['partner'] });
    const { context, page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${desktop.server.url}/admin/roles`);
    const rows = page.getByRole('table', { name: 'Role routes' }).locator('tbody tr');
    await page.getByLabel('Role', { exact: true }).fill('Partner');
    await page.getByLabel('Queue of the role').selectOption({ label: 'partners' });
    await page.getByLabel('Priority of the role').selectOption('high');
    await page.getByLabel('Skill of the role').fill('Partner');
    await page.getByRole('button', { name: 'Add route' }).click();
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual([expect.stringMatching(/Partner\s+partners\s+high\s+partner/)]);

    // A route to nowhere is refused with the server's reason; the stored routes stay.
    await page.getByLabel('Role', { exact: true }).fill('Guest');
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByText('a route needs a queue, a priority or a skill').waitFor();
    // So is a skill nobody has.
    await page.getByLabel('Skill of the role').fill('reseller');
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByText('no agent or queue has the skill "reseller"').waitFor();
    expect(await desktop.server.sb.center.roleRoutes.list()).toEqual([
      { role: 'Partner', queueId: partners.id, priority: 'high', skill: 'partner' },
    ]);
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
