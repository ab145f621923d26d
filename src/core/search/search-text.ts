import { normaliseArabic, stemArabic } from '../knowledge/arabic-normaliser.ts';

/**
 * The text the databases' full-text engines index, and the words a query is matched with. Both go through
 * the knowledge base's Arabic normalisation (alef and yeh forms, taa marbuta, diacritics, tatweel) and its
 * light stemming of Arabic words, so a word typed with other letter forms than stored still matches; Latin
 * words are left to the engines (FTS5 porter, PostgreSQL `english`), which stem them.
 */

const arabicLetters = /[\u0621-\u064A\u066E-\u06D3\u06D5\u06FA-\u06FF]+/g;
// Only letters and digits reach the engines: their tokenizers then split the text exactly as this does
// (no e-mail, URL or hyphenated tokens on one engine and words on the other).
const word = /[\p{L}\p{N}]+/gu;

/** Normalised words of `text`, in order. */
export function searchWords(text: string): string[] {
  const normalised = normaliseArabic(text.normalize('NFKC').toLowerCase()).replace(arabicLetters, (w) =>
    stemArabic(w),
  );
  return normalised.match(word) ?? [];
}

/** What is stored in the index for `parts` (empty parts skipped). */
export function searchText(...parts: Array<string | null | undefined>): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .map((p) => searchWords(p).join(' '))
    .filter((p) => p.length > 0)
    .join('\n');
}

/** The most words of a query that are matched; more are ignored. */
export const maxSearchTerms = 12;

/**
 * PostgreSQL's `english` stop words: it leaves them out of the index and of a query, so they are left out
 * of every query here too ("how to refund" finds "refund please" on SQLite as on PostgreSQL).
 */
const englishStopWords = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were ' +
    'be been being have has had having do does did doing a an the and but if or because as until while of at by for ' +
    'with about against between into through during before after above below to from up down in out on off over ' +
    'under again further then once here there when where why how all any both each few more most other some such no ' +
    'nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** The words of a query; every one must match (as a word prefix). Stop words go unless nothing else is left. */
export function searchTerms(query: string): string[] {
  const words = [...new Set(searchWords(query))];
  const kept = words.filter((w) => !englishStopWords.has(w));
  return (kept.length > 0 ? kept : words).slice(0, maxSearchTerms);
}

/** Words as a person reads them (letters with their marks, digits), for finding them in the text as written. */
const writtenWord = /[\p{L}\p{M}\p{N}]+/gu;

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Whether a normalised word of a text is one a query's terms matched: as the engines match, a word starting
 * with a term; or the same word stemmed otherwise (a shared stem of five letters, or the word a term's stem).
 */
export function matchesTerm(word: string, terms: readonly string[]): boolean {
  return terms.some(
    (t) => word.startsWith(t) || (word.length >= 4 && t.startsWith(word)) || commonPrefix(word, t) >= 5,
  );
}

/** Where the words a query matched are in `text` as written: UTF-16 offsets, `end` exclusive, in order. */
export function matchedRanges(text: string, terms: readonly string[]): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  if (terms.length === 0) return ranges;
  for (const m of text.matchAll(writtenWord)) {
    if (searchWords(m[0]).some((w) => matchesTerm(w, terms)))
      ranges.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  }
  return ranges;
}

/** A phone number's digits, so "+1 (555) 010-0100" and "15550100100" meet. */
export function phoneDigits(value: string): string | undefined {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 5 && /^\+?[\d\s().-]+$/.test(value.trim()) ? digits : undefined;
}
