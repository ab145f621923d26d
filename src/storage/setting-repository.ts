import type { SettingRepository } from '../core/ports/repositories.ts';
import { type DbScope, fromJson, toJson } from './db-scope.ts';

export class KyselySettingRepository implements SettingRepository {
  constructor(private readonly scope: DbScope) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const row = await this.scope.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row && fromJson<T>(row.value);
  }

  /** `undefined` removes the key (JSON has no undefined); `null` is stored as null. */
  async set(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.scope.db.deleteFrom('settings').where('key', '=', key).execute();
      return;
    }
    const row = { key, value: toJson(value), updated_at: new Date().toISOString() };
    await this.scope.db
      .insertInto('settings')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
      .execute();
  }
}
