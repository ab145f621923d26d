import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Attachment, AuthorKind, ChannelName, Message, SuggestedArticle } from '../core/model.ts';
import type {
  InboundClaim,
  InboundProcessing,
  MessageRepository,
  PendingInbound,
} from '../core/ports/repositories.ts';
import { type Database, engineOf, type MessageTable } from './database.ts';
import { atomically, compiledOnce, type DbScope, fromJson, toJson } from './db-scope.ts';
import { messageEntry, writeSearchEntries } from './search-entries.ts';

const fromRow = (r: Selectable<MessageTable>): Message => ({
  id: r.id,
  conversationId: r.conversation_id,
  authorKind: r.author_kind as AuthorKind,
  authorId: r.author_id,
  text: r.text,
  attachments: fromJson<Attachment[]>(r.attachments),
  articles: fromJson<SuggestedArticle[]>(r.articles),
  externalId: r.external_id,
  createdAt: r.created_at,
});

const pendingFromRow = (r: Selectable<MessageTable>): PendingInbound => ({
  message: fromRow(r),
  channel: r.channel,
  action: r.inbound_action,
  attempts: Number(r.process_attempts),
});

/** The columns a message is inserted with, in the order `insertMessage` takes their values. */
const insertedColumns = [
  'id',
  'conversation_id',
  'channel',
  'author_kind',
  'author_id',
  'text',
  'attachments',
  'articles',
  'external_id',
  'created_at',
  'processed_at',
  'inbound_action',
  'process_claim_owner',
  'process_claimed_until',
  'process_attempts',
] as const satisfies ReadonlyArray<keyof MessageTable>;

type InsertedMessage = Required<Pick<Insertable<MessageTable>, (typeof insertedColumns)[number]>>;

// ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement aborts the
// surrounding transaction, and a redelivered event must stay a quiet no-op. Compiled once: every inbound
// message runs it.
const insertMessageRow = compiledOnce(
  (db: Kysely<Database>, ...values: unknown[]) =>
    db
      .insertInto('messages')
      .values(Object.fromEntries(insertedColumns.map((c, i) => [c, values[i]])) as InsertedMessage)
      .onConflict((oc) => oc.columns(['channel', 'external_id']).doNothing())
      .returning('id'),
  insertedColumns.length,
);

const insertMessage = (db: Kysely<Database>, row: InsertedMessage) =>
  insertMessageRow(db, ...insertedColumns.map((c) => row[c]));

export class KyselyMessageRepository implements MessageRepository {
  constructor(private readonly scope: DbScope) {}

  async insert(message: Message, channel: ChannelName, inbound?: InboundProcessing): Promise<boolean> {
    const entry = messageEntry(message);
    if (entry.text.length === 0) return this.#insert(this.scope.db, message, channel, inbound);
    // The search entry commits with the message (a redelivered one, not inserted, indexes nothing).
    return atomically(this.scope.db, async (db) => {
      const inserted = await this.#insert(db, message, channel, inbound);
      if (inserted) await writeSearchEntries(db, [entry]);
      return inserted;
    });
  }

