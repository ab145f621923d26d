import type { Selectable } from 'kysely';
import type { OutboundMessage, OutboxItem, OutboxStatus } from '../core/model.ts';
import type { OutboxRepository } from '../core/ports/repositories.ts';
import type { OutboxTable } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson } from './db-scope.ts';

const fromRow = (r: Selectable<OutboxTable>): OutboxItem => ({
  seq: Number(r.seq),
  conversationId: r.conversation_id,
  channel: r.channel,
  message: fromJson<OutboundMessage>(r.message),
  status: r.status as OutboxStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  externalId: r.external_id,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/** The stored columns of an item (`seq` is the key, assigned by the database). */
function toRow(item: Omit<OutboxItem, 'seq'>) {
  return {
    conversation_id: item.conversationId,
    channel: item.channel,
    message: toJson(item.message),
    status: item.status,
    attempts: item.attempts,
    next_attempt_at: item.nextAttemptAt,
    last_error: item.lastError,
    external_id: item.externalId,
    created_at: item.createdAt,
    sent_at: item.sentAt,
  };
}

export class KyselyOutboxRepository implements OutboxRepository {
  constructor(private readonly scope: DbScope) {}

  async add(item: Omit<OutboxItem, 'seq'>): Promise<OutboxItem> {
    const row = await this.scope.db
      .insertInto('outbox')
      .values(toRow(item))
      .returning('seq')
      .executeTakeFirstOrThrow();
    return { ...item, seq: Number(row.seq) };
  }

  /**
   * Head-of-line per conversation: only a conversation's lowest pending `seq` is a candidate, so a
   * later message never overtakes one that is waiting for a retry. Lowest `seq` first overall.
   */
  async listDue(now: string, limit: number): Promise<OutboxItem[]> {
    const rows = await this.scope.db
      .selectFrom('outbox as o')
      .selectAll('o')
      .where('o.status', '=', 'pending' satisfies OutboxStatus)
      .where('o.next_attempt_at', '<=', now)
      .where(({ eb, selectFrom }) =>
        eb(
          'o.seq',
          '=',
          selectFrom('outbox as head')
            .select(({ fn }) => fn.min('head.seq').as('seq'))
            .whereRef('head.conversation_id', '=', 'o.conversation_id')
            .where('head.status', '=', 'pending' satisfies OutboxStatus),
        ),
      )
      .orderBy('o.seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async update(item: OutboxItem): Promise<void> {
    const result = await this.scope.db
      .updateTable('outbox')
      .set(toRow(item))
      .where('seq', '=', item.seq)
      .executeTakeFirst();
    assertUpdated(result, 'Outbox item', item.seq);
  }

  async listByConversation(conversationId: string): Promise<OutboxItem[]> {
    const rows = await this.scope.db
      .selectFrom('outbox')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(fromRow);
  }
}
