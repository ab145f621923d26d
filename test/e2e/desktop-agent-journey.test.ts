import { describe, expect, it } from 'vitest';
import { eventually, newPage, screenshot, signIn, useDesktop } from '../support/browser.ts';

/** Issue 4, acceptance 1: an agent's whole journey through the desktop, in Chromium. */
describe('agent desktop: from a reservation to a closed conversation', () => {
  // The desktop must show the articles the virtual agent suggested; its confidence calibration is not under test.
  const desktop = useDesktop({ SWITCHBOARD_VA_CONFIDENCE_THRESHOLD: '0' });

  it('signs in, goes available, accepts an offer, replies, closes with a wrap-up note; the case has the timeline', async () => {
    await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    const { context, page, watch } = await newPage(desktop.browser);

    await signIn(page, desktop.server.url, 'ana@example.com');
    // The session survives a reload.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByLabel('Presence').selectOption('available');
    await eventually(
      'presence saved',
      async () =>
        (
          await desktop.server.sb.center.agents.get(
            (await desktop.server.sb.center.store.agents.getByEmail('ana@example.com'))!.id,
          )
        ).presence === 'available',
    );
    await page.locator('.live.on').waitFor();

    // A member writes through a connector: the virtual agent answers with articles, then they ask for a person.
    await desktop.server.channel.receive({ text: 'How do I reset my password?', from: 'member-7' });
    await desktop.server.channel.receive({ text: 'I want to talk to a human please', from: 'member-7' });

    const offer = page.locator('.offer');
    await offer.waitFor();
    await expect(offer.getByRole('timer')).toHaveText(/^\d+s$/);
    expect(await page.title()).toMatch(/^\(1\) /);
    await screenshot(page, 'inbox-offer-1366');
    await offer.getByRole('button', { name: 'Accept' }).click();

    await page.waitForURL(/\/conversations\//);
    const transcript = page.getByRole('list', { name: 'Transcript' });
    await transcript.getByText('How do I reset my password?').waitFor();
    // The bot part of the transcript and the articles it suggested.
    expect(await transcript.locator('[data-author="bot"]').count()).toBeGreaterThan(0);
    await transcript
      .getByRole('list', { name: 'Suggested articles' })
      .first()
      .getByText('Reset your password')
      .waitFor();
    // The case panel beside it.
    const panel = page.locator('.case-panel');
    await panel.locator('.case-number').waitFor();
    const caseNumber = ((await panel.locator('.case-number').textContent()) ?? '').replace('#', '');

    // Shift+Enter makes a new line; Enter sends.
    const reply = page.getByLabel('Reply');
    await reply.fill('Hi, I can help with that.');
    await reply.press('Shift+Enter');
    await reply.type('Open Settings, then Security.');
    await reply.press('Enter');
    await transcript.locator('[data-author="agent"]').getByText('Open Settings, then Security.').waitFor();
    await expect(reply).toHaveValue('');
    const delivered = await eventually('the reply reaches the contact channel', () =>
      desktop.server.channel.textsTo('member-7').find((t) => t.includes('Open Settings')),
    );
    expect(delivered).toBe('Hi, I can help with that.\nOpen Settings, then Security.');
    await screenshot(page, 'conversation-with-case-1366');

    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByLabel('Wrap-up note').fill('Explained the password reset steps.');
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.waitForURL(/\/inbox$/);

    // The case shows the whole timeline: opened, conversation linked, solved, the wrap-up note.
    await page.goto(`${desktop.server.url}/cases/${caseNumber}`);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Explained the password reset steps.').waitFor();
    await expect(page.getByLabel('Case status')).toHaveValue('solved');
    const entries = await timeline.locator('li').allInnerTexts();
    expect(entries.some((e) => e.includes('opened the case'))).toBe(true);
    expect(entries.some((e) => e.includes('linked a conversation'))).toBe(true);
    expect(entries.some((e) => e.includes('wrapped up'))).toBe(true);
    expect(entries.some((e) => e.includes('set status solved'))).toBe(true);
    // The contact was asked to rate the conversation on their channel.
    await eventually('rating asked', () =>
      desktop.server.channel.sent.some((m) => m.actions.some((a) => a.id === 'rate:5')),
    );

    // Sign out ends the session: a reload shows the sign-in page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 120_000);
});

// Vitest's expect has no Playwright matchers: the few used here, over locators.
declare module 'vitest' {
  interface Assertion {
    toHaveText(pattern: RegExp): Promise<void>;
    toHaveValue(value: string): Promise<void>;
  }
}
expect.extend({
  async toHaveText(locator: import('playwright-core').Locator, pattern: RegExp) {
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = (await locator.textContent()) ?? '';
      if (pattern.test(text)) return { pass: true, message: () => '' };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { pass: false, message: () => `expected text ${JSON.stringify(text)} to match ${pattern}` };
  },
  async toHaveValue(locator: import('playwright-core').Locator, value: string) {
    let current = '';
    for (let i = 0; i < 50; i++) {
      current = await locator.inputValue();
      if (current === value) return { pass: true, message: () => '' };
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      pass: false,
      message: () => `expected value ${JSON.stringify(current)} to be ${JSON.stringify(value)}`,
    };
  },
});
