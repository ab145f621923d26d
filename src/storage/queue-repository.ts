import type { Insertable, Selectable } from 'kysely';
import type { Queue } from '../core/model.ts';
import type { QueueRepository } from '../core/ports/repositories.ts';
import type { QueueTable } from './database.ts';
import { assertUpdated, type DbScope, fromFlag, fromJson, toFlag, toJson, uniquely } from './db-scope.ts';

const fromRow = (r: Selectable<QueueTable>): Queue => ({
  id: r.id,
  name: r.name,
  skills: fromJson<string[]>(r.skills),
  sendTranscript: fromFlag(r.send_transcript),
  createdAt: r.created_at,
});

const toRow = (queue: Queue): Insertable<QueueTable> => ({
  id: queue.id,
  name: queue.name,
  skills: toJson(queue.skills),
  send_transcript: toFlag(queue.sendTranscript),
  created_at: queue.createdAt,
});

export class KyselyQueueRepository implements QueueRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Queue | undefined> {
    const row = await this.scope.db.selectFrom('queues').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async getByName(name: string): Promise<Queue | undefined> {
    const row = await this.scope.db
      .selectFrom('queues')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** By name. */
  async list(): Promise<Queue[]> {
    const rows = await this.scope.db.selectFrom('queues').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async create(queue: Queue): Promise<void> {
    await uniquely(`a queue named ${queue.name} already exists`, () =>
      this.scope.db.insertInto('queues').values(toRow(queue)).execute(),
    );
  }

  /**
   * Insert-if-absent, then read: of callers racing to create one name (first hand-offs on several
   * instances), one inserts and every one gets that queue; none fails.
   */
  async createIfAbsent(queue: Queue): Promise<Queue> {
    await this.scope.db
      .insertInto('queues')
      .values(toRow(queue))
      .onConflict((oc) => oc.doNothing())
      .execute();
    const stored = await this.getByName(queue.name);
    if (!stored) throw new Error(`queue ${queue.name} was neither created nor found`);
    return stored;
  }

  async update(queue: Queue): Promise<void> {
    const result = await uniquely(`a queue named ${queue.name} already exists`, () =>
      this.scope.db
        .updateTable('queues')
        .set({
          name: queue.name,
          skills: toJson(queue.skills),
          send_transcript: toFlag(queue.sendTranscript),
          created_at: queue.createdAt,
        })
        .where('id', '=', queue.id)
        .executeTakeFirst(),
    );
    assertUpdated(result, 'Queue', queue.id);
  }

  /** Deleting a missing queue is a no-op: the outcome the caller wanted already holds. */
  async delete(id: string): Promise<void> {
    await this.scope.db.deleteFrom('queues').where('id', '=', id).execute();
  }
}
