import { normaliseArabic, stemArabic } from '../knowledge/arabic-normaliser.ts';
import type { Case } from '../model.ts';

export interface SimilarCase {
  case: Case;
  /** 0..1: weighted overlap of the two requests' words. */
  score: number;
}

export interface SimilarCasesOptions {
  /** At most this many are returned, best first. */
  limit: number;
  /** Below this score a case is not similar enough to show. */
  minScore: number;
}

export const defaultSimilarCasesOptions: SimilarCasesOptions = { limit: 3, minScore: 0.2 };

// Words that say nothing about what is requested; without them "add a dark mode" and "add an export" do not match.
const stopWords = new Set(
  (
    'a an the and or but to of in on for with from at by is are be been it its this that these those i me my we our you your ' +
    'please would could should can will want wish like love need add added adding feature request option ability able allow support ' +
    'make have has more some any all new when what how there so just also not no'
  ).split(' '),
);

/** Normalised content words: lower case, Arabic folded and stemmed, a light English plural/-ing stem. */
export function contentWords(text: string): string[] {
  const words = normaliseArabic(text.toLowerCase()).match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const word of words) {
    if (stopWords.has(word) || word.length < 2) continue;
    if (/[\u0600-\u06FF]/.test(word)) out.push(stemArabic(word));
    else out.push(word.replace(/(?:ing|es|s)$/, '') || word);
  }
  return out;
}

function textOf(kase: Pick<Case, 'subject' | 'fields'>): string {
  return `${kase.subject} ${kase.subject} ${kase.fields.description ?? ''}`;
}

/**
 * Existing requests that look like a new one, so that members vote instead of filing twice.
 * Cosine similarity of word counts (the subject counts twice: it names the request).
 */
export function similarCases(
  request: { subject: string; description?: string },
  candidates: readonly Case[],
  options: Partial<SimilarCasesOptions> = {},
): SimilarCase[] {
  const { limit, minScore } = { ...defaultSimilarCasesOptions, ...options };
  const query = counts(
    contentWords(textOf({ subject: request.subject, fields: { description: request.description ?? '' } })),
  );
  if (query.size === 0) return [];
  return candidates
    .map((kase) => ({ case: kase, score: cosine(query, counts(contentWords(textOf(kase)))) }))
    .filter((s) => s.score >= minScore)
    .sort((a, b) => b.score - a.score || b.case.votes - a.case.votes)
    .slice(0, limit);
}

function counts(words: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const w of words) map.set(w, (map.get(w) ?? 0) + 1);
  return map;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [word, n] of a) dot += n * (b.get(word) ?? 0);
  if (dot === 0) return 0;
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, n) => s + n * n, 0));
  return dot / (norm(a) * norm(b));
}
