import { beforeAll, describe, expect, it } from 'vitest';
import { newPage, signIn, useBrowser } from '../support/browser.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { useDiscordWorld } from './discord-harness.ts';

/**
 * Issue 9, item 15, through Discord (emulator + discord.js) and the desktop in Chromium: a case shows who
 * opened it and links to its #bug-report post; a hand-off's case is titled with the member's question,
 * and the offer card previews that question rather than the bot's text; the contact panel shows the
 * member's server, join date and roles.
 */
describe('cases in the desktop: opener, post link, subject and offer preview', () => {
  const w = useDiscordWorld();
  const browser = useBrowser();
  beforeAll(async () => {
    await w.agent('Sam');
  });

  async function fileBug(reporter: ApiUser): Promise<number> {
    const interaction = w.discord.invokeSlashCommand(reporter, w.guild, w.guild.channels.general!, 'bug');
    await w.discord.waitFor(() => w.discord.shownModal(reporter, 'sb:bug') && interaction, 10_000, 'modal');
    const submit = w.discord.submitModal(reporter, 'sb:bug', {
      title: 'Voice drops every minute',
      happened: 'The call ends after about a minute.',
      steps: '1. Join voice',
      expected: 'The call stays up',
      platform: 'Windows 11 / 2.0.1',
    });
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      10_000,
      'the case number',
    );
    return Number(/#(\d+)/.exec(reply.content ?? '')?.[1]);
  }

  it('a bug report shows its reporter, who they are in the server, and links to its post in #bug-report', async () => {
    const tester = w.discord.createRole(w.guild, { name: 'Beta tester' });
    const reporter = w.member({ username: 'noor', roles: [tester.id] });
    const number = await fileBug(reporter);
    const channel = w.guild.channels['bug-report']!;
    const post = await w.discord.waitFor(
      () => w.discord.messagesIn(channel).find((m) => m.embeds.length > 0),
      10_000,
      'the post in #bug-report',
    );
    const link = `https://discord.com/channels/${w.guild.id}/${channel.id}/${post.id}`;
    await w.discord.waitFor(
      async () => (await w.switchboard.center.cases.getByNumber(number)).postUrl === link,
      10_000,
      'the post link on the case',
    );

    const { context, page, watch } = await newPage(browser);
    await signIn(page, w.base, 'agent1@example.com', 'agent-password-42');
    await page.goto(`${w.base}/cases/${number}`);
    const origin = page.locator(`.case-panel[data-case="${number}"] .case-origin`);
    await expect.poll(() => origin.textContent()).toContain('Opened by noor');
    const anchor = origin.getByRole('link', { name: 'View the post on Discord' });
    expect(await anchor.getAttribute('href')).toBe(link);
    expect(await anchor.getAttribute('target')).toBe('_blank');
    // Filed by a command, not a message: the case still shows the member's server and roles.
    const card = page.locator(`.case-panel[data-case="${number}"]`).getByLabel('Member', { exact: true });
    await expect.poll(() => card.locator('.member-server').textContent()).toBe('Acme');
    expect(await card.locator('.member-roles .tag').allTextContents()).toEqual(['Beta tester']);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it('a hand-off is titled with the question and offered with it, not with the bot’s text; the panel shows the member', async () => {
    const { context, page, watch } = await newPage(browser);
    await signIn(page, w.base, 'agent1@example.com', 'agent-password-42');
    await page.getByLabel('Presence').selectOption('available');

    const vip = w.discord.createRole(w.guild, { name: 'VIP' });
    const member = w.member({ username: 'rami', roles: [vip.id], joinedAt: '2024-05-06T07:08:09.000Z' });
    w.discord.sendDm(member, 'hello');
    await w.waitForDms(member, (d) => d[0], 'greeting answered');
    w.discord.sendDm(member, 'The rename button is greyed out on my profile');
    await w.waitForDms(member, (d) => d[1], 'question answered');
    w.discord.sendDm(member, 'I want to talk to a real person');
    const told = await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const number = Number(/#(\d+)/.exec(told.content)?.[1]);
    const kase = await w.switchboard.center.cases.getByNumber(number);
    expect(kase.subject).toBe('The rename button is greyed out on my profile');
    expect(kase.openedBy?.kind).toBe('bot');

    const offer = page.locator('li.offer');
    await offer.waitFor();
    await expect
      .poll(() => offer.locator('.preview').textContent())
      .toBe('The rename button is greyed out on my profile');
    await offer.getByRole('button', { name: 'Accept' }).click();
    const panel = page.locator(`.case-panel[data-case="${number}"]`);
    await expect
      .poll(() => panel.locator('.case-origin').textContent())
      .toBe('Opened by the bot for rami (hand-off)');
    // The contact panel: who the member is in the server they wrote from.
    const card = page.getByLabel('Member', { exact: true });
    await expect.poll(() => card.locator('.member-server').textContent()).toBe('Acme');
    expect(await card.locator('.member-joined').textContent()).toBe('2024-05-06');
    expect(await card.locator('.member-roles .tag').allTextContents()).toEqual(['VIP']);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
