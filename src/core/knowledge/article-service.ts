import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Article } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { ArticleFilter, Store } from '../ports/repositories.ts';
import type { SearchIndex } from '../ports/search-index.ts';

/** An article found by the knowledge-base search, with the passage that matched. */
export interface ArticleSearchResult {
  article: Article;
  /** The most relevant passage for the query. */
  excerpt: string;
  /** Engine score; comparable only within one query. */
  score: number;
}

export interface ArticleInput {
  /** Stable id, e.g. the file name of an imported article, so that a re-import updates in place. */
  id?: string;
  title: string;
  body?: string;
  tags?: string[];
  locale?: string;
  published?: boolean;
  examples?: string[];
}

/** Knowledge-base articles; the search index follows every change at once. */
export class ArticleService {
  constructor(
    private readonly store: Store,
    private readonly index: SearchIndex,
    private readonly clock: Clock,
  ) {}

  list(filter: ArticleFilter = {}): Promise<Article[]> {
    return this.store.articles.list(filter);
  }

  async get(id: string): Promise<Article> {
    const article = await this.store.articles.get(id);
    if (!article) throw notFound('article', id);
    return article;
  }

  async create(input: ArticleInput): Promise<Article> {
    const now = this.clock.now().toISOString();
    const article: Article = { ...clean(input), id: input.id ?? newId(), createdAt: now, updatedAt: now };
    await this.store.articles.create(article);
    await this.index.upsert(article);
    return article;
  }

  async update(id: string, patch: Partial<ArticleInput>): Promise<Article> {
    const current = await this.get(id);
    const merged = clean({ ...current, ...definedOnly(patch) });
    const article: Article = { ...current, ...merged, updatedAt: this.clock.now().toISOString() };
    await this.store.articles.update(article);
    await this.index.upsert(article);
    return article;
  }

  /** Creates the article or replaces the one with the same id (a re-import). Returns whether it was new. */
  async upsert(input: ArticleInput & { id: string }): Promise<{ article: Article; created: boolean }> {
    const existing = await this.store.articles.get(input.id);
    if (!existing) return { article: await this.create(input), created: true };
    return { article: await this.update(input.id, input), created: false };
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.articles.delete(id);
    await this.index.remove(id);
  }

  /**
   * The published articles that best match `query`, best first (what the virtual agent would find),
   * for agents who link an article in a reply.
   */
  async search(query: string, limit = 8): Promise<ArticleSearchResult[]> {
    if (!query.trim()) return [];
    const hits = await this.index.search(query, { limit });
    const results: ArticleSearchResult[] = [];
    for (const hit of hits) {
      // The index may briefly name an article deleted by another instance: skip it.
      const article = await this.store.articles.get(hit.articleId);
      if (article?.published) results.push({ article, excerpt: hit.excerpt, score: hit.score });
    }
    return results;
  }

  /** Loads every article into the index (at start-up). */
  async reindex(): Promise<number> {
    const articles: Article[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.store.articles.list({ limit: 1000, offset });
      articles.push(...page);
      if (page.length < 1000) break;
    }
    await this.index.rebuild(articles);
    return articles.length;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function clean(input: ArticleInput): Omit<Article, 'id' | 'createdAt' | 'updatedAt'> {
  const title = input.title.trim();
  if (!title || title.length > 300)
    throw invalid('an article title has 1 to 300 characters', { field: 'title' });
  const locale = (input.locale ?? 'en').trim();
  if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(locale))
    throw invalid(`"${locale}" is not a locale`, { field: 'locale' });
  return {
    title,
    body: input.body ?? '',
    tags: [...new Set((input.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))],
    locale,
    published: input.published ?? true,
    examples: [...new Set((input.examples ?? []).map((e) => e.trim()).filter(Boolean))],
  };
}
