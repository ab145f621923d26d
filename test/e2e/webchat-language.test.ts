import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrandSite, startBrandSite } from '../support/brand-site.ts';
import { launchBrowser, newPage, type RunningSwitchboard, startSwitchboard } from '../support/browser.ts';

/**
 * Issue 9 item 17: the widget's own labels follow the visitor's language (the browser's first, then what
 * they write), and Arabic runs right to left throughout, links included.
 */
describe('web chat: the widget speaks the visitor’s language', () => {
  let server: RunningSwitchboard;
  let browser: Browser;
  let brand: BrandSite;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startSwitchboard(), launchBrowser()]);
    brand = await startBrandSite(server.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await brand?.close();
    await server?.stop();
  });

  const direction = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((el) => getComputedStyle(el).direction);

  async function expectArabic(page: Page) {
    await page.locator('.chat-head strong').waitFor();
    expect(await page.locator('.chat-head strong').textContent()).toBe('تحدث معنا');
    expect(await page.locator('.chat').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await direction(page, '.chat-messages')).toBe('rtl');
    await page.getByLabel('رسالتك').waitFor();
    await page.getByRole('button', { name: 'إرسال' }).waitFor();
    await page.locator('.chat-head').getByRole('button', { name: 'التحدث إلى موظف' }).waitFor();
    await page.getByRole('list', { name: 'الرسائل' }).waitFor();
  }

  it('in an Arabic browser: Arabic labels, right to left, the article link too', async () => {
    const { context, page, watch } = await newPage(browser, { width: 420, height: 720 }, { locale: 'ar' });
    await page.goto(`${server.url}/chat`);
    await expectArabic(page);
    await page.getByLabel('رسالتك').fill('نسيت كلمة المرور');
    await page.getByLabel('رسالتك').press('Enter');
    const link = page.locator('[data-author="bot"] .chat-articles a').first();
    await link.waitFor();
    expect(await link.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await expectArabic(page);

    // The widget's own button on a brand's page follows the browser too.
    await page.goto(brand.url);
    await page.getByRole('button', { name: 'افتح الدردشة' }).waitFor();
    expect(await page.locator('#switchboard-chat-button').textContent()).toBe('دردشة');
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('in an English browser: English labels until the visitor writes Arabic, then Arabic, also after a reload', async () => {
    const { context, page, watch } = await newPage(browser, { width: 420, height: 720 }, { locale: 'en-US' });
    await page.goto(`${server.url}/chat`);
    expect(await page.locator('.chat-head strong').textContent()).toBe('Chat with us');
    expect(await page.locator('.chat').getAttribute('dir')).toBe('ltr');
    await page.getByRole('button', { name: 'Send' }).waitFor();

    await page.getByLabel('Your message').fill('أين طلبي؟');
    await page.getByLabel('Your message').press('Enter');
    await expectArabic(page);
    await page.locator('[data-author="bot"]').first().waitFor();
    await page.reload();
    await expectArabic(page);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
