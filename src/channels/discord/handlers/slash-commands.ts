import {
  type APIModalInteractionResponseCallbackData,
  type ChatInputCommandInteraction,
  MessageFlags,
} from 'discord.js';
import { DomainError } from '../../../core/errors.ts';
import { commandNames, MANAGE_GUILD, QUESTION_MAX, setupOptions } from '../discord-commands.ts';
import { CHANNEL, clip, type DiscordContext, profileOf, serverOf } from '../discord-context.ts';
import { bugModal, featureModal } from '../discord-modals.ts';
import { formatSetupReport } from '../discord-setup.ts';
import { t } from '../discord-texts.ts';
import {
  ensureForumTags,
  FORUM_CHANNEL,
  linkForum,
  privateThreadMode,
  setAgentRole,
  setPrivateThreadMode,
} from '../forum-posts.ts';
import { logUnsupported, replyEphemeral } from '../interaction-replies.ts';
import { memberContextOf } from './inbound-message.ts';

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
  const settings = await serverSettings(ctx, interaction, language);
  await interaction.editReply({
    content: clip([formatSetupReport(report, undefined, language), ...settings].join('\n'), 2000),
    allowedMentions: { parse: [] },
  });
}

/**
 * `/setup`'s options, each stored for this server: a forum linked as a support entrance (its tags made),
 * private-thread mode, the agents' role. Returns a line per option given.
 */
async function serverSettings(
  ctx: DiscordContext,
  interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
  language: string,
): Promise<string[]> {
  const lines: string[] = [];
  const store = ctx.core.store.settings;
  const guildId = interaction.guildId;
  const forum = interaction.options.getChannel(setupOptions.forum);
  if (forum) {
    const inGuild = 'guildId' in forum ? forum.guildId === guildId : true;
    if (forum.type !== FORUM_CHANNEL || !inGuild) {
      lines.push(t('setupForumInvalid', language, { forum: `<#${forum.id}>` }));
    } else {
      await linkForum(store, guildId, forum.id);
      const tags = await ensureForumTags(ctx, forum.id).catch(() => null);
      lines.push(t(tags ? 'setupForumLinked' : 'setupForumNoTags', language, { forum: `<#${forum.id}>` }));
      ctx.options.log.info({ guildId, forumId: forum.id, tagged: tags !== null }, 'Discord forum linked');
    }
  }
  const privateThreads = interaction.options.getBoolean(setupOptions.privateThreads);
  if (privateThreads !== null) {
    await setPrivateThreadMode(store, guildId, privateThreads);
    lines.push(t(privateThreads ? 'setupPrivateThreadsOn' : 'setupPrivateThreadsOff', language));
  }
  const role = interaction.options.getRole(setupOptions.agentRole);
  if (role) {
    await setAgentRole(store, guildId, role.id);
    lines.push(t('setupAgentRole', language, { role: `<@&${role.id}>` }));
  }
  return lines;
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
  // Private-thread mode: the member is served in their private thread from the start, not only once a DM fails.
  const thread = (await privateThreadMode(ctx.core.store.settings, interaction.guildId))
    ? ((await ctx.threads.threadFor(userId)) ?? (await ctx.threads.openThreadFor(userId, 'private-mode')))
    : await ctx.threads.threadFor(userId);
  const member = await memberContextOf(
    ctx,
    userId,
    interaction.inCachedGuild() ? { member: interaction.member, channel: interaction.channel } : null,
  );
  const server = serverOf(ctx, interaction.guildId);
  await onInbound({
    channel: CHANNEL,
    externalId: interaction.id,
    contact: profileOf(interaction.user, interaction.locale),
    address: { channelId: dm.id, userId },
    ...(server ? { server } : {}),
    text,
    action,
    ...(member ? { member } : {}),
  });
  // A thread was opened meanwhile and the reply already says where.
  if (!ctx.pendingReplies.isPending(userId, interaction)) return;
  const inThread = thread?.reason === 'private-mode' ? 'continueInPrivateThread' : 'continueInThread';
  await interaction.editReply({
    content: thread
      ? t(inThread, language, { thread: `<#${thread.threadId}>` }, interaction.guildId)
      : t('sentDm', language, {}, interaction.guildId),
  });
}
