import { baseLanguage } from '../core/knowledge/language-detector.ts';
import type { Article } from '../core/model.ts';
import type { SearchHit, SearchIndex, SearchOptions } from '../core/ports/search-index.ts';
import { articleParts, excerptOf, ngrams } from './article-parts.ts';
import { KnowledgeLanguages } from './knowledge-languages.ts';
import { ScoreBuffer, TermIndex } from './term-index.ts';
import { type AnalyzerOptions, analyzeText } from './text-analyzer.ts';

export interface Bm25SearchIndexOptions {
  k1: number;
  b: number;
  /**
   * An article's score mixes three views, each normalised by the query's own weight:
   * the whole article as one document, its title alone, and its best single part
   * (an example question or passage). The whole article gathers evidence spread over
   * many phrasings; the best part rewards one phrasing that matches closely.
   */
  weights: { article: number; title: number; part: number; ngram: number };
  /** Lengths of the character n-grams of the `ngram` view (spelling variants, Arabic morphology). */
  ngramSizes: number[];
  /** Build the n-gram view from Arabic words only: where it helps most, at a fraction of the memory. */
  ngramArabicOnly: boolean;
  /** With 1,000+ documents in a view, query terms found in more than this share of them are skipped (speed at scale). */
  commonShare: number;
  analyzer: AnalyzerOptions;
  /** Query words unknown to the index also match indexed words one edit away (length ≥ 4). */
  typoTolerance: boolean;
  /** Multiplies the weight of a word matched through a typo correction. */
  typoPenalty: number;
  maxPassageWords: number;
  /** Analysis language for queries when detection is unsure and the index has no majority. */
  defaultLanguage: string;
}

export const defaultBm25SearchIndexOptions: Bm25SearchIndexOptions = {
  k1: 2,
  b: 0.75,
  weights: { article: 1, title: 0.5, part: 0.3, ngram: 1 },
  ngramSizes: [3, 4],
  ngramArabicOnly: false,
  commonShare: 0.1,
  analyzer: { bigrams: false, stopWords: false, stemming: true },
  typoTolerance: true,
  typoPenalty: 0.7,
  maxPassageWords: 60,
  defaultLanguage: 'en',
};

interface Entry {
  id: string;
  slot: number;
  lang: string;
  summary: string;
  /** Part slots; a passage keeps the excerpt a member is shown when it matched best. */
  parts: { slot: number; excerpt: string | undefined }[];
}

const latinAlphabet = 'abcdefghijklmnopqrstuvwxyzéèàçñüöäß';
const arabicAlphabet = 'ابتثجحخدذرزسشصضطظعغفقكلمنهويء';

/**
 * Knowledge-base search: hand-written Okapi BM25 over per-language analysed terms, scoring each
 * article as a whole, by its title and by its best-matching part. Measured against Orama,
 * MiniSearch and plain BM25 in bench/kb.ts. In memory: the composition root rebuilds it from the
 * article repository at start; upsert/remove apply at once.
 */
export class Bm25SearchIndex implements SearchIndex {
  readonly options: Bm25SearchIndexOptions;
  private readonly articleIndex: TermIndex;
  private readonly titleIndex: TermIndex;
  private readonly partIndex: TermIndex;
  private readonly ngramIndex: TermIndex;
  private readonly entries = new Map<string, Entry>();
  private readonly slotEntry: (Entry | undefined)[] = [];
  private readonly partArticle: number[] = [];
  private readonly freeSlots: number[] = [];
  private readonly freePartSlots: number[] = [];
  private readonly languages: KnowledgeLanguages;
  private readonly articleBuffer = new ScoreBuffer();
  private readonly titleBuffer = new ScoreBuffer();
  private readonly partBuffer = new ScoreBuffer();
  private readonly ngramBuffer = new ScoreBuffer();
  private readonly combinedBuffer = new ScoreBuffer();
  private readonly bestPartBuffer = new ScoreBuffer();
  private bestPartSlot = new Int32Array(64);
  private topSlots = new Int32Array(0);
  private topScores = new Float64Array(0);

  constructor(options: Partial<Bm25SearchIndexOptions> = {}) {
    this.options = { ...defaultBm25SearchIndexOptions, ...options };
    this.languages = new KnowledgeLanguages(this.options.defaultLanguage);
    const { k1, b } = this.options;
    this.articleIndex = new TermIndex(k1, b);
    this.titleIndex = new TermIndex(k1, b);
    this.partIndex = new TermIndex(k1, b);
    this.ngramIndex = new TermIndex(k1, b);
  }

  size(): number {
    return this.entries.size;
  }

  async upsert(article: Article): Promise<void> {
    this.removeNow(article.id);
    if (article.published) this.add(article);
  }

  async remove(articleId: string): Promise<void> {
    this.removeNow(articleId);
  }

