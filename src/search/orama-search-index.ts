import { type AnyOrama, create, insertMultiple, remove, search } from '@orama/orama';
import { baseLanguage } from '../core/knowledge/language-detector.ts';
import type { Article } from '../core/model.ts';
import type { SearchHit, SearchIndex, SearchOptions } from '../core/ports/search-index.ts';
import { articleParts, excerptOf, ngrams } from './article-parts.ts';
import { KnowledgeLanguages } from './knowledge-languages.ts';
import { type AnalyzerOptions, analyzeText } from './text-analyzer.ts';

export interface OramaSearchIndexOptions {
  /** Multiplies each field's BM25 score. */
  boosts: { terms: number; title: number; ngrams: number };
  bm25: { k: number; b: number; d: number };
  analyzer: AnalyzerOptions;
  /** Lengths of the character n-grams of the `ngrams` field (spelling variants, Arabic morphology). */
  ngramSizes: number[];
  /** Orama's typo tolerance (Levenshtein distance) for the word fields; 0 = off. */
  tolerance: number;
  maxPassageWords: number;
  /** Analysis language for queries when detection is unsure and the index has no majority. */
  defaultLanguage: string;
}

export const defaultOramaSearchIndexOptions: OramaSearchIndexOptions = {
  boosts: { terms: 1, title: 0.5, ngrams: 0.1 },
  bm25: { k: 1.2, b: 0.75, d: 0.5 },
  analyzer: { bigrams: false, stopWords: false, stemming: true },
  ngramSizes: [3, 4],
  tolerance: 0,
  maxPassageWords: 60,
  defaultLanguage: 'en',
};

interface ArticleDocument {
  id: string;
  lang: string;
  /** Analysed terms of the whole article joined by spaces; the Orama tokenizer only splits them. */
  terms: string;
  title: string;
  ngrams: string;
}

interface ArticleEntry {
  lang: string;
  summary: string;
  passages: { excerpt: string; terms: Set<string> }[];
  distinct: string[];
}

// Every indexed term ends with this mark so that Orama's prefix lookup finds the whole term only.
const END = '~';

/**
 * Knowledge-base search on Orama's BM25 with Switchboard's analysis (per-language stemming,
 * Arabic normalisation, character n-grams) over three fields: the whole article, its title and
 * its n-grams. Kept as the measured alternative to `Bm25SearchIndex`, the default: on bench/kb.ts
 * it is less accurate (Orama's term frequency is a word's share of the field, so repeated words
 * barely count) and slower at 10,000 articles.
 * Its scores are not on the scale the KnowledgeVirtualAgent's default calibration expects.
 * In memory: rebuilt from the article repository at start.
 */
export class OramaSearchIndex implements SearchIndex {
  readonly options: OramaSearchIndexOptions;
  private db: AnyOrama;
  private readonly articles = new Map<string, ArticleEntry>();
  private readonly documentFrequency = new Map<string, number>();
  private readonly languages: KnowledgeLanguages;

  constructor(options: Partial<OramaSearchIndexOptions> = {}) {
    this.options = { ...defaultOramaSearchIndexOptions, ...options };
    this.languages = new KnowledgeLanguages(this.options.defaultLanguage);
    this.db = this.createDb();
  }

  private createDb(): AnyOrama {
    return create({
      schema: { terms: 'string', title: 'string', ngrams: 'string', lang: 'enum' } as const,
      components: {
        tokenizer: {
          language: 'english',
          normalizationCache: new Map(),
          // Each distinct term once, as Orama's own tokenizer returns them: Orama counts every token
          // it is given as one more document holding it, so repeated words would push their idf
          // below zero on articles with many example questions.
          tokenize: (raw: string) => (raw ? [...new Set(raw.split(' '))] : []),
        },
      },
    });
  }

  size(): number {
    return this.articles.size;
  }

  async upsert(article: Article): Promise<void> {
    await this.removeArticle(article.id);
    if (article.published) await this.insertArticles([article]);
  }

  async remove(articleId: string): Promise<void> {
    await this.removeArticle(articleId);
  }

