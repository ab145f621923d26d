import type { Message } from 'discord.js';
import type { DiscordContext } from '../discord-context.ts';
import { receiveMessage } from './inbound-message.ts';

/**
 * A message in a server thread: in the member's private support thread (their DMs are closed) the same
 * conversation continues; any other thread is not Switchboard's.
 */
export async function onThreadMessage(ctx: DiscordContext, message: Message): Promise<void> {
  const userId = message.author.id;
  if ((await ctx.threads.threadOwner(message.channelId)) !== userId) return;
  await receiveMessage(ctx, message, { channelId: message.channelId, userId, threadId: message.channelId });
}