  async rebuild(articles: Article[]): Promise<void> {
    // What removing each article would do, without shifting posting lists one document at a time.
    for (const entry of this.entries.values()) this.release(entry);
    this.entries.clear();
    for (const index of this.views()) index.clear();
    for (const article of articles) if (article.published) this.add(article);
    for (const index of this.views()) index.compact();
  }

  /** Bytes held by the term indexes' arrays. */
  get bytes(): number {
    return this.views().reduce((sum, index) => sum + index.bytes, 0);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return this.searchNow(query, options);
  }

  /** `search` without the promise, for callers that can stay synchronous (the benchmark). */
  searchNow(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 5;
    const locale = options.locale ? baseLanguage(options.locale) : undefined;
    const language = this.languages.queryLanguage(query, locale);
    const terms = this.weightedTerms([...new Set(analyzeText(query, language, this.options.analyzer))]);
    if (terms.length === 0 || this.entries.size === 0) return [];

    const { weights } = this.options;
    const { articleBuffer, titleBuffer, partBuffer, ngramBuffer } = this;
    articleBuffer.reserve(this.articleIndex.capacity);
    titleBuffer.reserve(this.titleIndex.capacity);
    partBuffer.reserve(this.partIndex.capacity);
    ngramBuffer.reserve(this.ngramIndex.capacity);
    try {
      // Each view is divided by the query's own weight in that view: 1 ≈ every query word matched.
      const partMaxDf = this.options.commonShare * this.partIndex.count;
      const articleMaxDf = this.options.commonShare * this.articleIndex.count;
      let articleNorm = 0;
      let titleNorm = 0;
      let partNorm = 0;
      for (const [term, weight, counted] of terms) {
        const commonArticle =
          this.articleIndex.count >= 1000 && this.articleIndex.documentFrequency(term) > articleMaxDf;
        if (weights.article > 0 && !commonArticle) this.articleIndex.accumulate(term, weight, articleBuffer);
        if (weights.title > 0 && !commonArticle) this.titleIndex.accumulate(term, weight, titleBuffer);
        // A word in many documents barely separates articles but costs the most: skipped at scale.
        const commonPart = this.partIndex.count >= 1000 && this.partIndex.documentFrequency(term) > partMaxDf;
        if (weights.part > 0 && !commonPart) this.partIndex.accumulate(term, weight, partBuffer);
        // A word the KB does not know still counts in the query's weight: it lowers the score.
        if (counted) {
          if (!commonArticle) articleNorm += this.articleIndex.idf(term);
          if (!commonArticle) titleNorm += this.titleIndex.idf(term);
          if (!commonPart) partNorm += this.partIndex.idf(term);
        }
      }
      let ngramNorm = 0;
      if (weights.ngram > 0) {
        const maxDf = this.options.commonShare * this.ngramIndex.count;
        for (const g of new Set(
          ngrams(query, language, this.options.ngramSizes, this.options.ngramArabicOnly),
        )) {
          // N-grams in many articles say little and cost the most; skipped at scale.
          if (this.ngramIndex.count >= 1000 && this.ngramIndex.documentFrequency(g) > maxDf) continue;
          this.ngramIndex.accumulate(g, 1, ngramBuffer);
          ngramNorm += this.ngramIndex.idf(g);
        }
      }

      const total = weights.article + weights.title + weights.part + weights.ngram || 1;
      const combined = this.combinedBuffer;
      combined.reserve(this.articleIndex.capacity);
      const add = (buffer: ScoreBuffer, weight: number, norm: number) => {
        if (weight > 0 && norm > 0) buffer.addTo(combined, weight / norm / total);
      };
      add(articleBuffer, weights.article, articleNorm);
      add(titleBuffer, weights.title, titleNorm);
      add(ngramBuffer, weights.ngram, ngramNorm);
      // Best part per article, in dense arrays indexed by article slot.
      const best = this.bestPartBuffer;
      best.reserve(this.articleIndex.capacity);
      if (this.bestPartSlot.length < best.scores.length) {
        const grown = new Int32Array(best.scores.length);
        grown.set(this.bestPartSlot);
        this.bestPartSlot = grown;
      }
      partBuffer.maxByGroup(this.partArticle, best, this.bestPartSlot);
      if (weights.part > 0 && partNorm > 0) best.addTo(combined, weights.part / partNorm / total);

      // Top `limit` by selection: sorting every matching article costs more than the scoring at 10,000.
      if (this.topSlots.length < limit) {
        this.topSlots = new Int32Array(limit);
        this.topScores = new Float64Array(limit);
      }
      const { topSlots, topScores } = this;
      const count = combined.top(
        limit,
        (slot) => {
          const entry = this.slotEntry[slot];
          return !!entry && (!locale || entry.lang === locale);
        },
        topSlots,
        topScores,
      );
      const hits: SearchHit[] = [];
      for (let i = 0; i < count; i++) {
        const entry = this.slotEntry[topSlots[i] as number] as Entry;
        const part = (best.scores[entry.slot] ?? 0) > 0 ? this.bestPartSlot[entry.slot] : -1;
        const passage = entry.parts.find((p) => p.slot === part)?.excerpt;
        hits.push({ articleId: entry.id, score: topScores[i] as number, excerpt: passage ?? entry.summary });
      }
      return hits;
    } finally {
      articleBuffer.clear();
      titleBuffer.clear();
      partBuffer.clear();
      ngramBuffer.clear();
      this.combinedBuffer.clear();
      this.bestPartBuffer.clear();
    }
  }

