import type { Selectable } from 'kysely';
import type { BotTextOverride, BotTextRepository } from '../core/ports/bot-text-repository.ts';
import type { DbScope } from './db-scope.ts';

export interface BotTextOverrideTable {
  catalog: string;
  key: string;
  language: string;
  text: string;
  updated_at: string;
  updated_by: string | null;
}

/** A server's own edits (migration 0033): the same columns, keyed by the server too. */
export interface BotTextServerOverrideTable extends BotTextOverrideTable {
  server_id: string;
}

const fromRow = (r: Selectable<BotTextOverrideTable>): BotTextOverride => ({
  catalog: r.catalog,
  key: r.key,
  language: r.language,
  text: r.text,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export class KyselyBotTextRepository implements BotTextRepository {
  constructor(private readonly scope: DbScope) {}

  async list(): Promise<BotTextOverride[]> {
    const rows = await this.scope.db
      .selectFrom('bot_text_overrides')
      .selectAll()
      .orderBy('catalog')
      .orderBy('key')
      .orderBy('language')
      .execute();
    return rows.map(fromRow);
  }

  async listForServers(): Promise<BotTextOverride[]> {
    const rows = await this.scope.db
      .selectFrom('bot_text_server_overrides')
      .selectAll()
      .orderBy('server_id')
      .orderBy('catalog')
      .orderBy('key')
      .orderBy('language')
      .execute();
    return rows.map((r) => ({ ...fromRow(r), serverId: r.server_id }));
  }

  async set(o: BotTextOverride): Promise<void> {
    const row = {
      catalog: o.catalog,
      key: o.key,
      language: o.language,
      text: o.text,
      updated_at: o.updatedAt,
      updated_by: o.updatedBy,
    };
    const changes = { text: row.text, updated_at: row.updated_at, updated_by: row.updated_by };
    if (o.serverId !== undefined) {
      await this.scope.db
        .insertInto('bot_text_server_overrides')
        .values({ ...row, server_id: o.serverId })
        .onConflict((oc) => oc.columns(['server_id', 'catalog', 'key', 'language']).doUpdateSet(changes))
        .execute();
      return;
    }
    await this.scope.db
      .insertInto('bot_text_overrides')
      .values(row)
      .onConflict((oc) => oc.columns(['catalog', 'key', 'language']).doUpdateSet(changes))
      .execute();
  }

  async remove(catalog: string, key: string, language: string, serverId?: string): Promise<boolean> {
    const result =
      serverId === undefined
        ? await this.scope.db
            .deleteFrom('bot_text_overrides')
            .where('catalog', '=', catalog)
            .where('key', '=', key)
            .where('language', '=', language)
            .executeTakeFirst()
        : await this.scope.db
            .deleteFrom('bot_text_server_overrides')
            .where('server_id', '=', serverId)
            .where('catalog', '=', catalog)
            .where('key', '=', key)
            .where('language', '=', language)
            .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
