import { describe, expect, it } from 'vitest';
import { newPage, signIn, useDesktop } from '../support/browser.ts';

/** Issue 9, item 4: an open desktop keeps its agent available; a closed one lets them go away. */
describe('desktop presence', () => {
  // A short grace (desktops then beat every second) so that the journey fits in a test.
  const desktop = useDesktop({ SWITCHBOARD_PRESENCE_GRACE_SECONDS: '3' });

  it('keeps the agent available while the desktop is open, and away once it is closed', async () => {
    const agent = await desktop.server.agent('ines@example.com', { name: 'Ines' });
    const { context, page, watch } = await newPage(desktop.browser);
    let heartbeats = 0;
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        if (String(frame.payload).includes('"heartbeat"')) heartbeats += 1;
      });
    });
    await signIn(page, desktop.server.url, 'ines@example.com');
    await page.getByLabel('Presence').selectOption('available');
    await expect
      .poll(async () => (await desktop.server.sb.center.agents.get(agent.id)).presence)
      .toBe('available');

    // Five beats a second apart: well past the 3 s grace, with the server sweeping every second meanwhile.
    const from = heartbeats;
    await expect.poll(() => heartbeats - from, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    await desktop.server.sb.center.tick();
    expect((await desktop.server.sb.center.agents.get(agent.id)).presence).toBe('available');
    expect(await page.getByLabel('Presence').inputValue()).toBe('available');

    // The member's hand-off is offered to Ines on her open desktop.
    await desktop.server.channel.receive({ from: 'member-1', text: 'I need a person', action: 'handoff' });
    await page.locator('li.offer').waitFor();

    // She closes the browser: after the grace she is away and her offer is withdrawn.
    await context.close();
    await expect
      .poll(async () => (await desktop.server.sb.center.agents.get(agent.id)).presence, { timeout: 20_000 })
      .toBe('away');
    expect(
      await desktop.server.sb.center.store.reservations.list({ agentId: agent.id, status: 'pending' }),
    ).toEqual([]);
    expect(watch.errors).toEqual([]);
  }, 60_000);
});