  /** The language and summary of an indexed article (for a hit another view found). */
  describe(articleId: string): { lang: string; summary: string } | undefined {
    const entry = this.entries.get(articleId);
    return entry && { lang: entry.lang, summary: entry.summary };
  }

  /** Query terms with their weights; unknown words bring in known words one edit away. */
  private weightedTerms(terms: string[]): [term: string, weight: number, counted: boolean][] {
    const out: [string, number, boolean][] = [];
    for (const t of terms) {
      if (this.articleIndex.has(t) || !this.options.typoTolerance || t.length < 4 || t.includes('|')) {
        out.push([t, 1, true]);
        continue;
      }
      out.push([t, 1, true]);
      for (const c of this.corrections(t)) out.push([c, this.options.typoPenalty, false]);
    }
    return out;
  }

  /** Indexed terms at edit distance 1 (deletion, insertion, substitution, transposition). */
  private corrections(term: string): string[] {
    const alphabet = /[\u0600-\u06FF]/.test(term) ? arabicAlphabet : latinAlphabet;
    const found = new Set<string>();
    const tryTerm = (c: string) => {
      if (c !== term && this.articleIndex.has(c)) found.add(c);
    };
    for (let i = 0; i <= term.length; i++) {
      const head = term.slice(0, i);
      const tail = term.slice(i);
      if (tail) tryTerm(head + tail.slice(1));
      if (tail.length > 1) tryTerm(head + tail.charAt(1) + tail.charAt(0) + tail.slice(2));
      for (const ch of alphabet) {
        tryTerm(head + ch + tail);
        if (tail) tryTerm(head + ch + tail.slice(1));
      }
    }
    return [...found];
  }

  private add(article: Article): void {
    const lang = baseLanguage(article.locale || this.options.defaultLanguage);
    const slot = this.freeSlots.pop() ?? this.slotEntry.length;
    const entry: Entry = { id: article.id, slot, lang, summary: '', parts: [] };
    this.slotEntry[slot] = entry;
    const all: string[] = [];
    for (const part of articleParts(article, this.options.maxPassageWords)) {
      const terms = analyzeText(part.text, lang, this.options.analyzer);
      if (terms.length === 0) continue;
      for (const t of terms) all.push(t);
      if (part.kind === 'title') this.titleIndex.add(slot, terms);
      const partSlot = this.freePartSlots.pop() ?? this.partArticle.length;
      this.partArticle[partSlot] = slot;
      this.partIndex.add(partSlot, terms);
      entry.parts.push({
        slot: partSlot,
        excerpt: part.kind === 'passage' ? (part.excerpt ?? excerptOf(part.text)) : undefined,
      });
    }
    this.articleIndex.add(slot, all);
    if (this.options.weights.ngram > 0)
      this.ngramIndex.add(slot, ngrams(articleText(article), lang, this.options.ngramSizes));
    entry.summary = entry.parts.find((p) => p.excerpt !== undefined)?.excerpt ?? '';
    this.entries.set(article.id, entry);
    this.languages.add(lang);
  }

  private removeNow(articleId: string): void {
    const entry = this.entries.get(articleId);
    if (!entry) return;
    this.entries.delete(articleId);
    this.articleIndex.remove(entry.slot);
    this.titleIndex.remove(entry.slot);
    this.ngramIndex.remove(entry.slot);
    for (const part of entry.parts) this.partIndex.remove(part.slot);
    this.release(entry);
  }

  /** Frees an entry's slots for reuse. */
  private release(entry: Entry): void {
    for (const part of entry.parts) this.freePartSlots.push(part.slot);
    this.slotEntry[entry.slot] = undefined;
    this.freeSlots.push(entry.slot);
    this.languages.remove(entry.lang);
  }

  private views(): TermIndex[] {
    return [this.articleIndex, this.titleIndex, this.partIndex, this.ngramIndex];
  }
}

function articleText(article: Article): string {
  return [article.title, ...article.examples, article.body, article.tags.join(' ')].join('\n');
}
