import type { Selectable } from 'kysely';
import type { Flow, FlowDefinition } from '../core/flows/flow-definition.ts';
import type { FlowRepository } from '../core/ports/repositories.ts';
import type { FlowTable } from './database.ts';
import { atomically, type DbScope, fromFlag, fromJson, toFlag, toJson } from './db-scope.ts';

const fromRow = (r: Selectable<FlowTable>): Flow => ({
  id: r.id,
  name: r.name,
  definition: fromJson<FlowDefinition>(r.definition),
  active: fromFlag(r.active),
  updatedAt: r.updated_at,
});

export class KyselyFlowRepository implements FlowRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Flow | undefined> {
    const row = await this.scope.db.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** By name. */
  async list(): Promise<Flow[]> {
    const rows = await this.scope.db.selectFrom('flows').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async getActive(): Promise<Flow | undefined> {
    const row = await this.scope.db
      .selectFrom('flows')
      .selectAll()
      .where('active', '=', 1)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Upsert and, when active, deactivation of the others commit together: never zero or two active flows. */
  async save(flow: Flow): Promise<void> {
    const row = {
      id: flow.id,
      name: flow.name,
      definition: toJson(flow.definition),
      active: toFlag(flow.active),
      updated_at: flow.updatedAt,
    };
    await atomically(this.scope.db, async (db) => {
      await db
        .insertInto('flows')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            name: row.name,
            definition: row.definition,
            active: row.active,
            updated_at: row.updated_at,
          }),
        )
        .execute();
      if (flow.active) {
        await db
          .updateTable('flows')
          .set({ active: 0 })
          .where('id', '<>', flow.id)
          .where('active', '=', 1)
          .execute();
      }
    });
  }
}
