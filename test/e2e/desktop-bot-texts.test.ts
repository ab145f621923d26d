import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, signIn, useBrowser } from '../support/browser.ts';
import { ADMIN_PASSWORD, eventually, useDiscordWorld } from './discord-harness.ts';

/**
 * Issue 14, editable texts, through the desktop in Chromium and Discord (emulator + discord.js): an admin
 * edits the hand-off text in English and the "agent joined" text in Arabic; members handing off on
 * Discord then read the edited texts, and a refused edit says why in the page.
 */
describe('editing bot texts in the desktop, read on Discord', () => {
  const w = useDiscordWorld();
  const browser = useBrowser();

  async function edit(page: Page, key: string, language: 'English' | 'Arabic', text: string) {
    const label = `${key} (${language})`;
    await page.getByLabel(label, { exact: true }).fill(text);
    await page.getByRole('button', { name: `Save ${label}`, exact: true }).click();
  }

  it('an edited hand-off and agent-joined text is what members read', async () => {
    const { context, page, watch } = await newPage(browser);
    await signIn(page, w.base, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${w.base}/admin/texts`);
    const joined = page.getByRole('article', { name: 'core.agentJoined' });
    await expect.poll(() => joined.textContent()).toContain('Variables: {agent} (up to 100 characters)');

    // A placeholder the text is not given is refused, naming it; nothing is stored.
    await edit(page, 'agentJoined', 'Arabic', 'انضم {name} إلى المحادثة');
    await expect
      .poll(() => joined.getByRole('alert').textContent())
      .toContain('unknown placeholder {name}; this text may use: {agent}');
    expect(await w.switchboard.center.store.botTexts.list()).toEqual([]);

    await edit(page, 'agentJoined', 'Arabic', 'أهلاً! معك {agent} من فريق الدعم.');
    await joined.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await edit(
      page,
      'caseOpened',
      'English',
      'Your case is **#{case}**. A teammate will be with you soon (you are number {position}).',
    );
    await page
      .getByRole('article', { name: 'core.caseOpened' })
      .getByRole('status')
      .filter({ hasText: 'Saved.' })
      .waitFor();

    // The page shows the edit after a reload: it is stored.
    await page.reload();
    await expect
      .poll(() => page.getByLabel('agentJoined (Arabic)', { exact: true }).inputValue())
      .toBe('أهلاً! معك {agent} من فريق الدعم.');

    const english = w.member({ username: 'en-member' });
    w.discord.sendDm(english, 'human please');
    const told = await w.waitForDms(english, (d) => d.find((m) => /#\d+/.test(m.content)), 'case opened');
    expect(told.content).toMatch(
      /^Your case is \*\*#\d+\*\*\. A teammate will be with you soon \(you are number 1\)\.$/,
    );

    const sara = await w.agent('Sara');
    const arabic = w.member({ username: 'ar-member' });
    w.discord.sendDm(arabic, 'أريد التحدث مع موظف');
    // Arabic keeps its default hand-off text: only English was edited.
    await w.waitForDms(
      arabic,
      (d) => d.find((m) => /فتحت لك الحالة رقم #\d+/.test(m.content)),
      'Arabic case',
    );
    const center = w.switchboard.center;
    const contact = await center.store.contacts.findByIdentity('discord', arabic.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const [offer] = await eventually('an offer to Sara', () =>
      center.store.reservations
        .list({ agentId: sara.id, status: 'pending', conversationId: conversation!.id })
        .then((r) => (r.length ? r : null)),
    );
    await center.router.accept(offer!.id, sara.id);
    await w.waitForDms(
      arabic,
      (d) => d.find((m) => m.content === 'أهلاً! معك Sara من فريق الدعم.'),
      'the edited Arabic agent-joined text',
    );

    // Restoring the default brings the code's text back.
    await page
      .getByRole('button', { name: 'Restore the default of agentJoined (Arabic)', exact: true })
      .click();
    await expect
      .poll(() => page.getByLabel('agentJoined (Arabic)', { exact: true }).inputValue())
      .toBe('انضم {agent} إلى المحادثة.');
    expect((await center.store.botTexts.list()).map((o) => `${o.key}.${o.language}`)).toEqual([
      'caseOpened.en',
    ]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
