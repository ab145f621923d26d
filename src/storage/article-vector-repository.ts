import type { Selectable } from 'kysely';
import type { ArticleVectorRepository, StoredArticleVector } from '../core/ports/article-vectors.ts';
import type { DbScope } from './db-scope.ts';

export interface ArticleVectorTable {
  article_id: string;
  model: string;
  source_hash: string;
  dimensions: number;
  /** Base64 of the float32 values (a quarter of the size of JSON numbers). */
  vector: string;
  updated_at: string;
}

const encode = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString('base64');

function decode(text: string, dimensions: number): number[] {
  const bytes = Buffer.from(text, 'base64');
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.min(dimensions, bytes.length >> 2));
  return Array.from(floats);
}

const fromRow = (r: Selectable<ArticleVectorTable>): StoredArticleVector => ({
  articleId: r.article_id,
  model: r.model,
  sourceHash: r.source_hash,
  vector: decode(r.vector, Number(r.dimensions)),
  updatedAt: r.updated_at,
});

export class KyselyArticleVectorRepository implements ArticleVectorRepository {
  constructor(private readonly scope: DbScope) {}

  async list(model: string): Promise<StoredArticleVector[]> {
    const rows = await this.scope.db
      .selectFrom('article_vectors')
      .selectAll()
      .where('model', '=', model)
      .execute();
    return rows.map(fromRow);
  }

  async getMany(articleIds: readonly string[]): Promise<StoredArticleVector[]> {
    if (articleIds.length === 0) return [];
    const rows = await this.scope.db
      .selectFrom('article_vectors')
      .selectAll()
      .where('article_id', 'in', [...articleIds])
      .execute();
    return rows.map(fromRow);
  }

  async put(v: StoredArticleVector): Promise<void> {
    const values = {
      model: v.model,
      source_hash: v.sourceHash,
      dimensions: v.vector.length,
      vector: encode(v.vector),
      updated_at: v.updatedAt,
    };
    await this.scope.db
      .insertInto('article_vectors')
      .values({ article_id: v.articleId, ...values })
      .onConflict((oc) => oc.column('article_id').doUpdateSet(values))
      .execute();
  }

  async delete(articleId: string): Promise<void> {
    await this.scope.db.deleteFrom('article_vectors').where('article_id', '=', articleId).execute();
  }
}
