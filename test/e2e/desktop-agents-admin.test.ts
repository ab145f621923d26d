import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, newPage, signIn, useDesktop } from '../support/browser.ts';

/** Issue 9, items 11 and 21: an admin deactivates, reactivates and removes agents in the desktop. */
describe('desktop admin: agents status', () => {
  const desktop = useDesktop();

  const agentRow = (page: Page, name: string) =>
    page.getByRole('table', { name: 'Agents' }).getByRole('row').filter({ hasText: name });
  const pendingFor = (agentId: string) =>
    desktop.server.sb.center.store.reservations.list({ agentId, status: 'pending' });

  it('a deactivated agent is signed out at once, cannot sign in, gets no offers; reactivated, signs in again', async () => {
    const bea = await desktop.server.agent('bea@example.com', { name: 'Bea' });
    const carl = await desktop.server.agent('carl@example.com', { name: 'Carl' });
    const admin = await newPage(desktop.browser);
    const beaDesk = await newPage(desktop.browser);
    const carlDesk = await newPage(desktop.browser);
    await signIn(admin.page, desktop.server.url, 'admin@localhost', ADMIN_PASSWORD);
    await signIn(beaDesk.page, desktop.server.url, 'bea@example.com');
    await signIn(carlDesk.page, desktop.server.url, 'carl@example.com');
    await beaDesk.page.getByLabel('Presence').selectOption('available');
    await expect
      .poll(async () => (await desktop.server.sb.center.agents.get(bea.id)).presence)
      .toBe('available');

    // A member asks for a person: Bea, the only one available, is offered the conversation.
    await desktop.server.channel.receive({ from: 'member-1', text: 'I need a person', action: 'handoff' });
    await beaDesk.page.locator('li.offer').waitFor();

    await admin.page.goto(`${desktop.server.url}/admin/agents`);
    await expect.poll(() => agentRow(admin.page, 'Bea').textContent()).toContain('Active');
    await admin.page.getByRole('button', { name: 'Deactivate Bea' }).click();
    await expect.poll(() => agentRow(admin.page, 'Bea').textContent()).toContain('Deactivated');

    // Her open desktop lands on the sign-in page at once, and her offer is withdrawn.
    await beaDesk.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect.poll(() => pendingFor(bea.id)).toEqual([]);
    // Signing in is refused, and says why.
    await beaDesk.page.getByLabel('Email').fill('bea@example.com');
    await beaDesk.page.getByLabel('Password').fill('correct horse battery');
    await beaDesk.page.getByRole('button', { name: 'Sign in' }).click();
    await beaDesk.page.getByRole('alert').filter({ hasText: 'deactivated' }).waitFor();

    // The waiting conversation goes to Carl once he is there, not back to Bea.
    await carlDesk.page.getByLabel('Presence').selectOption('available');
    await carlDesk.page.locator('li.offer').waitFor();
    expect(await pendingFor(carl.id)).toHaveLength(1);
    expect(await pendingFor(bea.id)).toEqual([]);

    // Reactivated: she signs in again.
    await admin.page.getByRole('button', { name: 'Reactivate Bea' }).click();
    await expect.poll(() => agentRow(admin.page, 'Bea').textContent()).toContain('Active');
    await beaDesk.page.getByRole('button', { name: 'Sign in' }).click();
    await beaDesk.page.getByRole('navigation', { name: 'Main' }).waitFor();

    for (const desk of [admin, beaDesk, carlDesk]) {
      expect(desk.watch.errors).toEqual([]);
      expect(desk.watch.dialogs).toEqual([]);
      await desk.context.close();
    }
  }, 120_000);

  it('removes an agent after a confirmation; removed agents are listed only when asked for', async () => {
    const dana = await desktop.server.agent('dana@example.com', { name: 'Dana' });
    const { context, page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${desktop.server.url}/admin/agents`);
    await agentRow(page, 'Dana').waitFor();

    // Cancel keeps her; the confirmation says what removal means.
    await page.getByRole('button', { name: 'Remove Dana' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm removal of Dana' });
    expect(await confirm.textContent()).toContain('can no longer sign in');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await desktop.server.sb.center.agents.get(dana.id)).status).toBe('active');

    await page.getByRole('button', { name: 'Remove Dana' }).click();
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await agentRow(page, 'Dana').waitFor({ state: 'detached' });
    expect((await desktop.server.sb.center.agents.get(dana.id)).status).toBe('removed');

    await page.getByLabel('Show removed agents').check();
    await expect.poll(() => agentRow(page, 'Dana').textContent()).toContain('Removed');
    const signInAsDana = await fetch(`${desktop.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dana@example.com', password: 'correct horse battery' }),
    });
    expect(signInAsDana.status).toBe(401);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 60_000);
});
