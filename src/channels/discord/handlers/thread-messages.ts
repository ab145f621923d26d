import type { Message } from 'discord.js';
import type { DiscordContext } from '../discord-context.ts';
import { onForumPostMessage } from './forum-post-messages.ts';
import { receiveMessage } from './inbound-message.ts';

/**
 * A message in a server thread: a post of a linked forum is its own conversation; in the member's private
 * support thread (DMs closed, or private-thread mode) the same conversation continues; any other thread is
 * not Switchboard's.
 */
export async function onThreadMessage(ctx: DiscordContext, message: Message): Promise<void> {
  if (await onForumPostMessage(ctx, message)) return;
  const userId = message.author.id;
  if ((await ctx.threads.threadOwner(message.channelId)) !== userId) return;
  await receiveMessage(ctx, message, { channelId: message.channelId, userId, threadId: message.channelId });
}
