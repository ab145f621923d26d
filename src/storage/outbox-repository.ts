import type { Selectable } from 'kysely';
import { conflict, invalid, notFound } from '../core/errors.ts';
import type { OutboundMessage, OutboxItem, OutboxStatus } from '../core/model.ts';
import type { OutboxChannelHealth, OutboxClaim, OutboxRepository } from '../core/ports/repositories.ts';
import { engineOf, type OutboxTable } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson } from './db-scope.ts';

/** A lane's stream is its conversation's (or contact's) stream, `/`, the lane (see `OutboxItem.lane`). */
const laneOf = (r: Selectable<OutboxTable>): string | undefined => {
  if (r.conversation_id)
    return r.stream.startsWith(`${r.conversation_id}/`)
      ? r.stream.slice(r.conversation_id.length + 1)
      : undefined;
  const contactStream = `contact:${r.contact_id}/`;
  return r.contact_id && r.stream.startsWith(contactStream)
    ? r.stream.slice(contactStream.length)
    : undefined;
};

const fromRow = (r: Selectable<OutboxTable>): OutboxItem => {
  const lane = laneOf(r);
  return {
    seq: Number(r.seq),
    conversationId: r.conversation_id,
    ...(r.contact_id ? { contactId: r.contact_id } : {}),
    ...(lane ? { lane } : {}),
    channel: r.channel,
    message: fromJson<OutboundMessage>(r.message),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    externalId: r.external_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
};

/**
 * The ordering key: a conversation's items are delivered in order, and so are the notices to one contact
 * (which belong to no conversation); different streams are independent.
 */
function streamOf(item: Pick<OutboxItem, 'conversationId' | 'contactId' | 'lane'>): string {
  if (item.conversationId) return item.lane ? `${item.conversationId}/${item.lane}` : item.conversationId;
  // A contact's lane (the refreshes of their case's public post) keeps its own order beside their notices.
  if (item.contactId)
    return item.lane ? `contact:${item.contactId}/${item.lane}` : `contact:${item.contactId}`;
  throw invalid('an outbox item belongs to a conversation or, as a notice, to a contact');
}

/** The stored columns of an item (`seq` is the key, assigned by the database). */
function toRow(item: Omit<OutboxItem, 'seq'>) {
  return {
    stream: streamOf(item),
    conversation_id: item.conversationId,
    contact_id: item.conversationId ? null : (item.contactId ?? null),
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
   * Head-of-line per stream (a conversation, or one contact's notices): only a stream's lowest pending
   * `seq` is a candidate, so a later message never overtakes one that is waiting for a retry. Lowest
   * `seq` first overall.
   */
  async listDue(now: string, limit: number): Promise<OutboxItem[]> {
    const rows = await this.dueHeads(now).selectAll('o').orderBy('o.seq', 'asc').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** Pending items due at `now` that are their stream's head (its lowest pending `seq`). */
  private dueHeads(now: string) {
    return this.scope.db
      .selectFrom('outbox as o')
      .where('o.status', '=', 'pending' satisfies OutboxStatus)
      .where('o.next_attempt_at', '<=', now)
      .where(({ eb, selectFrom }) =>
        eb(
          'o.seq',
          '=',
          selectFrom('outbox as head')
            .select(({ fn }) => fn.min('head.seq').as('seq'))
            .whereRef('head.stream', '=', 'o.stream')
            .where('head.status', '=', 'pending' satisfies OutboxStatus),
        ),
      );
  }

  /**
   * One statement, so the claim is atomic on both engines: SQLite's UPDATE takes the write lock before
   * it reads (another store on the same file waits through busy_timeout), and on PostgreSQL the
   * candidates are locked with FOR UPDATE SKIP LOCKED, so a concurrent claimer skips them instead of
   * waiting and then taking them too. A claimed item stays `pending`, so it remains its conversation's
   * head and the conversation's next item cannot be claimed before it is finished.
   */
  async claimDue({ now, leaseUntil, owner, limit }: OutboxClaim): Promise<OutboxItem[]> {
    const db = this.scope.db;
    const postgres = engineOf(db) === 'postgres';
    const candidates = this.dueHeads(now)
      .select('o.seq')
      .where((eb) => eb.or([eb('o.claimed_until', 'is', null), eb('o.claimed_until', '<=', now)]))
      .orderBy('o.seq', 'asc')
      .limit(limit)
      .$if(postgres, (qb) => qb.forUpdate().skipLocked());
    const rows = await db
      .updateTable('outbox')
      .set({ claimed_until: leaseUntil, claim_owner: owner })
      .where('seq', 'in', candidates)
      .returningAll()
      .execute();
    return rows.map(fromRow).sort((a, b) => a.seq - b.seq);
  }

  async finish(item: OutboxItem, owner: string): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('outbox')
      .set({ ...toRow(item), claimed_until: null, claim_owner: null })
      .where('seq', '=', item.seq)
      .where('claim_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async resend(conversationId: string, seq: number, now: string): Promise<OutboxItem> {
    const row = await this.scope.db
      .updateTable('outbox')
      .set({
        status: 'pending' satisfies OutboxStatus,
        next_attempt_at: now,
        claimed_until: null,
        claim_owner: null,
      })
      .where('seq', '=', seq)
      .where('conversation_id', '=', conversationId)
      .where('status', '=', 'failed' satisfies OutboxStatus)
      .returningAll()
      .executeTakeFirst();
    if (row) return fromRow(row);
    const existing = await this.scope.db
      .selectFrom('outbox')
      .select('status')
      .where('seq', '=', seq)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    if (!existing) throw notFound('Outbox item', seq);
    throw conflict(
      `only a message that was not delivered can be sent again (this one is ${existing.status})`,
    );
  }

  async health(failedSince: string): Promise<OutboxChannelHealth[]> {
    const rows = await this.scope.db
      .selectFrom('outbox')
      .select(({ fn }) => ['channel', 'status', fn.countAll().as('count'), fn.min('created_at').as('oldest')])
      .where((eb) =>
        eb.or([
          eb('status', '=', 'pending' satisfies OutboxStatus),
          // A failed item's next_attempt_at is the moment it failed (see OutboxItem.nextAttemptAt).
          eb.and([
            eb('status', '=', 'failed' satisfies OutboxStatus),
            eb('next_attempt_at', '>=', failedSince),
          ]),
        ]),
      )
      .groupBy(['channel', 'status'])
      .execute();
    const byChannel = new Map<string, OutboxChannelHealth>();
    for (const row of rows) {
      const entry = byChannel.get(row.channel) ?? {
        channel: row.channel,
        pending: 0,
        oldestPendingAt: null,
        recentlyFailed: 0,
      };
      if (row.status === 'pending') {
        entry.pending = Number(row.count);
        entry.oldestPendingAt = row.oldest;
      } else entry.recentlyFailed = Number(row.count);
      byChannel.set(row.channel, entry);
    }
    return [...byChannel.values()].sort((a, b) => a.channel.localeCompare(b.channel));
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
