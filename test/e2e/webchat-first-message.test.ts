import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrandSite, startBrandSite } from '../support/brand-site.ts';
import { launchBrowser, newPage, type RunningSwitchboard, startSwitchboard } from '../support/browser.ts';

/**
 * Issue 9 item 6: a new visitor's first message showed twice (the optimistic copy and the stored one
 * from the history that the first message's new session loads), in /chat and in the embedded widget.
 */
describe('web chat: a new visitor’s first message appears once', () => {
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

  /** Writes the first message, waits for the bot's answer and the history, and counts the message. */
  async function firstMessageCount(chat: Page | FrameLocator, text: string): Promise<number> {
    await chat.getByLabel('Your message').fill(text);
    await chat.getByLabel('Your message').press('Enter');
    return settledCount(chat, text);
  }

  async function settledCount(chat: Page | FrameLocator, text: string): Promise<number> {
    const messages = chat.getByRole('list', { name: 'Messages' });
    await messages.locator('[data-author="bot"]').first().waitFor();
    await messages.and(chat.locator('[aria-busy="false"]')).waitFor();
    await chat.locator('.status.on').waitFor();
    return own(messages, text).count();
  }

  const own = (messages: Locator, text: string) =>
    messages.locator('[data-author="contact"]').filter({ hasText: text });

  it('in the standalone chat page, before and after a reload', async () => {
    const { context, page, watch } = await newPage(browser, { width: 420, height: 720 });
    await page.goto(`${server.url}/chat`);
    expect(await firstMessageCount(page, 'Where is my order 1001?')).toBe(1);
    await page.reload();
    expect(await settledCount(page, 'Where is my order 1001?')).toBe(1);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('in the widget embedded in a brand’s page, before and after a reload', async () => {
    const { context, page, watch } = await newPage(browser);
    await page.goto(brand.url);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const frame = page.frameLocator('#switchboard-chat-frame');
    expect(await firstMessageCount(frame, 'My parcel 2002 never came')).toBe(1);

    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    expect(
      await settledCount(page.frameLocator('#switchboard-chat-frame'), 'My parcel 2002 never came'),
    ).toBe(1);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