  async #insert(
    db: Kysely<Database>,
    message: Message,
    channel: ChannelName,
    inbound: InboundProcessing | undefined,
  ): Promise<boolean> {
    const inserted = await insertMessage(db, {
      id: message.id,
      conversation_id: message.conversationId,
      channel,
      author_kind: message.authorKind,
      author_id: message.authorId,
      text: message.text,
      attachments: toJson(message.attachments),
      articles: toJson(message.articles),
      external_id: message.externalId,
      created_at: message.createdAt,
      processed_at: inbound ? null : message.createdAt,
      inbound_action: inbound?.action ?? null,
      process_claim_owner: inbound?.claim?.owner ?? null,
      process_claimed_until: inbound?.claim?.until ?? null,
      process_attempts: inbound?.claim ? 1 : 0,
    });
    return inserted.length > 0;
  }

  async findByExternalId(channel: ChannelName, externalId: string): Promise<Message | undefined> {
    const row = await this.scope.db
      .selectFrom('messages')
      .selectAll()
      .where('channel', '=', channel)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async listByConversation(conversationId: string): Promise<Message[]> {
    const rows = await this.scope.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'asc')
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(fromRow);
  }

  async listRecent(conversationId: string, limit: number): Promise<Message[]> {
    const rows = await this.scope.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(fromRow);
  }

  async hasUnprocessed(conversationId: string, maxAttempts: number): Promise<boolean> {
    const row = await this.scope.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .where('processed_at', 'is', null)
      .where('process_attempts', '<', maxAttempts)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * One statement, so the claim is atomic on both engines (as the outbox's `claimDue`): SQLite's UPDATE
   * takes the write lock before it reads, and on PostgreSQL the candidates are locked with FOR UPDATE
   * SKIP LOCKED. A candidate is its conversation's head: no older message of the conversation waits,
   * claimed or not, so a conversation's messages are handled one after the other, in order.
   */
  async claimUnprocessed(claim: InboundClaim): Promise<PendingInbound[]> {
    const { now, leaseUntil, owner, limit, maxAttempts, createdBefore, conversationId } = claim;
    const db = this.scope.db;
    const postgres = engineOf(db) === 'postgres';
    const candidates = db
      .selectFrom('messages as m')
      .select('m.id')
      .where('m.processed_at', 'is', null)
      .where('m.process_attempts', '<', maxAttempts)
      .where((eb) =>
        eb.or([eb('m.process_claimed_until', 'is', null), eb('m.process_claimed_until', '<=', now)]),
      )
      .$if(createdBefore !== undefined, (qb) => qb.where('m.created_at', '<=', createdBefore ?? ''))
      .$if(conversationId !== undefined, (qb) => qb.where('m.conversation_id', '=', conversationId ?? ''))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('messages as older')
              .select('older.id')
              .whereRef('older.conversation_id', '=', 'm.conversation_id')
              .where('older.processed_at', 'is', null)
              .where('older.process_attempts', '<', maxAttempts)
              .where((eb) =>
                eb.or([
                  eb('older.created_at', '<', eb.ref('m.created_at')),
                  eb.and([
                    eb('older.created_at', '=', eb.ref('m.created_at')),
                    eb('older.seq', '<', eb.ref('m.seq')),
                  ]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('m.created_at', 'asc')
      .orderBy('m.seq', 'asc')
      .limit(limit)
      .$if(postgres, (qb) => qb.forUpdate().skipLocked());
    const rows = await db
      .updateTable('messages')
      .set((eb) => ({
        process_claimed_until: leaseUntil,
        process_claim_owner: owner,
        process_attempts: eb('process_attempts', '+', 1),
      }))
      .where('id', 'in', candidates)
      .returningAll()
      .execute();
    return rows
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || Number(a.seq) - Number(b.seq))
      .map(pendingFromRow);
  }

  async holdClaim(messageId: string, owner: string, until: string): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('messages')
      .set({ process_claimed_until: until })
      .where('id', '=', messageId)
      .where('process_claim_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markProcessed(messageId: string, owner: string, at: string): Promise<boolean> {
    // The owner stays on the row: the steps of a flow that come after its first answer still check it.
    const result = await this.scope.db
      .updateTable('messages')
      .set((eb) => ({
        processed_at: eb.fn.coalesce('processed_at', eb.val(at)),
        process_claimed_until: null,
      }))
      .where('id', '=', messageId)
      .where('process_claim_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async releaseClaim(messageId: string, owner: string): Promise<void> {
    await this.scope.db
      .updateTable('messages')
      .set({ process_claimed_until: null })
      .where('id', '=', messageId)
      .where('process_claim_owner', '=', owner)
      .where('processed_at', 'is', null)
      .execute();
  }
}
