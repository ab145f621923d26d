import {
  type APIModalInteractionResponseCallbackData,
  type ChatInputCommandInteraction,
  MessageFlags,
} from 'discord.js';
import { DomainError } from '../../../core/errors.ts';
import { commandNames, MANAGE_GUILD, QUESTION_MAX } from '../discord-commands.ts';
import { CHANNEL, clip, type DiscordContext, profileOf } from '../discord-context.ts';
import { bugModal, featureModal } from '../discord-modals.ts';
import { formatSetupReport } from '../discord-setup.ts';
import { t } from '../discord-texts.ts';
import { logUnsupported, replyEphemeral } from '../interaction-replies.ts';

/** Slash commands: `/helpme`, `/agent`, `/setup`, `/bug`, `/new_feature`. */
export async function onSlashCommand(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  switch (interaction.commandName) {
    case commandNames.helpme: {
      const question = (interaction.options.getString('question') ?? '').trim();
      if (question.length > QUESTION_MAX)
        throw new DomainError('invalid', `a question has at most ${QUESTION_MAX} characters`);
      await startInDm(ctx, interaction, 'start', question);
      return;
    }
    case commandNames.agent:
      await startInDm(ctx, interaction, 'handoff', '');
      return;
    case commandNames.setup:
      await onSetup(ctx, interaction);
      return;
    case commandNames.bug:
    case commandNames.newFeature: {
      if (!interaction.inGuild()) {
        await replyEphemeral(
          interaction,
          t('errorGuildOnly', await ctx.languageOf(interaction.user.id, interaction.locale)),
        );
        return;
      }
      const language = await ctx.languageOf(interaction.user.id, interaction.locale);
      const modal: APIModalInteractionResponseCallbackData =
        interaction.commandName === commandNames.bug ? bugModal(language) : featureModal(language);
      await interaction.showModal(modal);
      return;
    }
    default:
      // A command registered by an older version, or by hand: say so, and leave a trace.
      logUnsupported(ctx.options.log, interaction, interaction.commandName);
      await replyEphemeral(
        interaction,
        t('errorUnknownCommand', await ctx.languageOf(interaction.user.id, interaction.locale), {
          command: interaction.commandName,
        }),
      );
  }
}

/** `/setup`: Manage Server only (Discord hides it from others; checked here too, as permissions change). */
async function onSetup(ctx: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const language = await ctx.languageOf(interaction.user.id, interaction.locale);
  if (!interaction.inGuild()) {
    await replyEphemeral(interaction, t('errorGuildOnly', language));
    return;
  }
  const permissions = interaction.memberPermissions;
  if (!permissions || (permissions.bitfield & MANAGE_GUILD) === 0n) {
    ctx.options.log.info({ userId: interaction.user.id, guildId: interaction.guildId }, '/setup refused');
    await replyEphemeral(interaction, t('setupRefused', language));
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const report = await ctx.setupGuild(interaction.guildId);
  await interaction.editReply({
    content: clip(formatSetupReport(report, undefined, language), 2000),
    allowedMentions: { parse: [] },
  });
}

/** `/helpme` and `/agent`: acknowledge at once, open the DM, and hand the core the request. */
async function startInDm(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction,
  action: 'start' | 'handoff',
  text: string,
): Promise<void> {
  const onInbound = ctx.inbound();
  if (!onInbound) return;
  const userId = interaction.user.id;
  // The 3-second window: defer first, then store and run the flow, then say where to look.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const language = await ctx.languageOf(userId, interaction.locale, text);
  await ctx.threads.rememberGuild(userId, interaction.guildId);
  const dm = await interaction.user.createDM();
  ctx.pendingReplies.set(userId, interaction);
  const thread = await ctx.threads.threadFor(userId);
  await onInbound({
    channel: CHANNEL,
    externalId: interaction.id,
    contact: profileOf(interaction.user, interaction.locale),
    address: { channelId: dm.id, userId },
    text,
    action,
  });
  // A thread was opened meanwhile and the reply already says where.
  if (!ctx.pendingReplies.isPending(userId, interaction)) return;
  await interaction.editReply({
    content: thread
      ? t('continueInThread', language, { thread: `<#${thread.threadId}>` })
      : t('sentDm', language),
  });
}