  async rebuild(articles: Article[]): Promise<void> {
    this.db = this.createDb();
    this.articles.clear();
    this.documentFrequency.clear();
    this.languages.clear();
    await this.insertArticles(articles.filter((a) => a.published));
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    const localeFilter = options.locale ? baseLanguage(options.locale) : undefined;
    const language = this.languages.queryLanguage(query, localeFilter);
    const terms = [...new Set(analyzeText(query, language, this.options.analyzer))];
    if (terms.length === 0 || this.articles.size === 0) return [];
    const grams = [...new Set(ngrams(query, language, this.options.ngramSizes))];
    const { k, b, d } = this.options.bm25;
    const where = localeFilter ? { lang: { eq: localeFilter } } : undefined;

    // Words and n-grams are searched separately: Orama applies one term list to all fields.
    const scores = new Map<string, number>();
    const run = async (term: string, properties: ('terms' | 'title' | 'ngrams')[], tolerance: number) => {
      const boost = Object.fromEntries(properties.map((p) => [p, this.options.boosts[p]]));
      const result = await search(this.db, {
        term,
        properties,
        boost,
        limit: Math.max(limit, 20),
        relevance: { k, b, d },
        tolerance,
        ...(where ? { where } : {}),
      });
      for (const hit of result.hits) scores.set(hit.id, (scores.get(hit.id) ?? 0) + hit.score);
    };
    await run(terms.map((t) => t + END).join(' '), ['terms', 'title'], this.options.tolerance);
    if (this.options.boosts.ngrams > 0 && grams.length > 0)
      await run(grams.map((g) => g + END).join(' '), ['ngrams'], 0);

    // Normalised by the query's own weight so that scores mean the same across queries.
    const n = this.articles.size;
    let norm = 0;
    for (const t of terms) {
      const df = this.documentFrequency.get(t) ?? 0;
      norm += Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }
    norm *=
      ((d + k + 1) / (1 + k)) *
      (this.options.boosts.terms + this.options.boosts.title + this.options.boosts.ngrams);

    return [...scores]
      .sort((x, y) => y[1] - x[1])
      .slice(0, limit)
      .map(([articleId, score]) => ({
        articleId,
        score: score / (norm || 1),
        excerpt: this.excerpt(articleId, new Set(terms)),
      }));
  }

  /** The passage sharing the most query terms, else the article's first passage. */
  private excerpt(articleId: string, terms: Set<string>): string {
    const entry = this.articles.get(articleId);
    if (!entry) return '';
    let best = entry.summary;
    let bestCount = 0;
    for (const p of entry.passages) {
      let count = 0;
      for (const t of terms) if (p.terms.has(t)) count++;
      if (count > bestCount) [best, bestCount] = [p.excerpt, count];
    }
    return best;
  }

  private async insertArticles(articles: Article[]): Promise<void> {
    const docs: ArticleDocument[] = [];
    const { analyzer, maxPassageWords, ngramSizes } = this.options;
    for (const article of articles) {
      const lang = baseLanguage(article.locale || this.options.defaultLanguage);
      const parts = articleParts(article, maxPassageWords);
      const all: string[] = [];
      const passages: ArticleEntry['passages'] = [];
      for (const part of parts) {
        const terms = analyzeText(part.text, lang, analyzer);
        all.push(...terms);
        if (part.kind === 'passage')
          passages.push({ excerpt: part.excerpt ?? excerptOf(part.text), terms: new Set(terms) });
      }
      const distinct = [...new Set(all)];
      for (const t of distinct) this.documentFrequency.set(t, (this.documentFrequency.get(t) ?? 0) + 1);
      this.articles.set(article.id, {
        lang,
        summary: passages[0]?.excerpt ?? '',
        passages,
        distinct,
      });
      this.languages.add(lang);
      docs.push({
        id: article.id,
        lang,
        terms: all.map((t) => t + END).join(' '),
        title: analyzeText(article.title, lang, analyzer)
          .map((t) => t + END)
          .join(' '),
        ngrams: ngrams(parts.map((p) => p.text).join('\n'), lang, ngramSizes)
          .map((g) => g + END)
          .join(' '),
      });
    }
    if (docs.length > 0) await insertMultiple(this.db, docs as never, 2000);
  }

  private async removeArticle(articleId: string): Promise<void> {
    const entry = this.articles.get(articleId);
    if (!entry) return;
    this.articles.delete(articleId);
    await remove(this.db, articleId);
    for (const t of entry.distinct) {
      const df = (this.documentFrequency.get(t) ?? 1) - 1;
      if (df <= 0) this.documentFrequency.delete(t);
      else this.documentFrequency.set(t, df);
    }
    this.languages.remove(entry.lang);
  }
}
