import type { Article } from '../core/model.ts';
import { analyzeText } from './text-analyzer.ts';

/** The parts of an article that are indexed as their own (sub-)documents. */
export type ArticlePartKind = 'title' | 'example' | 'passage';

export interface ArticlePart {
  kind: ArticlePartKind;
  /** What is indexed. */
  text: string;
  /** What a member is shown when this part matched (passages only): it may span more than `text`. */
  excerpt?: string;
}

/** Title, example questions and body passages of an article, as plain text. */
export function articleParts(article: Article, maxPassageWords: number): ArticlePart[] {
  const parts: ArticlePart[] = [{ kind: 'title', text: article.title }];
  for (const example of article.examples) parts.push({ kind: 'example', text: example });
  for (const passage of markdownBlocks(article.body, maxPassageWords))
    parts.push({ kind: 'passage', text: passage.text, excerpt: passage.excerpt });
  if (article.tags.length > 0) parts.push({ kind: 'passage', text: article.tags.join(' ') });
  return parts;
}

/** Splits Markdown into readable passages: one per line or paragraph, long ones at sentence ends. */
export function markdownPassages(markdown: string, maxWords: number): string[] {
  return markdownBlocks(markdown, maxWords).map((b) => b.text);
}

const listItem = /^\s{0,3}([-*+]|\d+[.)])\s+(.*)$/;
/** A line that introduces what follows ("If you forgot your password:", Arabic and full-width colons too). */
const introducesList = /[:：]\s*$/;
/** The most a set of steps shows before it is cut (at a whole step). */
const stepsMax = 700;

/**
 * Markdown as passages to index (one per line, long lines split at sentence ends) and, for each, the
 * excerpt a member is shown. A line ending with a colon and the list right after it are one answer:
 * each of their passages shows the whole block, steps included, so that an answer never stops at
 * "If you forgot your password:".
 */
export function markdownBlocks(markdown: string, maxWords: number): { text: string; excerpt: string }[] {
  const lines = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .split(/\n/)
    .map((line) => {
      const item = listItem.exec(line);
      const marker = item?.[1];
      const text = inline(item ? (item[2] ?? '') : line.replace(/^\s{0,3}(?:#{1,6}|>)\s+/, ''));
      return {
        text,
        marker: marker && /\d/.test(marker) ? `${Number.parseInt(marker, 10)}.` : marker && '•',
      };
    })
    .filter((line) => line.text);

  const blocks: { text: string; excerpt: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const steps: { text: string; marker: string }[] = [];
    if (!line.marker && introducesList.test(line.text))
      for (let j = i + 1; j < lines.length && lines[j]!.marker; j++)
        steps.push(lines[j] as { text: string; marker: string });
    if (steps.length === 0) {
      for (const text of splitLong(line.text, maxWords)) blocks.push({ text, excerpt: excerptOf(text) });
      continue;
    }
    const excerpt = stepsExcerpt(line.text, steps);
    for (const text of [line.text, ...steps.map((s) => s.text)])
      for (const piece of splitLong(text, maxWords)) blocks.push({ text: piece, excerpt });
    i += steps.length;
  }
  return blocks;
}

function inline(text: string): string {
  return text.replace(/[*_`~]+/g, '').trim();
}

function splitLong(text: string, maxWords: number): string[] {
  if (text.split(/\s+/).length <= maxWords) return [text];
  const passages: string[] = [];
  let current = '';
  for (const sentence of text.split(/(?<=[.!?؟])\s+/)) {
    if (current && `${current} ${sentence}`.split(/\s+/).length > maxWords) {
      passages.push(current);
      current = sentence;
    } else current = current ? `${current} ${sentence}` : sentence;
  }
  if (current) passages.push(current);
  return passages;
}

/** The introduction and its steps, one per line, cut at a whole step when too long. */
function stepsExcerpt(intro: string, steps: { text: string; marker: string }[]): string {
  let excerpt = excerptOf(intro);
  for (const step of steps) {
    const line = `${step.marker} ${step.text.replace(/\s+/g, ' ')}`;
    if (excerpt.length + 1 + line.length > stepsMax) return `${excerpt}\n…`;
    excerpt = `${excerpt}\n${line}`;
  }
  return excerpt;
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
