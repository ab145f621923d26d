import { describe, expect, it } from 'vitest';
import { markdownPassages } from './article-parts.ts';
import { OramaSearchIndex } from './orama-search-index.ts';
import { describeSearchIndexContract } from './search-index-contract.ts';

describeSearchIndexContract('OramaSearchIndex', () => new OramaSearchIndex());

describe('markdownPassages', () => {
  it('strips Markdown syntax and splits lines', () => {
    expect(
      markdownPassages('# Title\n\nSee [the app](https://x.y) **now**.\n- step one\n- step two', 60),
    ).toEqual(['Title', 'See the app now.', 'step one', 'step two']);
  });
});
