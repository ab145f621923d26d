import type { Channel, GuildMember, Message } from 'discord.js';
import type { MemberContextInput } from '../../../core/contacts/member-context.ts';
import { actionFor } from '../../../core/flows/flow-runner.ts';
import { baseLanguage } from '../../../core/knowledge/language-detector.ts';
import type { MessageAction } from '../../../core/model.ts';
import { postMessageOnce } from '../../../core/outbox/post-message.ts';
import { inTransaction } from '../../../core/unit-of-work.ts';
import { CHANNEL, type DiscordContext, profileOf, serverOfMember } from '../discord-context.ts';
import { t } from '../discord-texts.ts';

/** Hands a member's message (from a DM or their support thread) to the core with where replies go. */
export async function receiveMessage(
  ctx: DiscordContext,
  message: Message,
  address: Record<string, unknown>,
  /** A forum post's conversation: its thread, and the text to hand over (the post's title with its body). */
  post: { thread: string; text: string } | null = null,
): Promise<void> {
  const onInbound = ctx.inbound();
  if (!onInbound) return;
  const text = post?.text ?? message.content;
  const server = await serverOfMember(ctx, message.author.id, message.guildId);
  const attachments = [...message.attachments.values()].map((a) => ({
    url: a.url,
    name: a.name,
    ...(a.contentType ? { contentType: a.contentType } : {}),
  }));
  const member = await memberContextOf(
    ctx,
    message.author.id,
    message.inGuild() ? { member: message.member, channel: message.channel } : null,
  );
  await onInbound({
    channel: CHANNEL,
    externalId: message.id,
    contact: profileOf(message.author, null),
    address,
    ...(post ? { thread: post.thread } : {}),
    ...(member ? { member } : {}),
    ...(server ? { server } : {}),
    text,
    ...(attachments.length > 0 ? { attachments } : {}),
    receivedAt: message.createdAt.toISOString(),
  });
  if (!text.trim())
    await answerWithoutText(ctx, message.id, message.author.id, attachments.length > 0, post?.thread ?? null);
}

/**
 * The member's Discord context for the core: from the event when it came from a server (Discord sends the
 * member with it), else (a DM) the member in the server they use: where they last ran a command, else one
 * the bot shares with them.
 */
export async function memberContextOf(
  ctx: DiscordContext,
  userId: string,
  inGuild: { member: GuildMember | null; channel: Channel | null } | null,
): Promise<MemberContextInput | null> {
  if (inGuild?.member) return ctx.members.fromMember(inGuild.member, inGuild.channel);
  const guild = await ctx.threads.guildOf(userId);
  return guild ? ctx.members.inGuild(guild, userId) : null;
}

/**
 * A message without text (a file or a sticker) runs no flow in the core, so the member would hear nothing.
 * What to say depends on who has the conversation: the virtual agent cannot read the file, so it says so
 * and offers a person; a waiting member is told the file is kept; with an agent, the file simply appears
 * in the desktop like any message, and a bot remark would only interrupt.
 *
 * The hint is a bot message of the conversation, sent through the outbox (in order with the rest, with
 * retries and a nonce), once per inbound message: keyed by its Discord id, so that the same message
 * handled twice (delivered to two instances, or read back by a catch-up) gets one hint.
 */
async function answerWithoutText(
  ctx: DiscordContext,
  inboundId: string,
  userId: string,
  hasFiles: boolean,
  thread: string | null,
): Promise<void> {
  const { store, bus, clock } = ctx.core;
  const contact = await store.contacts.findByIdentity(CHANNEL, userId);
  const conversation = contact && (await store.conversations.findOpen(contact.id, CHANNEL, thread));
  if (!conversation) return;
  const language = conversation.language ?? (contact.locale ? baseLanguage(contact.locale) : null);
  let text: string;
  let actions: MessageAction[] = [];
  if (conversation.state === 'bot') {
    text = t(hasFiles ? 'attachmentOnly' : 'textOnly', language);
    actions = [actionFor('handoff', language)];
  } else if (conversation.state === 'queued' && hasFiles) {
    text = t('attachmentQueued', language);
  } else {
    return;
  }
  await inTransaction(store, bus, (tx, emit) =>
    postMessageOnce(
      tx,
      emit,
      conversation,
      { authorKind: 'bot', text, actions, onceKey: `hint:${inboundId}` },
      clock.now().toISOString(),
    ),
  );
}
