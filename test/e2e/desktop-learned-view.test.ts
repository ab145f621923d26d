import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  eventually,
  launchBrowser,
  newPage,
  type RunningSwitchboard,
  signIn,
  startSwitchboard,
} from '../support/browser.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

/**
 * An admin teaches the virtual agent a new phrasing in the desktop's article editor, and members who
 * ask that way get the article within seconds, without a restart. The member's question shares no
 * word with the article: keyword search (BM25) cannot find it before or after the edit; only the
 * learned view, retrained in the background on the new example question, can.
 */
describe('desktop: an example question added in the article editor reaches the learned view', () => {
  let server: RunningSwitchboard;
  let browser: Browser;
  const visitors: WebchatVisitor[] = [];

  /** A new web-chat visitor asks; resolves with the virtual agent's answer. */
  async function ask(base: string, text: string) {
    const visitor = await WebchatVisitor.start(base);
    visitors.push(visitor);
    await visitor.send(text);
    return eventually(`an answer to "${text}"`, () =>
      visitor.received.find((m) => m.authorKind === 'bot' && m.text.trim()),
    );
  }

  /** Admin → Articles → Edit: one more line in "Example questions", then Save. */
  async function addExample(page: Page, base: string, title: string, example: string) {
    await signIn(page, base, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${base}/admin/articles`);
    const row = page.getByRole('table', { name: 'Articles' }).getByRole('row', { name: new RegExp(title) });
    await row.getByRole('button', { name: 'Edit' }).click();
    const examples = page.getByLabel('Example questions');
    await examples.fill(`${await examples.inputValue()}\n${example}`);
    await page.getByRole('button', { name: 'Save article' }).click();
    await page.getByRole('table', { name: 'Articles' }).waitFor();
  }

  // An Arabic help center written in Modern Standard Arabic, beside the sample articles.
  const refunds = {
    id: 'refunds-ar',
    locale: 'ar',
    title: 'استرداد المبلغ',
    body: 'يمكنك إرجاع أي منتج خلال 30 يومًا من التوصيل، ويعود المبلغ إلى وسيلة الدفع الأصلية خلال 5 إلى 10 أيام عمل.',
    examples: ['أريد إرجاع منتج', 'كيف أسترد المبلغ'],
  };
  // "Where is my money?" in MSA, the way the admin writes it...
  const example = 'أين أموالي؟';
  // ...and as members ask it in Gulf and Levantine ("وين فلوسي") or Egyptian ("فين فلوسي") Arabic:
  // not one word in common with the article, its title or its examples, old or new.
  const gulf = 'وين فلوسي';
  const egyptian = 'فين فلوسي';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startSwitchboard(), launchBrowser()]);
    await server.sb.center.articles.create(refunds);
  }, 120_000);

  afterAll(async () => {
    for (const visitor of visitors) visitor.close();
    await browser?.close();
    await server?.stop();
  });

  it('answers a dialect question with the article once the admin saved an MSA example like it', async () => {
    const { page, watch } = await newPage(browser);

    const before = await ask(server.url, gulf);
    // Not sure, and offers a person: no article is a confident match yet.
    expect(before.articles).toEqual([]);

    await addExample(page, server.url, refunds.title, example);
    expect((await server.sb.center.articles.get(refunds.id)).examples).toEqual([
      ...refunds.examples,
      example,
    ]);

    // The stored article changed at once; the search follows when the learned view has been retrained
    // (the agents' article search, signed in as the admin, ranks with the same index the bot answers from).
    await eventually('the edited article first in the article search', async () => {
      const res = await page.request.get(
        `${server.url}/api/v1/articles/search?q=${encodeURIComponent(gulf)}`,
      );
      const body = (await res.json()) as { results: { article: { id: string } }[] };
      return body.results[0]?.article.id === refunds.id;
    });
    const answer = await ask(server.url, gulf);
    expect(answer.articles.map((a) => a.id)).toEqual([refunds.id]);
    expect(answer.articles[0]?.title).toBe(refunds.title);
    // Another dialect's spelling of the same question is understood too.
    expect((await ask(server.url, egyptian)).articles.map((a) => a.id)).toEqual([refunds.id]);
    expect(watch.errors).toEqual([]);
  }, 90_000);
});
