import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, eventually, useDesktop } from '../support/browser.ts';

/** Admin → Articles: an Arabic article with example questions, written in the desktop, answers members. */
describe('desktop: the article editor', () => {
  const desktop = useDesktop();

  it('creates an Arabic article with examples, edited right to left; a question like an example finds it', async () => {
    const { page, watch } = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${desktop.server.url}/admin/articles`);
    await page.getByRole('button', { name: 'New article' }).click();

    await page.getByLabel('Article language').selectOption('ar');
    await page.getByLabel('Article title').fill('استبدال بطاقة الهدايا');
    await page.getByLabel('Article body').fill('افتح **الحساب** ثم **بطاقات الهدايا** واختر **استبدال**.');
    await page.getByLabel('Example questions').fill('كيف أستبدل بطاقة الهدايا\nبطاقة الهدية لا تعمل');
    // Arabic is edited right to left.
    for (const label of ['Article title', 'Article body', 'Example questions'])
      expect(await page.getByLabel(label).getAttribute('dir')).toBe('rtl');
    await page.getByRole('button', { name: 'Save article' }).click();

    const row = page
      .getByRole('table', { name: 'Articles' })
      .getByRole('row', { name: /استبدال بطاقة الهدايا/ });
    await row.waitFor();
    expect(await row.getByRole('cell', { name: 'ar', exact: true }).count()).toBe(1);
    const [article] = (await desktop.server.sb.center.articles.list({ locale: 'ar' })).filter(
      (a) => a.title === 'استبدال بطاقة الهدايا',
    );
    expect(article?.examples).toEqual(['كيف أستبدل بطاقة الهدايا', 'بطاقة الهدية لا تعمل']);

    // Editing again shows what was saved.
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByLabel('Article language').inputValue()).toBe('ar');
    expect(await page.getByLabel('Example questions').inputValue()).toBe(
      'كيف أستبدل بطاقة الهدايا\nبطاقة الهدية لا تعمل',
    );

    // A member who asks the way an example does gets the article from the virtual agent.
    await desktop.server.channel.receive({ from: 'salma', text: 'بطاقة الهدية ما تعمل' });
    const answer = await eventually('the virtual agent’s answer', () =>
      desktop.server.channel.sent.find((m) => m.address.thread === 'salma' && m.articles.length > 0),
    );
    expect(answer.articles[0]?.id).toBe(article?.id);
    expect(watch.errors).toEqual([]);
  }, 90_000);
});
