import { createHash } from 'node:crypto';
import type { Article } from '../core/model.ts';
import type { ArticleVectorRepository } from '../core/ports/article-vectors.ts';
import type { SearchHit, SearchIndex, SearchOptions } from '../core/ports/search-index.ts';
import { excerptOf, markdownBlocks } from '../search/article-parts.ts';
import type { OpenAiClient } from './openai-client.ts';

export interface HybridSearchIndexOptions {
  /**
   * Cosine similarity that counts as no match at all; from there to 1 the vector score rises from 0 to
   * 1, on the scale of the keyword score (the share of the question an article matches), so that the
   * virtual agent's confidence reads both alike. Depends on the embeddings model.
   */
  minSimilarity: number;
  /** When both views find an article, this share of the weaker score is added to the stronger. */
  agreementWeight: number;
  /** Articles per embeddings request in the background. */
  batchSize: number;
  /** First wait before an embeddings request that failed is tried again; doubled up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Recent questions' vectors kept (the virtual agent searches a question once per locale). */
  queryCacheSize: number;
  log: {
    warn(context: Record<string, unknown>, message: string): void;
    info(context: Record<string, unknown>, message: string): void;
  };
}

export const defaultHybridSearchIndexOptions: HybridSearchIndexOptions = {
  minSimilarity: 0.5,
  agreementWeight: 0.25,
  batchSize: 16,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 60_000,
  queryCacheSize: 256,
  log: { warn: () => {}, info: () => {} },
};

interface VectorEntry {
  locale: string;
  vector: Float32Array;
  excerpt: string;
}

/** What is embedded for an article: the words a member's question is compared with. */
export function embeddedText(article: Article): string {
  return [article.title, ...article.examples, article.body].join('\n').slice(0, 8_000);
}

const sourceHash = (model: string, text: string) =>
  createHash('sha256').update(model).update('\u0000').update(text).digest('hex');

function normalised(vector: readonly number[]): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / norm;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/**
 * Confidence from the vector view alone: the keyword agent's logistic of the top score and its lead
 * (`defaultKnowledgeVirtualAgentOptions.calibration`), read on the rescaled similarity.
 */
function vectorConfidence(top: number, second: number): number {
  const z = -4.7 + 8 * top + (top - Math.min(second, top)) / top;
  return 1 / (1 + Math.exp(-z));
}

const sameLocale = (locale: string, wanted: string) =>
  locale.toLowerCase().split('-')[0] === wanted.toLowerCase().split('-')[0];

/**
 * Keyword search and article vectors, fused. Each article's vector is stored in the database with
 * it (the same one serves every instance and survives restarts) and computed in the background when
 * the article is new or changed, retried until the embeddings endpoint answers; meanwhile, and
 * whenever the endpoint fails on a question, the keyword view answers alone. Vectors are compared
 * in process (cosine over normalised float32 vectors); PostgreSQL's pgvector is not used.
 */
export class HybridSearchIndex implements SearchIndex {
  readonly options: HybridSearchIndexOptions;
  private readonly vectors = new Map<string, VectorEntry>();
  /** Articles whose vector is missing or stale, by id (the latest version). */
  private readonly pending = new Map<string, Article>();
  private readonly queryCache = new Map<string, Float32Array>();
  private draining: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  private wake: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;

  constructor(
    private readonly keyword: SearchIndex,
    private readonly embedder: Pick<OpenAiClient, 'embed'> & { readonly embeddingsModel: string | null },
    private readonly store: ArticleVectorRepository,
    options: Partial<HybridSearchIndexOptions> = {},
  ) {
    this.options = { ...defaultHybridSearchIndexOptions, ...options };
  }

  private get model(): string {
    return this.embedder.embeddingsModel ?? '';
  }

  async upsert(article: Article): Promise<void> {
    await this.keyword.upsert(article);
    // A changed article is found by its words until its new vector is there, never by its old one.
    this.vectors.delete(article.id);
    if (!article.published) {
      this.pending.delete(article.id);
      return;
    }
    this.pending.set(article.id, article);
    this.kick();
  }

  async remove(articleId: string): Promise<void> {
    await this.keyword.remove(articleId);
    this.vectors.delete(articleId);
    this.pending.delete(articleId);
    await this.store.delete(articleId);
  }

  async rebuild(articles: Article[]): Promise<void> {
    await this.keyword.rebuild(articles);
    this.vectors.clear();
    this.pending.clear();
    const stored = new Map((await this.store.list(this.model)).map((v) => [v.articleId, v]));
    for (const article of articles) {
      if (!article.published) continue;
      const v = stored.get(article.id);
      if (v && v.sourceHash === sourceHash(this.model, embeddedText(article))) this.keep(article, v.vector);
      else this.pending.set(article.id, article);
    }
    this.kick();
  }

  size(): number {
    return this.keyword.size();
  }

