import type { Client, Message } from 'discord.js';
import { addressSchema, CHANNEL, type DiscordContext, snowflake } from './discord-context.ts';

/** Closed conversations active this recently are caught up too: their member may have written again. */
const CATCH_UP_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * Reads back, oldest first, what members wrote in the channels of open and recently active conversations
 * after the last message stored for each, and hands it to `handle` like a live message (the core keeps
 * one copy per Discord message id, so a message that also arrived live is not stored twice).
 */
export async function catchUp(
  ctx: DiscordContext,
  client: Client,
  arrivedLive: ReadonlySet<string>,
  handle: (message: Message) => Promise<void>,
): Promise<void> {
  const store = ctx.core.store;
  const since = new Date(ctx.core.clock.now().getTime() - CATCH_UP_WINDOW_MS).toISOString();
  const [open, recent] = await Promise.all([
    store.conversations.list({ channel: CHANNEL, state: ['bot', 'queued', 'assigned', 'wrapping'] }),
    store.conversations.list({ channel: CHANNEL, activeSince: since }),
  ]);
  const lastSeen = new Map<string, bigint>();
  for (const conversation of [...open, ...recent]) {
    const parsed = addressSchema.safeParse(conversation.address);
    if (!parsed.success) continue;
    const channelId = parsed.data.channelId;
    for (const message of await store.messages.listByConversation(conversation.id)) {
      // Where the gap ends is the member's last message received before it: the bot's messages (sent by any
      // instance, also during the gap) and what arrived live in this session come after messages still unread.
      if (message.authorKind !== 'contact' || (message.externalId && arrivedLive.has(message.externalId)))
        continue;
      const id = snowflake(message.externalId);
      if (id !== null && id > (lastSeen.get(channelId) ?? 0n)) lastSeen.set(channelId, id);
    }
  }
  let read = 0;
  for (const [channelId, last] of lastSeen) {
    if (ctx.client() !== client) return;
    const channel = await client.channels.fetch(channelId).catch((error: unknown) => {
      ctx.options.log.warn({ err: error, channelId }, 'catch-up: channel not readable');
      return null;
    });
    if (!channel?.isTextBased()) continue;
    let after = last;
    for (;;) {
      const page = await channel.messages.fetch({ after: after.toString(), limit: 100, cache: false });
      const messages = [...page.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      for (const message of messages) {
        after = BigInt(message.id);
        if (message.author.bot) continue;
        // Already stored (it arrived live): skipped, so that nothing it triggers runs twice.
        if (await store.messages.findByExternalId(CHANNEL, message.id)) continue;
        read += 1;
        await handle(message);
      }
      if (page.size < 100) break;
    }
  }
  ctx.options.log.info({ channels: lastSeen.size, messages: read }, 'Discord catch-up done');
}
