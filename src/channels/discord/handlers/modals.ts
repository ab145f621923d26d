import {
  type APIMessage,
  type Guild,
  MessageFlags,
  type ModalSubmitInteraction,
  Routes,
  type User,
} from 'discord.js';
import { type SimilarCase, similarCases } from '../../../core/cases/similar-cases.ts';
import type { Case } from '../../../core/model.ts';
import { casePostBody } from '../case-posts.ts';
import {
  type CasePost,
  CHANNEL,
  casePostUrl,
  clip,
  type DiscordContext,
  profileOf,
  serverOf,
  settingKeys,
} from '../discord-context.ts';
import { customIds } from '../discord-message-renderer.ts';
import { parseBugReport, parseFeatureRequest } from '../discord-modals.ts';
import type { SetupChannelKey } from '../discord-setup.ts';
import { t } from '../discord-texts.ts';
import { replyEphemeral } from '../interaction-replies.ts';
import { guildLanguage } from '../member-language.ts';
import { memberContextOf } from './inbound-message.ts';

/** Modal submits: a bug report or a feature request becomes a case, posted in its channel. */
export async function onModalSubmit(ctx: DiscordContext, interaction: ModalSubmitInteraction): Promise<void> {
  const values = modalValues(interaction);
  const text = Object.values(values).join(' ');
  const language = await ctx.languageOf(interaction.user.id, interaction.locale, text);
  if (interaction.customId !== customIds.bugModal && interaction.customId !== customIds.featureModal) {
    await replyEphemeral(interaction, t('errorUnknownButton', language));
    return;
  }
  const parsed =
    interaction.customId === customIds.bugModal ? parseBugReport(values) : parseFeatureRequest(values);
  if (!parsed.ok) {
    const { problem, field, max } = parsed.error;
    await replyEphemeral(
      interaction,
      t(problem === 'empty' ? 'errorFieldEmpty' : 'errorFieldTooLong', language, {
        field: t(field, language),
        max: max ?? 0,
      }),
    );
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await ctx.threads.rememberGuild(interaction.user.id, interaction.guildId);
  const contact = await ctx.contacts.resolve(CHANNEL, profileOf(interaction.user, interaction.locale));
  const actor = { kind: 'contact' as const, id: contact.id };
  const guild = interaction.guild;
  const server = serverOf(ctx, interaction.guildId);
  // The member card of the case (roles, server, where they filed it) and flows read it, as with a message.
  const context = await memberContextOf(
    ctx,
    interaction.user.id,
    interaction.inCachedGuild() ? { member: interaction.member, channel: interaction.channel } : null,
  );
  const member = context ? { member: { channel: CHANNEL, context } } : {};
  if (parsed.value.kind === 'bug') {
    const report = parsed.value;
    const kase = await ctx.core.cases.create(
      { kind: 'bug', subject: report.title, fields: report.fields, contactId: contact.id, server, ...member },
      actor,
    );
    await interaction.editReply({ content: t('bugFiled', language, { case: kase.number }, server?.id) });
    if (guild) await postCase(ctx, guild, 'bug-report', kase, interaction.user, []);
    return;
  }
  const request = parsed.value;
  const existing = await ctx.core.cases.list({ kind: 'feature', limit: 500 });
  const similar = similarCases({ subject: request.title, description: request.description }, existing);
  const kase = await ctx.core.cases.create(
    {
      kind: 'feature',
      subject: request.title,
      fields: { description: request.description },
      contactId: contact.id,
      server,
      ...member,
    },
    actor,
  );
  const links = await similarLines(ctx, similar);
  await interaction.editReply({
    content: [
      t('featureFiled', language, { case: kase.number }, server?.id),
      ...(links.length > 0 ? ['', t('similarIntro', language), ...links] : []),
    ].join('\n'),
    allowedMentions: { parse: [] },
  });
  if (guild) await postCase(ctx, guild, 'feature-request', kase, interaction.user, links);
}

/** Posts a bug report or feature request as an embed in its channel (with its Me too or Upvote button). */
async function postCase(
  ctx: DiscordContext,
  guild: Guild,
  key: SetupChannelKey,
  kase: Case,
  reporter: User,
  similar: string[],
) {
  const channelRef = key === 'bug-report' ? ctx.options.bugReportChannel : ctx.options.featureRequestChannel;
  const channelId = await ctx.threads.officialChannel(guild, key, channelRef);
  if (!channelId) {
    ctx.options.log.warn(
      { guildId: guild.id, channel: channelRef, case: kase.number },
      'no channel to post the case in',
    );
    return;
  }
  const language = guildLanguage(guild);
  const body = casePostBody(kase, {
    language,
    reporterId: reporter.id,
    similar,
    original: null,
  });
  try {
    const posted = (await ctx.rest().post(Routes.channelMessages(channelId), { body })) as APIMessage;
    const post: CasePost = { channelId, messageId: posted.id, guildId: guild.id, similar, language };
    await ctx.core.store.settings.set(settingKeys.casePost(kase.id), post);
    // Agents open the post from the case.
    await ctx.core.cases.recordPost(kase.id, casePostUrl(post));
  } catch (error) {
    // The case is stored and the member has its number; only the public post is missing.
    ctx.options.log.warn({ err: error, case: kase.number, channelId }, 'case not posted in its channel');
  }
}

async function similarLines(ctx: DiscordContext, similar: SimilarCase[]): Promise<string[]> {
  const lines: string[] = [];
  for (const { case: kase } of similar) {
    const post = await ctx.core.store.settings.get<CasePost>(settingKeys.casePost(kase.id));
    const link = post ? ` — ${casePostUrl(post)}` : '';
    lines.push(`#${kase.number} ${clip(kase.subject, 100)} (▲ ${kase.votes})${link}`);
  }
  return lines;
}

/** Text-input values by custom id; fields Discord did not send read as empty. */
function modalValues(interaction: ModalSubmitInteraction): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [customId, field] of interaction.fields.fields) {
    if ('value' in field && typeof field.value === 'string') values[customId] = field.value;
  }
  return values;
}
