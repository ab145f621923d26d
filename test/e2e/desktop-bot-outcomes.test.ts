import { describe, expect, it } from 'vitest';
import { eventually, screenshot, useDesktop } from '../support/browser.ts';

const hour = 3_600_000;

/**
 * What the bot solves, end to end: members on the real web chat end their conversations in each outcome,
 * and the supervisor sees the containment rate, the hand-off reasons and the unanswered group in the
 * desktop, and makes a draft article from that group in the article editor.
 */
describe('supervisor view: what the bot solves', () => {
  const desktop = useDesktop();

  it('shows containment, hand-off reasons and unanswered questions, and drafts an article from them', async () => {
    const { center } = desktop.server.sb;
    // The sample knowledge base answers password questions with its article `reset-password`.
    await desktop.server.agent('sam@example.com', { name: 'Sam Supervisor', role: 'supervisor' });
    const member = desktop.server.channel;

    // Resolved: one presses "This solved it"; another leaves after the answer and never comes back.
    await member.receive({ from: 'm-1', text: 'I forgot my password' });
    await member.receive({ from: 'm-1', text: '', action: 'resolved' });
    await member.receive({ from: 'm-5', text: 'I forgot my password' });
    // Handed off: straight away; after an unsure reply; after saying the answer did not help.
    await member.receive({ from: 'm-2', text: 'human please' });
    await member.receive({ from: 'm-3', text: 'can I pay with bitcoin?' });
    await member.receive({ from: 'm-3', text: '', action: 'handoff' });
    await member.receive({ from: 'm-6', text: 'I forgot my password' });
    await member.receive({ from: 'm-6', text: "that didn't help, I want to talk to a real person" });
    // Abandoned: an unsure reply, then silence. Outside text, rendered as text in the desktop.
    await member.receive({ from: 'm-4', text: 'Can I pay using Bitcoin <b>now</b>' });
    await eventually('the hand-offs and the confirmation recorded', async () => {
      const { totals } = await center.outcomes.figures(1);
      return totals.handedOff === 3 && totals.resolved === 1;
    });
    // A day later (the sweep is asked as of then): the silent members' conversations get their outcome.
    expect(await center.outcomes.sweep(new Date(Date.now() + 25 * hour))).toBe(3);

    const { context, page, watch } = await desktop.signedIn('sam@example.com');
    await page.goto(`${desktop.server.url}/supervisor`);
    await page
      .getByRole('navigation', { name: 'Supervisor views' })
      .getByRole('link', { name: 'Bot' })
      .click();
    await page.waitForURL(/\/supervisor\/bot$/);

    // 2 of 6 resolved by the bot.
    const tile = (label: string) => page.locator(`[data-tile="${label}"] .tile-value`);
    await expect.poll(() => tile('Containment').textContent()).toBe('33%');
    expect(await tile('Resolved').textContent()).toBe('2');
    expect(await tile('Handed off').textContent()).toBe('3');
    expect(await tile('Abandoned').textContent()).toBe('1');
    const today = new Date().toISOString().slice(0, 10);
    const chart = page.getByRole('img', { name: 'Containment rate per day' });
    expect(await chart.locator(`g[data-date="${today}"]`).getAttribute('data-rate')).toBe('0.333');

    const reasons = page.getByRole('table', { name: 'Hand-off reasons' });
    const reason = (key: string) => reasons.locator(`tr[data-reason="${key}"] .figure`).textContent();
    expect(await reason('asked_for_person')).toBe('1');
    expect(await reason('low_confidence')).toBe('1');
    expect(await reason('negative_feedback')).toBe('1');
    expect(await reason('repeated_question')).toBe('0');
    const answers = page
      .getByRole('table', { name: 'Article answers' })
      .locator('tr[data-article="reset-password"]');
    expect(await answers.locator('.figure.answered').textContent()).toBe('3');
    expect(await answers.locator('.figure.solved').textContent()).toBe('1');

    // The two Bitcoin questions are one group; the member's markup shows as the characters they typed.
    const unanswered = page.getByRole('list', { name: 'Unanswered questions' });
    const group = unanswered.locator('.unanswered-group').first();
    expect(await group.locator('ul li').allTextContents()).toEqual([
      'can I pay with bitcoin?',
      'Can I pay using Bitcoin <b>now</b>',
    ]);
    expect(await unanswered.locator('b').count()).toBe(0);
    await screenshot(page, 'supervisor-bot-1366');

    // From the group, a draft article, opened in the editor with the questions as its examples.
    await group.getByRole('button', { name: 'Create an article from these' }).click();
    await page.waitForURL(/\/articles\/[^/]+$/);
    const title = page.getByLabel('Article title');
    await expect.poll(() => title.inputValue()).toBe('can I pay with bitcoin?');
    expect(await page.getByLabel('Example questions').inputValue()).toBe(
      'can I pay with bitcoin?\nCan I pay using Bitcoin <b>now</b>',
    );
    await title.fill('Paying with Bitcoin');
    await page.getByLabel('Article body').fill('We do not take Bitcoin yet; cards and PayPal work.');
    await page.getByRole('checkbox', { name: 'Published' }).check();
    await page.getByRole('button', { name: 'Save article' }).click();
    await page.waitForURL(/\/supervisor\/bot$/);
    await unanswered.getByText('Nothing unanswered.').waitFor();

    const saved = (await center.articles.list({})).find((a) => a.title === 'Paying with Bitcoin');
    expect(saved).toMatchObject({
      published: true,
      examples: ['can I pay with bitcoin?', 'Can I pay using Bitcoin <b>now</b>'],
    });
    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 120_000);

  it('keeps the bot figures and the article page from agents', async () => {
    await desktop.server.agent('bob@example.com', { name: 'Bob Agent' });
    const { context, page } = await desktop.signedIn('bob@example.com');
    await page.goto(`${desktop.server.url}/supervisor/bot`);
    await page.getByRole('alert').getByText('Not allowed').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/bot/outcomes')).status);
    expect(status).toBe(403);
    await page.goto(`${desktop.server.url}/articles/reset-password`);
    await page.getByRole('alert').getByText('Not allowed').waitFor();
    await context.close();
  }, 60_000);
});
