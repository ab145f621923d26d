import { describe, expect, it } from 'vitest';
import { markdownBlocks, markdownPassages } from './article-parts.ts';
import { OramaSearchIndex } from './orama-search-index.ts';
import { describeSearchIndexContract, testArticle } from './search-index-contract.ts';

describeSearchIndexContract('OramaSearchIndex', () => new OramaSearchIndex());

describe('markdownPassages', () => {
  it('strips Markdown syntax and splits lines', () => {
    expect(
      markdownPassages('# Title\n\nSee [the app](https://x.y) **now**.\n- step one\n- step two', 60),
    ).toEqual(['Title', 'See the app now.', 'step one', 'step two']);
  });

  it('keeps a list after a colon with its introduction, and cuts long steps at a whole step', () => {
    const blocks = markdownBlocks('To start:\n- plug it in\n* press *power*\n\nDone.', 60);
    expect(blocks).toEqual([
      { text: 'To start:', excerpt: 'To start:\n• plug it in\n• press power' },
      { text: 'plug it in', excerpt: 'To start:\n• plug it in\n• press power' },
      { text: 'press power', excerpt: 'To start:\n• plug it in\n• press power' },
      { text: 'Done.', excerpt: 'Done.' },
    ]);
    const long = markdownBlocks(
      `Steps:\n${Array.from({ length: 30 }, (_, i) => `${i + 1}. ${'word '.repeat(8)}`).join('\n')}`,
      60,
    );
    const excerpt = long[0]!.excerpt;
    expect(excerpt.length).toBeLessThanOrEqual(702);
    expect(excerpt.endsWith('\n…')).toBe(true);
    expect(
      excerpt
        .split('\n')
        .slice(1, -1)
        .every((line) => /^\d+\. (word ){7}word$/.test(line)),
    ).toBe(true);
  });
});

describe('OramaSearchIndex scoring', () => {
  it('ranks the article whose many example questions use the words, not one that mentions one once', async () => {
    const index = new OramaSearchIndex();
    const examples = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));
    await index.rebuild([
      testArticle('lost-card', 'Lost card', 'Freeze it in the app.', {
        examples: examples(40, (i) => `I lost my card ${i} days ago`),
      }),
      testArticle('card-fees', 'Fees', 'A new card costs five euros.', {
        examples: examples(40, (i) => `why was I charged ${i} euros`),
      }),
      testArticle('hours', 'Opening hours', 'We are open on weekdays.', {
        examples: examples(40, (i) => `are you open at ${i} o'clock`),
      }),
    ]);
    const hits = await index.search('I lost my card', { limit: 3 });
    expect(hits[0]?.articleId).toBe('lost-card');
    expect(hits[0]?.score ?? 0).toBeGreaterThan(0);
  });
});
