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

export interface ArticleSyncOptions {
  /** How often the change log is read for writes made by other processes. */
  intervalMs: number;
  /** Changes read per query while catching up. */
  batchSize: number;
  /** How many recent changes the log keeps; an instance further behind rebuilds its index. */
  keepChanges: number;
}

export const defaultArticleSyncOptions: ArticleSyncOptions = {
  intervalMs: 1_000,
  batchSize: 500,
  keepChanges: 10_000,
};

/**
 * Knowledge-base articles. This process's own writes reach the search index at once; writes made
 * anywhere else (the `kb import` command, another instance) reach it through the change log, which
 * `startSync` polls, applying only the articles that changed.
 */
export class ArticleService {
  private readonly sync: ArticleSyncOptions;
  /** The last change-log entry this index reflects. */
  private applied = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling: Promise<void> | null = null;
  /** The catch-up (or rebuild) in progress; they never overlap. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly index: SearchIndex,
    private readonly clock: Clock,
    sync: Partial<ArticleSyncOptions> = {},
  ) {
    this.sync = { ...defaultArticleSyncOptions, ...sync };
  }

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

  /** Loads every article into the index (at start-up); later changes come from the change log. */
  reindex(): Promise<number> {
    return this.exclusively(() => this.rebuild());
  }

  /**
   * Applies the changes other processes logged since the last call; rebuilds the whole index when the
   * log no longer reaches back that far. Returns how many changes it read.
   */
  catchUp(): Promise<number> {
    return this.exclusively(async () => {
      const { first, last } = await this.store.articles.changeLogBounds();
      if (last <= this.applied) return 0;
      if (first > this.applied + 1) {
        await this.rebuild();
        return last - first + 1;
      }
      let read = 0;
      for (;;) {
        const changes = await this.store.articles.changesSince(this.applied, this.sync.batchSize);
        for (const id of new Set(changes.map((c) => c.articleId))) {
          const article = await this.store.articles.get(id);
          if (article) await this.index.upsert(article);
          else await this.index.remove(id);
        }
        read += changes.length;
        this.applied = changes.at(-1)?.seq ?? this.applied;
        if (changes.length < this.sync.batchSize) break;
      }
      // Every instance trims the log now and then; one that falls further behind rebuilds instead.
      if (this.applied - first >= 2 * this.sync.keepChanges)
        await this.store.articles.forgetChangesBefore(this.applied - this.sync.keepChanges);
      return read;
    });
  }

  /** Follows the change log every `intervalMs` until `stopSync`; failures go to `onError` and are retried. */
  startSync(onError: (error: unknown) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A long catch-up (a big import elsewhere) is not queued up behind itself.
      if (this.polling) return;
      this.polling = this.catchUp()
        .then(() => {}, onError)
        .finally(() => {
          this.polling = null;
        });
    }, this.sync.intervalMs);
  }

  async stopSync(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  private async rebuild(): Promise<number> {
    // Read the log's position first: a change made while the articles are read is applied again later.
    const { last } = await this.store.articles.changeLogBounds();
    const articles: Article[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.store.articles.list({ limit: 1000, offset });
      articles.push(...page);
      if (page.length < 1000) break;
    }
    await this.index.rebuild(articles);
    this.applied = last;
    return articles.length;
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.catch(() => {}).then(work);
    this.running = next;
    return next;
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
