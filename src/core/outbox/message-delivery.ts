import type {
  ChannelReceipt,
  ChannelStatus,
  ChannelStatusReport,
  Message,
  MessageDelivery,
  OutboxItem,
} from '../model.ts';

/**
 * Each message with the state of its outbox item (the newest one, should a message have several), and
 * what the channel reported of it since, so the desktop can show what did (not) reach the contact.
 */
export function withDelivery(
  messages: Message[],
  items: OutboxItem[],
  receipts: ChannelReceipt[] = [],
): Message[] {
  const byMessage = new Map<string, MessageDelivery>();
  for (const item of items) {
    const messageId = item.message.messageId;
    if (!messageId) continue;
    byMessage.set(messageId, toDelivery(item, receipts));
  }
  return messages.map((m) => ({ ...m, delivery: byMessage.get(m.id) ?? null }));
}

/** An outbox item as the desktop shows it, with the channel's report on its message. */
export function toDelivery(item: OutboxItem, receipts: ChannelReceipt[]): MessageDelivery {
  const messageId = item.message.messageId;
  return {
    seq: item.seq,
    status: item.status,
    attempts: item.attempts,
    lastError: item.lastError,
    channelStatus: messageId ? channelStatusOf(receipts.filter((r) => r.messageId === messageId)) : null,
  };
}

const shown: Record<ChannelStatus, number> = {
  failed: 0,
  undelivered: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
};

/**
 * One status for a message the channel carried in several parts: a part that failed makes the message
 * failed; otherwise the message is as far as its least advanced part (delivered once every part is).
 */
export function channelStatusOf(parts: ChannelReceipt[]): ChannelStatusReport | null {
  if (!parts.some((p) => p.status !== null)) return null;
  // A part not reported on yet is as good as queued.
  const least = parts.reduce((a, b) => (shown[b.status ?? 'queued'] < shown[a.status ?? 'queued'] ? b : a));
  return { status: least.status ?? 'queued', errorCode: least.errorCode, at: least.updatedAt };
}
