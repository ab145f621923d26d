import { type ButtonInteraction, MessageFlags } from 'discord.js';
import { originalOf, voteRow } from '../case-posts.ts';
import { type ButtonRow, CHANNEL, type DiscordContext, profileOf } from '../discord-context.ts';
import { parseCustomId } from '../discord-message-renderer.ts';
import { t } from '../discord-texts.ts';
import { forumPost } from '../forum-posts.ts';
import { replyEphemeral } from '../interaction-replies.ts';
import { guildLanguage } from '../member-language.ts';
import { memberContextOf } from './inbound-message.ts';

/** Buttons: a conversation's choices (articles, a person, a rating), a feature request's Upvote, a bug's Me too. */
export async function onButton(ctx: DiscordContext, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  if (parsed.kind === 'unknown') {
    const language = await ctx.languageOf(interaction.user.id, interaction.locale);
    await replyEphemeral(interaction, t('errorUnknownButton', language));
    return;
  }
  if (parsed.kind === 'vote') {
    await onVote(ctx, interaction, parsed.caseId);
    return;
  }
  const onInbound = ctx.inbound();
  if (!onInbound) return;
  const userId = interaction.user.id;
  // In a public forum post everyone sees the buttons; only the post's author chooses for its conversation.
  const post = interaction.guildId ? await forumPost(ctx.core.store.settings, interaction.channelId) : null;
  if (post && post.ownerId !== userId) {
    await replyEphemeral(interaction, t('notYourPost', await ctx.languageOf(userId, interaction.locale)));
    return;
  }
  // Acknowledge by disabling the pressed row, so the same choice cannot be sent twice.
  await interaction.update({ components: disableRow(interaction, interaction.customId) });
  const address: Record<string, unknown> = post
    ? { channelId: post.threadId, userId, forumPost: true }
    : interaction.guildId
      ? { channelId: interaction.channelId, userId, threadId: interaction.channelId }
      : { channelId: interaction.channelId, userId };
  const member = await memberContextOf(
    ctx,
    userId,
    interaction.inCachedGuild() ? { member: interaction.member, channel: interaction.channel } : null,
  );
  await onInbound({
    channel: CHANNEL,
    externalId: interaction.id,
    contact: profileOf(interaction.user, interaction.locale),
    address,
    ...(post ? { thread: post.threadId } : {}),
    text: parsed.action.startsWith('rate:') ? '' : labelOf(interaction, interaction.customId),
    action: parsed.action,
    ...(member ? { member } : {}),
  });
}

async function onVote(ctx: DiscordContext, interaction: ButtonInteraction, caseId: string): Promise<void> {
  const contact = await ctx.contacts.resolve(CHANNEL, profileOf(interaction.user, interaction.locale));
  const language = await ctx.languageOf(interaction.user.id, interaction.locale);
  const request = await ctx.core.cases.get(caseId);
  const bug = request.kind === 'bug';
  const original = await originalOf(ctx, request);
  if (original) {
    // A duplicate's votes go to its original (its post says which).
    const link = original.postUrl ? ` ${original.postUrl}` : '';
    await replyEphemeral(interaction, `${t('postDuplicate', language)} #${original.number}.${link}`);
    return;
  }
  if (request.contactId === contact.id) {
    // Upvotes say how many others want it; the requester's own is implied.
    await replyEphemeral(
      interaction,
      t(bug ? 'ownReport' : 'ownRequest', language, { case: request.number }),
    );
    return;
  }
  const { case: kase, counted } = await ctx.core.cases.vote(caseId, contact.id, {
    kind: 'contact',
    id: contact.id,
  });
  if (!counted) {
    await replyEphemeral(
      interaction,
      t(bug ? 'alreadyMeToo' : 'alreadyVoted', language, { case: kase.number }),
    );
    return;
  }
  await interaction.update({ components: [voteRow(kase, guildLanguage(interaction.guild))] });
  await interaction
    .followUp({
      content: t(bug ? 'meTooCounted' : 'voteCounted', language, { case: kase.number }),
      flags: MessageFlags.Ephemeral,
    })
    .catch((error: unknown) => ctx.options.log.warn({ err: error }, 'vote confirmation not sent'));
}

/** The message's button rows with the row holding `customId` disabled (the pressed button highlighted). */
function disableRow(interaction: ButtonInteraction, customId: string): ButtonRow[] {
  const rows = interaction.message.components.map((c) => c.toJSON()) as unknown as ButtonRow[];
  return rows
    .filter((row) => row.type === 1)
    .map((row) => {
      const pressed = row.components.some((b) => b.custom_id === customId);
      if (!pressed) return row;
      return {
        ...row,
        components: row.components.map((b) => ({
          ...b,
          disabled: true,
          ...(b.custom_id === customId ? { style: 3 } : {}),
        })),
      };
    });
}

function labelOf(interaction: ButtonInteraction, customId: string): string {
  const rows = interaction.message.components.map((c) => c.toJSON()) as unknown as ButtonRow[];
  for (const row of rows) {
    const button = row.components?.find((b) => b.custom_id === customId);
    if (button?.label) return button.label;
  }
  return '';
}
