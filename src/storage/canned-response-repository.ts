import { type Selectable, sql } from 'kysely';
import type { CannedResponse, CannedResponseActions } from '../core/model.ts';
import type { CannedResponseFilter, CannedResponseRepository } from '../core/ports/repositories.ts';
import type { CannedResponseTable } from './database.ts';
import { assertUpdated, type DbScope, likeEscape, uniquely } from './db-scope.ts';

const toRow = (r: CannedResponse): Selectable<CannedResponseTable> => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  locale: r.locale,
  // Lower-cased here, in JavaScript, so that non-ASCII text folds the same way on both engines.
  search_text: [r.shortcut, r.title, r.text].join('\n').toLowerCase(),
  actions: r.actions && Object.keys(r.actions).length > 0 ? JSON.stringify(r.actions) : null,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

const fromRow = (r: Selectable<CannedResponseTable>): CannedResponse => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  locale: r.locale,
  ...(r.actions ? { actions: JSON.parse(r.actions) as CannedResponseActions } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class KyselyCannedResponseRepository implements CannedResponseRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<CannedResponse | undefined> {
    const row = await this.scope.db
      .selectFrom('canned_responses')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async getByShortcut(shortcut: string): Promise<CannedResponse | undefined> {
    const row = await this.scope.db
      .selectFrom('canned_responses')
      .selectAll()
      .where('shortcut', '=', shortcut)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(filter: CannedResponseFilter): Promise<CannedResponse[]> {
    let query = this.scope.db.selectFrom('canned_responses').selectAll();
    const text = filter.text?.trim();
    if (text) {
      const pattern = `%${likeEscape(text.toLowerCase())}%`;
      query = query.where('search_text', 'like', sql<string>`${pattern} escape '\\'`);
    }
    query = query.orderBy('shortcut', 'asc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(fromRow);
  }

  async create(response: CannedResponse): Promise<void> {
    await uniquely(`the shortcut /${response.shortcut} is taken`, () =>
      this.scope.db.insertInto('canned_responses').values(toRow(response)).execute(),
    );
  }

  async update(response: CannedResponse): Promise<void> {
    const { id, ...values } = toRow(response);
    const result = await uniquely(`the shortcut /${response.shortcut} is taken`, () =>
      this.scope.db.updateTable('canned_responses').set(values).where('id', '=', id).executeTakeFirst(),
    );
    assertUpdated(result, 'Canned response', id);
  }

  async delete(id: string): Promise<void> {
    await this.scope.db.deleteFrom('canned_responses').where('id', '=', id).execute();
  }
}
