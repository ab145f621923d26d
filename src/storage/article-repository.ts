import { type Kysely, type Selectable, sql } from 'kysely';
import type { Article } from '../core/model.ts';
import type { ArticleChange, ArticleFilter, ArticleRepository } from '../core/ports/repositories.ts';
import { type ArticleTable, type Database, engineOf } from './database.ts';
import {
  assertUpdated,
  atomically,
  type DbScope,
  fromFlag,
  fromJson,
  noLimit,
  toFlag,
  toJson,
} from './db-scope.ts';
import { articleEntry, writeSearchEntries } from './search-entries.ts';

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
    await this.changing(article.id, async (db) => {
      await db.insertInto('articles').values(toRow(article)).execute();
      await writeSearchEntries(db, [articleEntry(article)]);
    });
  }

  async update(article: Article): Promise<void> {
    const { id, ...values } = toRow(article);
    await this.changing(id, async (db) => {
      const result = await db.updateTable('articles').set(values).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Article', id);
      await writeSearchEntries(db, [articleEntry(article)]);
    });
  }

  /** Also deletes the article's example proposals (foreign key cascade). Missing: a no-op. */
  async delete(id: string): Promise<void> {
    await this.changing(id, async (db) => {
      const result = await db.deleteFrom('articles').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async changesSince(after: number, limit: number): Promise<ArticleChange[]> {
    const rows = await this.scope.db
      .selectFrom('article_changes')
      .select(['seq', 'article_id'])
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), articleId: r.article_id }));
  }

  async changeLogBounds(): Promise<{ first: number; last: number }> {
    const row = await this.scope.db
      .selectFrom('article_changes')
      .select(({ fn }) => [fn.min('seq').as('first'), fn.max('seq').as('last')])
      .executeTakeFirst();
    return { first: Number(row?.first ?? 0), last: Number(row?.last ?? 0) };
  }

  async forgetChangesBefore(seq: number): Promise<void> {
    const { last } = await this.changeLogBounds();
    await this.scope.db.deleteFrom('article_changes').where('seq', '<', Math.min(seq, last)).execute();
  }

  /**
   * Runs an article write and appends its change in one transaction. On PostgreSQL the change log is
   * locked first, so that changes commit in `seq` order: a reader that has seen `seq` n can never
   * later find a smaller one committed (SQLite has a single writer already).
   */
  private async changing(id: string, write: (db: Kysely<Database>) => Promise<unknown>): Promise<void> {
    await atomically(this.scope.db, async (db) => {
      if (engineOf(db) === 'postgres') await sql`lock table article_changes in exclusive mode`.execute(db);
      if ((await write(db)) === false) return;
      await db.insertInto('article_changes').values({ article_id: id }).execute();
    });
  }

  async count(): Promise<number> {
    const row = await this.scope.db
      .selectFrom('articles')
      .select(({ fn }) => fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
