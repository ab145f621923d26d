/** An article's embedding as stored with it: recomputed when the article's text or the model changes. */
export interface StoredArticleVector {
  articleId: string;
  /** The embeddings model that computed it. */
  model: string;
  /** A hash of the text that was embedded (title, examples, body): a different one means stale. */
  sourceHash: string;
  vector: number[];
  updatedAt: string;
}

export interface ArticleVectorRepository {
  /** Every stored vector of this model. */
  list(model: string): Promise<StoredArticleVector[]>;
  getMany(articleIds: readonly string[]): Promise<StoredArticleVector[]>;
  /** Adds or replaces the article's vector. */
  put(vector: StoredArticleVector): Promise<void>;
  /** Missing: a no-op. */
  delete(articleId: string): Promise<void>;
}
