import type { Message } from 'discord.js';
import type { DiscordContext } from '../discord-context.ts';
import { receiveMessage } from './inbound-message.ts';

/** A member's direct message to the bot: their conversation, replied to in the same DM. */
export async function onDirectMessage(ctx: DiscordContext, message: Message): Promise<void> {
  await receiveMessage(ctx, message, { channelId: message.channelId, userId: message.author.id });
}
