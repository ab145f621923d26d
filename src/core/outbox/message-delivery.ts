import type { Message, MessageDelivery, OutboxItem } from '../model.ts';

/**
 * Each message with the state of its outbox item (the newest one, should a message have several),
 * so the desktop can show what did not reach the contact.
 */
export function withDelivery(messages: Message[], items: OutboxItem[]): Message[] {
  const byMessage = new Map<string, MessageDelivery>();
  for (const item of items) {
    const messageId = item.message.messageId;
    if (!messageId) continue;
    byMessage.set(messageId, {
      seq: item.seq,
      status: item.status,
      attempts: item.attempts,
      lastError: item.lastError,
    });
  }
  return messages.map((m) => ({ ...m, delivery: byMessage.get(m.id) ?? null }));
}
