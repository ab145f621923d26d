import { describe, expect, it } from 'vitest';
import type { Article } from '../core/model.ts';
import type { SearchIndex } from '../core/ports/search-index.ts';

const at = '2025-01-01T00:00:00.000Z';
export function testArticle(id: string, title: string, body: string, extra: Partial<Article> = {}): Article {
  return {
    id,
    title,
    body,
    tags: [],
    locale: 'en',
    published: true,
    examples: [],
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

const kb = [
  testArticle(
    'card-arrival',
    'When will my card arrive?',
    'Cards are delivered within 5 working days.\nYou can track delivery in the app.',
    {
      examples: ['my card has not arrived yet', 'where is my new card'],
    },
  ),
  testArticle(
    'reset-password',
    'Reset your password',
    'Open **Settings**, choose *Security* and press "Reset password".',
    {
      examples: ['I forgot my password', "I can't log in"],
    },
  ),
  testArticle('refund', 'Refunds', 'Refunds are paid back to the original payment method within 10 days.', {
    examples: ['how do I get my money back'],
  }),
  testArticle('card-arrival-ar', 'وصول البطاقة', 'تصل البطاقات خلال خمسة أيام عمل.', {
    locale: 'ar',
    examples: ['أين بطاقتي؟', 'لم تصل بطاقتي بعد'],
  }),
];

/** The behaviour every SearchIndex implementation shares; each implementation's test runs it. */
export function describeSearchIndexContract(name: string, create: () => SearchIndex): void {
  const ready = async () => {
    const index = create();
    await index.rebuild(kb);
    return index;
  };
  const ids = async (index: SearchIndex, query: string, locale?: string) =>
    (await index.search(query, locale ? { locale } : {})).map((h) => h.articleId);

  describe(`${name} (SearchIndex contract)`, () => {
    it('finds the article for a paraphrased question', async () => {
      const index = await ready();
      expect(index.size()).toBe(4);
      expect((await ids(index, 'my new card still has not arrived'))[0]).toBe('card-arrival');
      expect((await ids(index, 'I forgot the password for my account'))[0]).toBe('reset-password');
      expect((await ids(index, 'can I get a refund?'))[0]).toBe('refund');
    });

    it('matches Arabic regardless of alef, ta marbuta and attached pronouns', async () => {
      const index = await ready();
      expect((await ids(index, 'متى تصل البطاقه'))[0]).toBe('card-arrival-ar');
      expect((await ids(index, 'لم تصل بطاقتى'))[0]).toBe('card-arrival-ar');
    });

    it('restricts to a locale when asked', async () => {
      const index = await ready();
      expect(await ids(index, 'card arrive', 'ar')).toEqual([]);
      expect(await ids(index, 'بطاقتي', 'en-US')).toEqual([]);
      expect(await ids(index, 'بطاقتي', 'ar-SA')).toEqual(['card-arrival-ar']);
    });

    it('follows upserts and removals at once', async () => {
      const index = await ready();
      expect(await ids(index, 'change my nickname')).not.toContain('nickname');

      await index.upsert(
        testArticle('nickname', 'Change your nickname', 'Use /profile to pick a new nickname.'),
      );
      expect((await ids(index, 'change my nickname'))[0]).toBe('nickname');

      await index.upsert(testArticle('nickname', 'Pick an avatar', 'Upload a picture in /profile.'));
      expect((await ids(index, 'upload a picture'))[0]).toBe('nickname');
      expect((await ids(index, 'change my nickname'))[0]).not.toBe('nickname');

      await index.upsert(testArticle('refund', 'Refunds', 'Refunds are paid back.', { published: false }));
      expect(await ids(index, 'refunds')).not.toContain('refund');

      await index.remove('nickname');
      expect(await ids(index, 'upload a picture')).not.toContain('nickname');
      expect(index.size()).toBe(3);
    });

    it('replaces everything on rebuild', async () => {
      const index = await ready();
      await index.rebuild([testArticle('only', 'Opening hours', 'We are open 9 to 5.')]);
      expect(index.size()).toBe(1);
      expect(await ids(index, 'my card has not arrived')).not.toContain('card-arrival');
      expect((await ids(index, 'opening hours'))[0]).toBe('only');
    });

    it('returns the passage that matched as the excerpt', async () => {
      const index = await ready();
      const [hit] = await index.search('track delivery in the app');
      expect(hit?.articleId).toBe('card-arrival');
      expect(hit?.excerpt).toBe('You can track delivery in the app.');
    });

    it('shows the steps that follow an introduction ending with a colon, whichever of them matched', async () => {
      const index = await ready();
      await index.upsert(
        testArticle(
          'reset-password',
          'Reset your password',
          'If you forgot your password or it no longer works:\n\n1. Open the sign-in page and choose **Forgot password**.\n2. Enter the email address of your account.\n\nIf the email does not arrive, check your spam folder.',
        ),
      );
      const steps = [
        'If you forgot your password or it no longer works:',
        '1. Open the sign-in page and choose Forgot password.',
        '2. Enter the email address of your account.',
      ].join('\n');
      expect((await index.search('I forgot my password, it no longer works'))[0]?.excerpt).toBe(steps);
      expect((await index.search('enter the email address of my account'))[0]?.excerpt).toBe(steps);
      expect((await index.search('the password email does not arrive, spam folder'))[0]?.excerpt).toBe(
        'If the email does not arrive, check your spam folder.',
      );
    });

    it('scores a question the KB does not cover far below one it covers', async () => {
      const index = await ready();
      const covered = (await index.search('where is my new card'))[0]?.score ?? 0;
      const uncovered = (await index.search('what is the weather in Paris tomorrow'))[0]?.score ?? 0;
      expect(covered).toBeGreaterThan(2 * uncovered);
    });
  });
}
