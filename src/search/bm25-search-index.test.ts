import { describe, expect, it } from 'vitest';
import { Bm25SearchIndex } from './bm25-search-index.ts';
import { describeSearchIndexContract, testArticle } from './search-index-contract.ts';

describeSearchIndexContract('Bm25SearchIndex', () => new Bm25SearchIndex());

describe('Bm25SearchIndex', () => {
  const kb = [
    testArticle('password', 'Reset your password', 'Open Settings and press Reset password.', {
      examples: ['I forgot my password'],
    }),
    testArticle('shipping', 'Shipping times', 'Orders ship within two days.', {
      examples: ['when will my order ship'],
    }),
  ];

  it('tolerates a typo in a word', async () => {
    const index = new Bm25SearchIndex();
    await index.rebuild(kb);
    expect((await index.search('I forgot my pasword'))[0]?.articleId).toBe('password');
    expect((await index.search('when will my oder shp'))[0]?.articleId).toBe('shipping');
  });

  it('finds an article again after it was removed and re-added', async () => {
    const index = new Bm25SearchIndex();
    await index.rebuild(kb);
    for (let i = 0; i < 3; i++) {
      await index.remove('password');
      await index.upsert(kb[0]!);
    }
    expect(index.size()).toBe(2);
    expect((await index.search('forgot password'))[0]?.articleId).toBe('password');
  });
});