  /** How many published articles have their vector (the rest are found by keywords only). */
  vectorCount(): number {
    return this.vectors.size;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 10;
    const keywordHits = await this.keyword.search(query, { ...options, limit: Math.max(limit * 3, 10) });
    const queryVector = this.vectors.size > 0 ? await this.queryVector(query) : null;
    if (!queryVector) return keywordHits.slice(0, limit);

    const { minSimilarity, agreementWeight } = this.options;
    const fused = new Map<string, SearchHit & { keyword: number; vector: number }>();
    for (const hit of keywordHits) fused.set(hit.articleId, { ...hit, keyword: hit.score, vector: 0 });
    for (const [articleId, entry] of this.vectors) {
      if (options.locale && !sameLocale(entry.locale, options.locale)) continue;
      const similarity = dot(queryVector, entry.vector);
      const score = Math.min(1, Math.max(0, (similarity - minSimilarity) / (1 - minSimilarity)));
      if (score <= 0) continue;
      const hit = fused.get(articleId);
      if (hit) hit.vector = score;
      else fused.set(articleId, { articleId, score: 0, excerpt: entry.excerpt, keyword: 0, vector: score });
    }
    const ranked = [...fused.values()]
      .map((hit) => ({
        ...hit,
        score: Math.max(hit.keyword, hit.vector) + agreementWeight * Math.min(hit.keyword, hit.vector),
      }))
      .sort((a, b) => b.score - a.score || a.articleId.localeCompare(b.articleId))
      .slice(0, limit);
    const selfCalibrated = keywordHits.some((h) => h.confidence !== undefined);
    return ranked.map(({ keyword: _k, vector, confidence, ...hit }, i) => {
      // The keyword index's own confidence (when it has one) only knows its view: the vectors may be surer.
      if (i > 0 || !selfCalibrated) return hit;
      const runnerUp = ranked[1]?.vector ?? 0;
      const fromVector = vector > 0 ? vectorConfidence(vector, runnerUp) : 0;
      return { ...hit, confidence: Math.max(confidence ?? 0, fromVector) };
    });
  }

  /** Resolves when no vector is pending (for tests; never while the endpoint keeps failing). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.resolve();
    await this.draining;
  }

  private keep(article: Article, vector: readonly number[]): void {
    const block = markdownBlocks(article.body, 60)[0];
    this.vectors.set(article.id, {
      locale: article.locale,
      vector: normalised(vector),
      excerpt: block?.excerpt ?? excerptOf(article.body),
    });
  }

  private async queryVector(query: string): Promise<Float32Array | null> {
    const key = query.trim().toLowerCase();
    const cached = this.queryCache.get(key);
    if (cached) return cached;
    try {
      const [vector] = await this.embedder.embed([query], 'query_embeddings');
      if (!vector) return null;
      const v = normalised(vector);
      if (this.queryCache.size >= this.options.queryCacheSize) {
        const oldest = this.queryCache.keys().next().value;
        if (oldest !== undefined) this.queryCache.delete(oldest);
      }
      this.queryCache.set(key, v);
      return v;
    } catch (error) {
      this.options.log.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'question not embedded; keyword search answered alone',
      );
      return null;
    }
  }

  private kick(): void {
    if (this.draining || this.stopped || this.pending.size === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // An article changed just as the last batch ended is still pending.
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    const { batchSize, retryDelayMs, maxRetryDelayMs, log } = this.options;
    while (!this.stopped && this.pending.size > 0) {
      const batch = [...this.pending.values()].slice(0, batchSize);
      try {
        await this.embedBatch(batch);
        if (this.failures > 0)
          log.info({ attempts: this.failures + 1 }, 'article vectors computed after retrying');
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        const delay = Math.min(retryDelayMs * 2 ** (this.failures - 1), maxRetryDelayMs);
        log.warn(
          {
            articles: batch.length,
            attempt: this.failures,
            retryInMs: delay,
            reason: error instanceof Error ? error.message : String(error),
          },
          'article vectors not computed; retrying',
        );
        await this.sleep(delay);
      }
    }
  }

  private async embedBatch(batch: Article[]): Promise<void> {
    const model = this.model;
    const hashes = new Map(batch.map((a) => [a.id, sourceHash(model, embeddedText(a))]));
    // Another instance (or this one before a restart) may have computed some already.
    const stored = new Map((await this.store.getMany(batch.map((a) => a.id))).map((v) => [v.articleId, v]));
    const todo: Article[] = [];
    for (const article of batch) {
      const v = stored.get(article.id);
      if (v && v.model === model && v.sourceHash === hashes.get(article.id)) this.settle(article, v.vector);
      else todo.push(article);
    }
    if (todo.length === 0) return;
    const vectors = await this.embedder.embed(todo.map(embeddedText), 'article_embeddings');
    const at = new Date().toISOString();
    for (const [i, article] of todo.entries()) {
      const vector = vectors[i];
      if (!vector) continue;
      await this.store.put({
        articleId: article.id,
        model,
        sourceHash: hashes.get(article.id) ?? '',
        vector,
        updatedAt: at,
      });
      this.settle(article, vector);
    }
  }

  /** Keeps the vector unless the article changed again (or went) while it was computed. */
  private settle(article: Article, vector: readonly number[]): void {
    if (this.pending.get(article.id) !== article) return;
    this.pending.delete(article.id);
    this.keep(article, vector);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      timer.unref?.();
      this.wake = {
        timer,
        resolve: () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        },
      };
    });
  }
}
