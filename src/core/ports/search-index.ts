import type { Article } from '../model.ts';

export interface SearchHit {
  articleId: string;
  /** Engine score; comparable only within one query. */
  score: number;
  /** The most relevant passage of the article for this query. */
  excerpt: string;
  /** The engine's own calibrated 0..1 confidence that this hit answers the query, when it has one. */
  confidence?: number;
}

export interface SearchOptions {
  limit?: number;
  /** Restrict to articles in this locale (e.g. `ar`); all locales when absent. */
  locale?: string;
}

/** The knowledge-base index. A keyword engine today; a semantic retriever can be added beside it. */
export interface SearchIndex {
  /** Adds or replaces the article (unpublished articles are removed). */
  upsert(article: Article): Promise<void>;
  remove(articleId: string): Promise<void>;
  /** Replaces the whole index. */
  rebuild(articles: Article[]): Promise<void>;
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
  size(): number;
}
