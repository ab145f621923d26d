import type { Selectable } from 'kysely';
import type { Article } from '../core/model.ts';
import type { ArticleFilter, ArticleRepository } from '../core/ports/repositories.ts';
import type { ArticleTable } from './database.ts';
import { assertUpdated, type DbScope, fromFlag, fromJson, noLimit, toFlag, toJson } from './db-scope.ts';

const toRow = (a: Article): Selectable<ArticleTable> => ({
  id: a.id,
  title: a.title,
  body: a.body,
  tags: toJson(a.tags),
  locale: a.locale,
  published: toFlag(a.published),
  examples: toJson(a.examples),
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

const fromRow = (r: Selectable<ArticleTable>): Article => ({
  id: r.id,
  title: r.title,
  body: r.body,
  tags: fromJson<string[]>(r.tags),
  locale: r.locale,
  published: fromFlag(r.published),
  examples: fromJson<string[]>(r.examples),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class KyselyArticleRepository implements ArticleRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Article | undefined> {
    const row = await this.scope.db
      .selectFrom('articles')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Most recently updated first. */
  async list(filter: ArticleFilter): Promise<Article[]> {
    let query = this.scope.db.selectFrom('articles').selectAll();
    if (filter.locale !== undefined) query = query.where('locale', '=', filter.locale);
    if (filter.published !== undefined) query = query.where('published', '=', toFlag(filter.published));
    query = query.orderBy('updated_at', 'desc').orderBy('id', 'asc');
    if (filter.limit !== undefined || filter.offset !== undefined)
      query = query.limit(filter.limit ?? noLimit);
    if (filter.offset !== undefined) query = query.offset(filter.offset);
    return (await query.execute()).map(fromRow);
  }

  async create(article: Article): Promise<void> {
    await this.scope.db.insertInto('articles').values(toRow(article)).execute();
  }

  async update(article: Article): Promise<void> {
    const { id, ...values } = toRow(article);
    const result = await this.scope.db
      .updateTable('articles')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Article', id);
  }

  /** Also deletes the article's example proposals (foreign key cascade). Missing: a no-op. */
  async delete(id: string): Promise<void> {
    await this.scope.db.deleteFrom('articles').where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const row = await this.scope.db
      .selectFrom('articles')
      .select(({ fn }) => fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
