import { describe, expect, it } from 'vitest';
import { FusedSearchIndex } from './fused-search-index.ts';
import { describeSearchIndexContract, testArticle } from './search-index-contract.ts';

describeSearchIndexContract('FusedSearchIndex', () => new FusedSearchIndex());

const kb = [
  testArticle('card-arrival', 'Card delivery', 'Cards arrive within five working days.', {
    examples: [
      'my card has not arrived yet',
      'when will my card come',
      'still waiting for my card',
      'how long does card delivery take',
      'the card I ordered is not here',
    ],
  }),
  testArticle('lost-card', 'Lost or stolen card', 'Freeze your card in the app at once.', {
    examples: [
      'I lost my card',
      'someone stole my card',
      'my wallet was stolen with my card in it',
      'I cannot find my card anywhere',
    ],
  }),
  testArticle('refund', 'Refunds', 'Refunds are paid back within ten days.', {
    examples: [
      'how do I get my money back',
      'I want a refund for my order',
      'return an item and get reimbursed',
    ],
  }),
  testArticle('password', 'Reset your password', 'Open Settings and press Reset password.', {
    examples: ['I forgot my password', 'cannot log in to my account', 'locked out of my account'],
  }),
  testArticle('hours', 'Opening hours', 'We are open 9 to 5 on weekdays.', {
    examples: ['when are you open', 'what time do you close', 'are you open on sunday'],
  }),
];

async function trained(articles = kb) {
  const index = new FusedSearchIndex({ retrainDelayMs: 0 });
  await index.rebuild(articles);
  await index.settled();
  return index;
}

describe('FusedSearchIndex', () => {
  it('finds the article for a paraphrase that BM25 alone gets wrong', async () => {
    const index = await trained();
    const question = 'it never got delivered';
    expect(index.bm25.searchNow(question)[0]?.articleId).not.toBe('card-arrival');
    expect((await index.search(question))[0]?.articleId).toBe('card-arrival');
  });

  it('is confident for a covered question and not for an out-of-scope one', async () => {
    const index = await trained();
    const covered = (await index.search('the card is still not here'))[0];
    const outOfScope = (await index.search('what is the weather in Paris tomorrow'))[0];
    expect(covered?.articleId).toBe('card-arrival');
    expect(covered?.confidence).toBeGreaterThan(0.5);
    expect(outOfScope?.confidence ?? 0).toBeLessThan(0.5);
  });

  it('learns an edited article in the background while the previous model serves', async () => {
    const index = await trained();
    const before = index.learnedModel;
    const question = 'my parcel tracking number';
    expect((await index.search(question))[0]?.articleId).not.toBe('hours');

    await index.upsert(
      testArticle('hours', 'Parcel tracking', 'Every parcel has a tracking number.', {
        examples: ['where is my parcel', 'track my parcel', 'tracking number for my parcel'],
      }),
    );
    // The edit is searchable at once (BM25), and the old model still serves until the new one is ready.
    expect(index.learnedModel).toBe(before);
    expect((await index.search(question))[0]?.articleId).toBe('hours');
    await index.settled();
    expect(index.learnedModel).not.toBe(before);
    expect(index.learnedModel?.predict(question, 1)[0]?.articleId).toBe('hours');
  });

  it('does not let the previous model answer for an article that has changed since', async () => {
    const index = await trained();
    const question = 'someone stole my wallet';
    expect(index.learnedModel?.predict(question, 1)[0]?.articleId).toBe('lost-card');
    await index.upsert(testArticle('lost-card', 'Gift vouchers', 'Vouchers can be bought in the shop.'));
    // The serving model still believes lost-card is about stolen cards; the index must not.
    expect(index.learnedModel?.predict(question, 1)[0]?.articleId).toBe('lost-card');
    expect((await index.search(question)).map((h) => h.articleId)).not.toContain('lost-card');
    await index.remove('refund');
    expect((await index.search('I want a refund for my order')).map((h) => h.articleId)).not.toContain(
      'refund',
    );
  });

  it('understands common Gulf and Egyptian spellings of an MSA article', async () => {
    const index = await trained([
      testArticle('card-arrival-ar', 'وصول البطاقة', 'تصل البطاقات خلال خمسة أيام عمل.', {
        locale: 'ar',
        examples: ['أين بطاقتي؟', 'لم تصل بطاقتي بعد', 'متى ستصل البطاقة'],
      }),
      testArticle('transfer-ar', 'تحويل الأموال', 'يمكنك تحويل الأموال من التطبيق.', {
        locale: 'ar',
        examples: ['كيف أحول أموالي', 'أريد تحويل المال إلى حساب آخر'],
      }),
    ]);
    const where = (await index.search('وين كرتي'))[0];
    const transfer = (await index.search('عايز احول فلوسي'))[0];
    // Confident enough to answer, not merely ranked first of two.
    expect(where?.articleId).toBe('card-arrival-ar');
    expect(where?.confidence).toBeGreaterThan(0.7);
    expect(transfer?.articleId).toBe('transfer-ar');
    expect(transfer?.confidence).toBeGreaterThan(0.7);
  });
});
