import { describe, expect, it } from 'vitest';
import { AGENT_PASSWORD, screenshot, useDesktop } from '../support/browser.ts';

/** Issue 4, acceptance 3 and 5: supervisor figures follow arrivals; roles gate pages; screenshots at two widths. */
describe('supervisor view, roles, and the layout at 1366×768 and at a narrow width', () => {
  const desktop = useDesktop();

  it('shows queue and agent figures change as conversations arrive', async () => {
    // The support queue exists from the first start.
    await desktop.server.agent('sam@example.com', { name: 'Sam Supervisor', role: 'supervisor' });
    const bob = await desktop.server.agent('bob@example.com', { name: 'Bob Agent' });
    const { context, page, watch } = await desktop.signedIn('sam@example.com');
    await page.goto(`${desktop.server.url}/supervisor`);
    const support = page.getByRole('table', { name: 'Queues' }).locator('tr[data-queue="support"]');
    await expect.poll(() => support.locator('.figure').textContent()).toBe('0');

    // Nobody is available: the conversations wait, and the supervisor sees the count rise.
    await desktop.server.channel.receive({ text: 'agent please', from: 'm-1', action: 'handoff' });
    await expect.poll(() => support.locator('.figure').textContent(), { timeout: 10_000 }).toBe('1');
    await desktop.server.channel.receive({ text: 'I need a human', from: 'm-2', action: 'handoff' });
    await expect.poll(() => support.locator('.figure').textContent(), { timeout: 10_000 }).toBe('2');
    await expect
      .poll(() => page.locator('[data-tile="Conversations today"] .tile-value').textContent())
      .toBe('2');

    // An agent going available shows at once.
    const bobRow = page.getByRole('table', { name: 'Agents' }).locator('tr[data-agent="bob@example.com"]');
    await expect.poll(() => bobRow.textContent()).toContain('offline');
    await desktop.server.sb.center.agents.setPresence(bob.id, 'available');
    await expect.poll(() => bobRow.textContent(), { timeout: 10_000 }).toContain('available');
    // Bob takes one: load 1 of 3; one left waiting.
    const [offer] = await desktop.server.sb.center.store.reservations.list({
      agentId: bob.id,
      status: 'pending',
    });
    await desktop.server.sb.center.router.accept(offer!.id, bob.id);
    await expect.poll(() => bobRow.locator('.load').textContent(), { timeout: 10_000 }).toContain('1 / 3');
    await expect.poll(() => support.locator('.figure').textContent(), { timeout: 10_000 }).toBe('1');
    await screenshot(page, 'supervisor-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'supervisor-narrow');

    // The supervisor's inbox shows the queue; the cases page lists both hand-offs.
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${desktop.server.url}/inbox`);
    await page.getByRole('list', { name: 'Queue' }).locator('.row').first().waitFor();
    await screenshot(page, 'inbox-supervisor-1366');
    await page.goto(`${desktop.server.url}/cases`);
    await expect.poll(() => page.locator('table.cases tbody tr').count()).toBe(2);
    await page.getByLabel('Search cases').fill('#1002');
    await expect.poll(() => page.locator('table.cases tbody tr').count()).toBe(1);
    await page.getByLabel('Search cases').fill('');
    await expect.poll(() => page.locator('table.cases tbody tr').count()).toBe(2);
    await screenshot(page, 'cases-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'cases-narrow');
    // Supervisors do not get the admin pages either.
    await page.goto(`${desktop.server.url}/admin/agents`);
    await page.getByRole('alert').getByText('Not allowed').waitFor();
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('keeps the admin and supervisor pages from agents; the inbox and conversation fit a narrow screen', async () => {
    const { context, page, watch } = await desktop.signedIn('bob@example.com', AGENT_PASSWORD, {
      width: 390,
      height: 844,
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Supervisor' }).count()).toBe(0);
    await page.goto(`${desktop.server.url}/admin/agents`);
    await page.getByRole('alert').getByText('Not allowed').waitFor();
    await page.goto(`${desktop.server.url}/supervisor`);
    await page.getByRole('alert').getByText('Not allowed').waitFor();
    // The API refuses too, whatever the page shows.
    const status = await page.evaluate(async () => (await fetch('/api/v1/flows')).status);
    expect(status).toBe(403);

    await page.goto(`${desktop.server.url}/inbox`);
    await page.getByRole('list', { name: 'My conversations' }).locator('.row').first().waitFor();
    await screenshot(page, 'inbox-narrow');
    await page.getByRole('list', { name: 'My conversations' }).locator('.row').first().click();
    await page.getByRole('list', { name: 'Transcript' }).locator('li').first().waitFor();
    await page.locator('.case-panel .case-number').waitFor();
    await screenshot(page, 'conversation-narrow');
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 120_000);
});
