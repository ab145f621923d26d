import type { ChannelName, ChannelReceipt, ChannelStatus } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { toDelivery } from './message-delivery.ts';

export type ReportOutcome =
  /** The message's status moved; desktops were told. */
  | 'updated'
  /** Known, but the report says nothing new (a redelivery, or a late `sent` after `delivered`). */
  | 'unchanged'
  /** No message of ours has this id (yet): kept, in case the send that made it is not recorded yet. */
  | 'unknown';

/**
 * What channels report of the messages they accepted (Twilio's status callbacks): each part's id is
 * recorded when the channel accepts it, and its reports move the message's status in the desktop.
 */
export class ChannelReceipts {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /** The parts of a message the channel already accepted (a retried send skips them). */
  partsOf(messageId: string): Promise<ChannelReceipt[]> {
    return this.store.channelReceipts.listByMessage(messageId);
  }

  /** Records a part the channel accepted, as soon as it did (before the outbox item is marked sent). */
  async accepted(input: {
    channel: ChannelName;
    externalId: string;
    messageId: string | null;
    conversationId: string | null;
    part: number;
  }): Promise<void> {
    await this.store.channelReceipts.recordSent([{ ...input, updatedAt: this.clock.now().toISOString() }]);
  }

  async report(
    channel: ChannelName,
    externalId: string,
    status: ChannelStatus,
    errorCode: string | null,
  ): Promise<ReportOutcome> {
    const at = this.clock.now().toISOString();
    const { receipt, changed } = await this.store.channelReceipts.report(
      channel,
      externalId,
      status,
      errorCode,
      at,
    );
    if (!receipt.messageId || !receipt.conversationId) return 'unknown';
    if (!changed) return 'unchanged';
    const [conversation, items, parts] = await Promise.all([
      this.store.conversations.get(receipt.conversationId),
      this.store.outbox.listByConversation(receipt.conversationId),
      this.store.channelReceipts.listByMessage(receipt.messageId),
    ]);
    const item = items.findLast((i) => i.message.messageId === receipt.messageId);
    if (conversation && item)
      await this.bus.publish({
        type: 'message.delivery',
        messageId: receipt.messageId,
        delivery: toDelivery(item, parts),
        conversation,
      });
    return 'updated';
  }
}
