import type { ChannelName, ChannelReceipt, ChannelStatus } from '../core/model.ts';
import type { ChannelOptOutRepository, ChannelReceiptRepository } from '../core/ports/repositories.ts';
import type { DbScope } from './db-scope.ts';

export interface ChannelReceiptTable {
  external_id: string;
  channel: string;
  message_id: string | null;
  conversation_id: string | null;
  part: number;
  status: string | null;
  error_code: string | null;
  updated_at: string;
}

export interface ChannelOptOutTable {
  channel: string;
  address: string;
  opted_out_at: string;
}

const fromRow = (r: ChannelReceiptTable): ChannelReceipt => ({
  channel: r.channel,
  externalId: r.external_id,
  messageId: r.message_id,
  conversationId: r.conversation_id,
  part: Number(r.part),
  status: r.status as ChannelStatus | null,
  errorCode: r.error_code,
  updatedAt: r.updated_at,
});

/** How far a status is; a report only moves a part to a later one (failures come after `sent`). */
const rank: Record<ChannelStatus, number> = {
  queued: 0,
  sent: 1,
  failed: 2,
  undelivered: 2,
  delivered: 3,
  read: 4,
};

const earlierThan = (status: ChannelStatus) =>
  (Object.keys(rank) as ChannelStatus[]).filter((s) => rank[s] < rank[status]);

export class KyselyChannelReceiptRepository implements ChannelReceiptRepository {
  constructor(private readonly scope: DbScope) {}

  async recordSent(receipts: Omit<ChannelReceipt, 'status' | 'errorCode'>[]): Promise<void> {
    for (const r of receipts) {
      await this.scope.db
        .insertInto('channel_receipts')
        .values({
          external_id: r.externalId,
          channel: r.channel,
          message_id: r.messageId,
          conversation_id: r.conversationId,
          part: r.part,
          status: null,
          error_code: null,
          updated_at: r.updatedAt,
        })
        // A report that came first keeps its status; it learns which message it was.
        .onConflict((oc) =>
          oc.column('external_id').doUpdateSet({
            message_id: r.messageId,
            conversation_id: r.conversationId,
            part: r.part,
          }),
        )
        .execute();
    }
  }

  async report(
    channel: ChannelName,
    externalId: string,
    status: ChannelStatus,
    errorCode: string | null,
    at: string,
  ): Promise<{ receipt: ChannelReceipt; changed: boolean }> {
    // One conditional write, so two reports arriving together on two instances never move it backwards.
    const inserted = await this.scope.db
      .insertInto('channel_receipts')
      .values({
        external_id: externalId,
        channel,
        message_id: null,
        conversation_id: null,
        part: 0,
        status,
        error_code: errorCode,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc
          .column('external_id')
          .doUpdateSet({ status, error_code: errorCode, updated_at: at })
          .where((eb) =>
            eb.or([
              eb('channel_receipts.status', 'is', null),
              eb('channel_receipts.status', 'in', earlierThan(status)),
            ]),
          ),
      )
      .executeTakeFirst();
    const changed = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    const row = await this.scope.db
      .selectFrom('channel_receipts')
      .selectAll()
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
    return { receipt: fromRow(row), changed };
  }

  async listByMessage(messageId: string): Promise<ChannelReceipt[]> {
    const rows = await this.scope.db
      .selectFrom('channel_receipts')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('part')
      .execute();
    return rows.map(fromRow);
  }

  async listByConversation(conversationId: string): Promise<ChannelReceipt[]> {
    const rows = await this.scope.db
      .selectFrom('channel_receipts')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('message_id')
      .orderBy('part')
      .execute();
    return rows.map(fromRow);
  }
}

export class KyselyChannelOptOutRepository implements ChannelOptOutRepository {
  constructor(private readonly scope: DbScope) {}

  async isOptedOut(channel: ChannelName, address: string): Promise<boolean> {
    const row = await this.scope.db
      .selectFrom('channel_opt_outs')
      .select('address')
      .where('channel', '=', channel)
      .where('address', '=', address)
      .executeTakeFirst();
    return row !== undefined;
  }

  async set(channel: ChannelName, address: string, optedOut: boolean, at: string): Promise<void> {
    if (optedOut)
      await this.scope.db
        .insertInto('channel_opt_outs')
        .values({ channel, address, opted_out_at: at })
        .onConflict((oc) => oc.columns(['channel', 'address']).doNothing())
        .execute();
    else
      await this.scope.db
        .deleteFrom('channel_opt_outs')
        .where('channel', '=', channel)
        .where('address', '=', address)
        .execute();
  }
}
