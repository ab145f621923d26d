import { normaliseArabic } from '../core/knowledge/arabic-normaliser.ts';
import { normaliseArabicDialect } from './arabic-dialects.ts';

/**
 * The features of the learned view: word 1- and 2-grams and character 2- to 5-grams inside words
 * (`#car`, `ard#`), hashed into a fixed space so that memory does not grow with the vocabulary.
 * Language-agnostic on purpose: character n-grams carry morphology (English suffixes, Arabic
 * clitics and dialect spellings), so no stemmer has to be right.
 */
export interface FeatureOptions {
  /** The hashed space has 2^hashBits features. */
  hashBits: number;
  charSizes: number[];
}

export const defaultFeatureOptions: FeatureOptions = { hashBits: 20, charSizes: [2, 3, 4, 5] };

const wordPattern = /[\p{L}\p{N}]+/gu;
const arabicLetter = /[\u0600-\u06FF]/;

/** Lower-cased, Unicode-normalised words; Arabic letter forms and common dialect spellings unified. */
export function featureWords(text: string): string[] {
  let t = text.toLowerCase().normalize('NFKC');
  if (arabicLetter.test(t)) t = normaliseArabic(t);
  const words = t.match(wordPattern) ?? [];
  return arabicLetter.test(t) ? normaliseArabicDialect(words) : words;
}

/** FNV-1a over the string, salted per feature kind. */
export function hash(s: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The hashed feature of a whole word. */
export function wordFeature(word: string, options: FeatureOptions = defaultFeatureOptions): number {
  return hash(word, 1) & ((1 << options.hashBits) - 1);
}

// Word → its hashed character n-grams; a knowledge base's vocabulary is small, so most are reused.
const gramCache = new Map<string, number[]>();

/** Hashed feature → count for one text. */
export function hashedFeatures(
  text: string,
  options: FeatureOptions = defaultFeatureOptions,
): Map<number, number> {
  const mask = (1 << options.hashBits) - 1;
  const counts = new Map<number, number>();
  const add = (f: number) => counts.set(f, (counts.get(f) ?? 0) + 1);
  const words = featureWords(text);
  const sizesKey = `${options.hashBits}:${options.charSizes.join(',')}:`;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    add(wordFeature(w, options));
    if (i + 1 < words.length) add(hash(`${w} ${words[i + 1]}`, 2) & mask);
    const key = sizesKey + w;
    let grams = gramCache.get(key);
    if (!grams) {
      grams = [];
      const marked = `#${w}#`;
      for (const n of options.charSizes)
        for (let j = 0; j + n <= marked.length; j++) grams.push(hash(marked.slice(j, j + n), 3) & mask);
      if (gramCache.size > 100_000) gramCache.clear();
      gramCache.set(key, grams);
    }
    for (const g of grams) add(g);
  }
  return counts;
}
