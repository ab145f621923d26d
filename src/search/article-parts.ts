import type { Article } from '../core/model.ts';
import { analyzeText } from './text-analyzer.ts';

/** The parts of an article that are indexed as their own (sub-)documents. */
export type ArticlePartKind = 'title' | 'example' | 'passage';

/** Title, example questions and body passages of an article, as plain text. */
export function articleParts(
  article: Article,
  maxPassageWords: number,
): { kind: ArticlePartKind; text: string }[] {
  const parts: { kind: ArticlePartKind; text: string }[] = [{ kind: 'title', text: article.title }];
  for (const example of article.examples) parts.push({ kind: 'example', text: example });
  for (const passage of markdownPassages(article.body, maxPassageWords))
    parts.push({ kind: 'passage', text: passage });
  if (article.tags.length > 0) parts.push({ kind: 'passage', text: article.tags.join(' ') });
  return parts;
}

/** Splits Markdown into readable passages: one per line or paragraph, long ones at sentence ends. */
export function markdownPassages(markdown: string, maxWords: number): string[] {
  const plain = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*_`~]+/g, '');
  const passages: string[] = [];
  for (const line of plain.split(/\n+/)) {
    const text = line.trim();
    if (!text) continue;
    if (text.split(/\s+/).length <= maxWords) {
      passages.push(text);
      continue;
    }
    let current = '';
    for (const sentence of text.split(/(?<=[.!?؟])\s+/)) {
      if (current && `${current} ${sentence}`.split(/\s+/).length > maxWords) {
        passages.push(current);
        current = sentence;
      } else current = current ? `${current} ${sentence}` : sentence;
    }
    if (current) passages.push(current);
  }
  return passages;
}

export function excerptOf(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const arabicLetter = /[\u0621-\u064A]/;

// Word → its n-grams; the vocabulary of a knowledge base is small, so indexing reuses most of them.
const ngramCache = new Map<string, string[]>();

/** Character n-grams of each word, with word-boundary marks (`#car`, `ard#`). */
export function ngrams(text: string, language: string, sizes: number[], arabicOnly = false): string[] {
  let words = analyzeText(text, language, { bigrams: false, stopWords: false, stemming: false });
  if (arabicOnly) words = words.filter((w) => arabicLetter.test(w));
  const key = sizes.join(',');
  const out: string[] = [];
  for (const w of words) {
    const cacheKey = `${key}:${w}`;
    let grams = ngramCache.get(cacheKey);
    if (!grams) {
      grams = [];
      const marked = `#${w}#`;
      for (const n of sizes) for (let i = 0; i + n <= marked.length; i++) grams.push(marked.slice(i, i + n));
      if (ngramCache.size > 200_000) ngramCache.clear();
      ngramCache.set(cacheKey, grams);
    }
    for (const g of grams) out.push(g);
  }
  return out;
}

/** N-gram counts of a text, computed once per distinct word (articles repeat their words a lot). */
export function ngramCounts(
  text: string,
  language: string,
  sizes: number[],
  arabicOnly = false,
): { counts: Map<string, number>; length: number } {
  const words = new Map<string, number>();
  for (const w of analyzeText(text, language, { bigrams: false, stopWords: false, stemming: false })) {
    if (arabicOnly && !arabicLetter.test(w)) continue;
    words.set(w, (words.get(w) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  let length = 0;
  for (const [word, n] of words) {
    for (const g of ngrams(word, language, sizes)) {
      counts.set(g, (counts.get(g) ?? 0) + n);
      length += n;
    }
  }
  return { counts, length };
}
