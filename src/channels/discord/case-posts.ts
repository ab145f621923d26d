import { type APIEmbed, type RESTPostAPIChannelMessageJSONBody, Routes } from 'discord.js';
import { baseLanguage } from '../../core/knowledge/language-detector.ts';
import type { Case } from '../../core/model.ts';
import { featureStageOf } from '../../core/outbox/member-notice.ts';
import type { SendResult } from '../../core/ports/channel-connector.ts';
import {
  type ButtonRow,
  type CasePost,
  CHANNEL,
  clip,
  type DiscordContext,
  settingKeys,
} from './discord-context.ts';
import { DiscordErrorCode, discordCode, toConnectorError } from './discord-errors.ts';
import { customIds } from './discord-message-renderer.ts';
import { type DiscordTextKey, t } from './discord-texts.ts';

/** What a case's public post shows besides the case itself. */
export interface CasePostContext {
  language: string;
  /** The reporter's Discord user id, mentioned (without pinging) in the post. */
  reporterId: string | null;
  /** Lines naming similar requests, kept from when the post was made. */
  similar: string[];
  /** A duplicate's original: its number and post. */
  original: Pick<Case, 'number' | 'postUrl'> | null;
}

/**
 * A bug report's or feature request's post in its channel: an embed with the case's fields, its status
 * (a feature request's stage), what it duplicates and what fixed it, and its Upvote ("Me too" for a bug)
 * button with the count. The same body makes the post and every later edit of it.
 */
export function casePostBody(kase: Case, context: CasePostContext): RESTPostAPIChannelMessageJSONBody {
  const { language } = context;
  const fields: NonNullable<APIEmbed['fields']> = [];
  const labels: [string, DiscordTextKey][] = [
    ['description', kase.kind === 'bug' ? 'fieldWhatHappened' : 'fieldDescription'],
    ['steps', 'fieldSteps'],
    ['expected', 'fieldExpected'],
    ['platform', 'fieldPlatform'],
  ];
  for (const [key, label] of labels) {
    const value = kase.fields[key];
    if (value) fields.push({ name: t(label, language), value: clip(value, 1024) });
  }
  if (context.reporterId)
    fields.push({ name: t('reporter', language), value: `<@${context.reporterId}>`, inline: true });
  if (kase.status !== 'new') {
    const stage = featureStageOf(kase);
    fields.push({
      name: t('postStatus', language),
      value: stage ? t(`stage_${stage}`, language) : t(`status_${kase.status}`, language),
      inline: true,
    });
  }
  if (context.original)
    fields.push({
      name: t('postDuplicate', language),
      value: context.original.postUrl
        ? `[#${context.original.number}](${context.original.postUrl})`
        : `#${context.original.number}`,
    });
  const fixedIn = kase.fields.fixedIn;
  if (fixedIn) {
    const url = kase.fields.fixedInUrl;
    const note = clip(fixedIn.replace(/[[\]]/g, ''), 200);
    fields.push({ name: t('postFixedIn', language), value: url ? `[${note}](${url})` : note });
  }
  if (context.similar.length > 0)
    fields.push({ name: t('similarTitle', language), value: clip(context.similar.join('\n'), 1024) });
  return {
    embeds: [
      {
        title: clip(`#${kase.number} ${kase.subject}`, 256),
        color: kase.kind === 'bug' ? 0xed4245 : 0x57f287,
        fields,
        timestamp: kase.createdAt,
      },
    ],
    allowed_mentions: { parse: [] },
    // A duplicate takes no more votes: they go to its original.
    components: context.original ? [] : [voteRow(kase, language)],
  };
}

/** A feature request's Upvote button, or a bug report's "Me too", with its count. */
export function voteRow(kase: Case, language: string): ButtonRow {
  const bug = kase.kind === 'bug';
  return {
    type: 1,
    components: [
      {
        type: 2,
        style: bug ? 2 : 1,
        label: `${t(bug ? 'meToo' : 'upvote', language)} (${kase.votes})`,
        custom_id: customIds.vote(kase.id),
        emoji: { name: bug ? '🙋' : '👍' },
      },
    ],
  };
}

/** The original a duplicate was merged into (`duplicateOf` holds its number). */
export async function originalOf(
  ctx: DiscordContext,
  kase: Case,
): Promise<Pick<Case, 'number' | 'postUrl'> | null> {
  const number = Number(kase.fields.duplicateOf);
  if (!Number.isInteger(number) || number <= 0) return null;
  return (await ctx.core.store.cases.getByNumber(number)) ?? { number, postUrl: null };
}

/**
 * From the outbox: edits a case's post to show the case as it is now. An edit is idempotent, so a retry
 * or a second instance does no harm; a post that was deleted has nothing left to edit.
 */
export async function refreshCasePost(ctx: DiscordContext, caseId: string): Promise<SendResult> {
  const { store } = ctx.core;
  const [post, kase] = await Promise.all([
    store.settings.get<CasePost>(settingKeys.casePost(caseId)),
    store.cases.get(caseId),
  ]);
  if (!post || !kase) return { externalId: null };
  const contact = kase.contactId ? await store.contacts.get(kase.contactId) : undefined;
  const reporterId = contact?.identities.find((i) => i.channel === CHANNEL)?.externalId ?? null;
  const locale = ctx.client()?.guilds.cache.get(post.guildId)?.preferredLocale;
  const body = casePostBody(kase, {
    language: post.language ?? (locale ? baseLanguage(locale) : 'en'),
    reporterId,
    similar: post.similar ?? [],
    original: await originalOf(ctx, kase),
  });
  try {
    await ctx.rest().patch(Routes.channelMessage(post.channelId, post.messageId), {
      body: { embeds: body.embeds, components: body.components, allowed_mentions: body.allowed_mentions },
    });
  } catch (error) {
    if (discordCode(error) === DiscordErrorCode.UnknownMessage) {
      ctx.options.log.warn({ case: kase.number, ...post }, 'the case post is gone; nothing to refresh');
      return { externalId: null };
    }
    throw toConnectorError(error, `refresh the post of #${kase.number}`);
  }
  return { externalId: post.messageId };
}
