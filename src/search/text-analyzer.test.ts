import { describe, expect, it } from 'vitest';
import { analyzeText } from './text-analyzer.ts';

describe('analyzeText word pairs', () => {
  const options = { bigrams: true, bigramLanguages: ['en'], stopWords: false, stemming: false };

  it('adds adjacent-word pairs in the languages it is given', () => {
    expect(analyzeText('card arrival', 'en', options)).toEqual(['card', 'arrival', 'card|arrival']);
  });

  it('adds none in the others, Arabic text included whatever language is asked', () => {
    expect(analyzeText('carte perdue', 'fr', options)).toEqual(['carte', 'perdue']);
    const arabic = analyzeText('وصول البطاقة', 'en', options);
    expect(arabic.length).toBeGreaterThan(0);
    expect(arabic.some((t) => t.includes('|'))).toBe(false);
  });

  it('adds them in every language when no list is given', () => {
    const all = { bigrams: true, stopWords: false, stemming: false };
    expect(analyzeText('carte perdue', 'fr', all)).toContain('carte|perdue');
  });
});
