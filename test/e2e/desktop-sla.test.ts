import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/ports/clock.ts';
import { ADMIN_PASSWORD, eventually, newPage, screenshot, signIn, useDesktop } from '../support/browser.ts';

/** What the page showed through the Notification API (the real constructor, wrapped to be observed). */
interface Shown {
  title: string;
  body: string;
}

/**
 * Issue 14, SLAs in the desktop: an admin sets business hours and a 5-minute first-response policy through
 * the admin pages; an agent holds a conversation without answering while the server's clock moves; the
 * clock turns amber, then red, the holder and the supervisor get browser notifications whose click opens
 * it, and the breach is in the supervisor's breach list, the monitor, the timeline and the attainment.
 */
describe('desktop: SLA clocks, alerts and breaches', () => {
  const clock = new ManualClock(new Date());

  const desktop = useDesktop({}, { clock });

  // The page and the server move under load: wait as the other browser tests do, not a second.
  const poll = <T>(check: () => Promise<T> | T) => expect.poll(check, { timeout: 20_000, interval: 50 });

  /** A page whose notifications are allowed by the browser and recorded as they are constructed. */
  const notifyingPage = async () => {
    const opened = await newPage(desktop.browser);
    await opened.context.grantPermissions(['notifications'], { origin: desktop.server.url });
    await opened.context.addInitScript(() => {
      const Real = window.Notification;
      const shown: { title: string; body: string; notification: Notification }[] = [];
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body ?? '', notification: this });
        }
      }
      Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
      Object.defineProperty(Recorded, 'requestPermission', { value: () => Real.requestPermission() });
      Object.assign(window, { Notification: Recorded, shownNotifications: shown });
    });
    return opened;
  };
  const shown = (page: Page) =>
    page.evaluate(() =>
      (window as unknown as { shownNotifications: Shown[] }).shownNotifications.map(({ title, body }) => ({
        title,
        body,
      })),
    );
  const clickNotification = (page: Page, title: string) =>
    page.evaluate((t) => {
      const list = (window as unknown as { shownNotifications: (Shown & { notification: Notification })[] })
        .shownNotifications;
      list.find((n) => n.title === t)?.notification.dispatchEvent(new Event('click'));
    }, title);
  const turnOnAlerts = async (page: Page) => {
    const toggle = page.getByLabel('SLA alerts (notifications)');
    await toggle.check();
    await eventually('alerts on', () => toggle.isChecked());
  };

  it('an admin sets business hours and a policy; the held conversation turns amber, then red, with alerts', async () => {
    const admin = await notifyingPage();
    await signIn(admin.page, desktop.server.url, 'admin@localhost', ADMIN_PASSWORD);

    // Business hours: a wrong time zone is refused with the API's reason; open every day then saves.
    await admin.page.goto(`${desktop.server.url}/admin/hours`);
    const hours = admin.page.getByRole('form', { name: 'Business hours' });
    await hours.getByLabel('Time zone').fill('Mars/Olympus');
    for (const day of ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'])
      await hours.getByLabel(day, { exact: true }).fill('00:00-24:00');
    await hours.getByLabel('Holidays').fill('2030-12-25');
    await hours.getByRole('button', { name: 'Save business hours' }).click();
    await admin.page.getByRole('alert').getByText('"Mars/Olympus" is not a known IANA time zone').waitFor();
    expect(await desktop.server.sb.center.store.sla.listBusinessHours()).toEqual([]);
    await hours.getByLabel('Time zone').fill('Asia/Riyadh');
    await hours.getByRole('button', { name: 'Save business hours' }).click();
    await admin.page.getByRole('status', { name: 'Opening' }).getByText('Open now.').waitFor();
    const [stored] = await desktop.server.sb.center.store.sla.listBusinessHours();
    expect(stored).toMatchObject({ timeZone: 'Asia/Riyadh', holidays: ['2030-12-25'] });
    expect(stored?.weekly).toHaveLength(7);

    // The policy: cases of normal priority get their first response within 5 minutes.
    await admin.page.goto(`${desktop.server.url}/admin/sla`);
    const normal = admin.page
      .getByRole('table', { name: 'SLA policies' })
      .locator('tr[data-priority="normal"]');
    await normal.getByLabel('First response (minutes)').fill('5');
    await normal.getByRole('button', { name: 'Save' }).click();
    await normal.getByRole('button', { name: 'Remove' }).waitFor();
    const [policy] = await desktop.server.sb.center.store.sla.listPolicies();
    expect(policy).toMatchObject({ priority: 'normal', firstResponseMinutes: 5, resolutionMinutes: null });
    await turnOnAlerts(admin.page);

    // Ana takes a conversation and does not answer.
    await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    const ana = await notifyingPage();
    await signIn(ana.page, desktop.server.url, 'ana@example.com');
    await turnOnAlerts(ana.page);
    await ana.page.getByLabel('Presence').selectOption('available');
    await ana.page.locator('.live.on').waitFor();
    await eventually(
      'Ana available',
      async () =>
        (await desktop.server.sb.center.store.agents.getByEmail('ana@example.com'))?.presence === 'available',
    );
    await desktop.server.channel.receive({
      text: 'My order never came, a human please',
      from: 'member-1',
      action: 'handoff',
    });
    await ana.page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await ana.page.waitForURL(/\/conversations\//);
    const conversationId = decodeURIComponent(new URL(ana.page.url()).pathname.split('/').pop() ?? '');
    const caseNumber = (
      await desktop.server.sb.center.store.cases.get(
        (await desktop.server.sb.center.store.conversations.get(conversationId))?.caseId ?? '',
      )
    )?.number;

    const head = ana.page.locator('.conversation-head').getByRole('timer', { name: 'SLA first response' });
    const row = ana.page
      .getByRole('list', { name: 'My conversations' })
      .getByRole('timer', { name: 'SLA first response' });
    await poll(() => head.getAttribute('data-tone')).toBe('ok');
    expect(await head.textContent()).toMatch(/^First response · [45]m \d\ds left$/);
    expect(await row.getAttribute('data-tone')).toBe('ok');

    // 4 minutes on: amber (the warning), in the conversation and the inbox row, and the holder is told.
    clock.advance(4 * 60_000 + 1_000);
    await poll(() => head.getAttribute('data-tone')).toBe('warning');
    expect(await row.getAttribute('data-tone')).toBe('warning');
    expect(await head.textContent()).toMatch(/left$/);
    await poll(() => shown(ana.page)).toEqual([
      expect.objectContaining({ title: 'SLA due soon: first response' }),
    ]);

    // 5 minutes: red (the breach), and both the holder and the supervisor are told which case.
    clock.advance(60_000);
    await poll(() => head.getAttribute('data-tone')).toBe('breached');
    expect(await head.textContent()).toMatch(/over$/);
    await screenshot(ana.page, 'sla-conversation');
    const breach = {
      title: 'SLA breached: first response',
      body: expect.stringContaining(`Case #${caseNumber}:`),
    };
    await poll(() => shown(ana.page)).toContainEqual(breach);
    await poll(() => shown(admin.page)).toContainEqual(breach);
    // The timeline of the case records it.
    await ana.page
      .getByRole('list', { name: 'Timeline' })
      .getByText('SLA breached: first response (target 5 min)')
      .waitFor();

    // A click on the notification opens the conversation (the holder) or the monitor (the supervisor).
    await ana.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await ana.page.waitForURL(/\/cases$/);
    await clickNotification(ana.page, breach.title);
    await ana.page.waitForURL(`${desktop.server.url}/conversations/${encodeURIComponent(conversationId)}`);
    // (In-app navigation: a reload would forget the page's notifications.)
    await admin.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Supervisor' })
      .click();
    await admin.page.waitForURL(/\/supervisor$/);
    await clickNotification(admin.page, breach.title);
    await admin.page.waitForURL(
      `${desktop.server.url}/supervisor/monitor/${encodeURIComponent(conversationId)}`,
    );
    const monitorRow = admin.page
      .getByRole('table', { name: 'Live conversations' })
      .locator(`tr[data-conversation="${conversationId}"]`);
    await poll(() => monitorRow.getByRole('timer').getAttribute('data-tone')).toBe('breached');

    // The supervisor view: the breach in the list, and today's attainment of the queue at 0 %.
    await admin.page
      .getByRole('navigation', { name: 'Supervisor views' })
      .getByRole('link', { name: 'Contact center' })
      .click();
    const listed = admin.page
      .getByRole('table', { name: 'Breaches' })
      .locator(`tr[data-case="${caseNumber}"]`);
    await listed.getByText('First response, 5 min').waitFor();
    await listed.getByText('Ana Agent').waitFor();
    await admin.page
      .getByRole('table', { name: 'SLA attainment by agent' })
      .locator('tr[data-name="Ana Agent"] .attainment')
      .getByText('0%')
      .waitFor();
    await screenshot(admin.page, 'sla-supervisor');

    // Pending on the customer, the clock stands still and says so.
    await ana.page.getByRole('complementary', { name: 'Case' }).getByLabel('Status').selectOption('pending');
    await poll(() => head.getAttribute('data-paused')).toBe('true');
    expect(await head.textContent()).toMatch(/^First response · paused, /);

    // Ana answers: the clock is met and leaves the conversation; the breach stays listed.
    await ana.page.getByLabel('Reply').fill('Sorry for the wait, looking into it now.');
    await ana.page.getByLabel('Reply').press('Enter');
    await poll(() => head.count()).toBe(0);
    await listed.getByText('met').waitFor();
    expect([...ana.watch.errors, ...admin.watch.errors]).toEqual([]);
    await Promise.all([ana.context.close(), admin.context.close()]);
  });
});
