import { describe, expect, it } from 'vitest';
import { newPage, useDesktop } from '../support/browser.ts';

/**
 * What a web-chat visitor reads when the virtual agent answers: each article once (its title as the
 * link, then the passage that answers, steps included), no repeated title and no raw address.
 */
describe('web chat: one clean answer per article', () => {
  const desktop = useDesktop();

  it('shows the article title once as a link, with its steps, and no raw URL', async () => {
    const { page, watch } = await newPage(desktop.browser, { width: 420, height: 720 });
    await page.goto(`${desktop.server.url}/chat`);
    await page.getByLabel('Your message').fill('I forgot my password and it no longer works');
    await page.getByLabel('Your message').press('Enter');
    const answer = page
      .getByRole('list', { name: 'Messages' })
      .locator('[data-author="bot"]')
      .filter({ has: page.locator('.chat-articles') })
      .first();
    await answer.waitFor();

    const link = answer.getByRole('link', { name: 'Reset your password' });
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('href')).toMatch(/\/kb\/reset-password$/);
    const excerpt = answer.locator('.chat-excerpt').first();
    expect(await excerpt.textContent()).toBe(
      [
        'If you forgot your password or it no longer works:',
        '1. Open the sign-in page and choose Forgot password.',
        '2. Enter the email address of your account.',
        '3. Follow the link we send you within a few minutes; it is valid for one hour.',
      ].join('\n'),
    );

    const shown = (await answer.textContent()) ?? '';
    expect(shown.split('Reset your password')).toHaveLength(2);
    expect(shown).not.toMatch(/https?:\/\//);
    expect(watch.errors).toEqual([]);
  }, 60_000);
});
