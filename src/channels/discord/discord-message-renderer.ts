import type {
  APIActionRowComponent,
  APIButtonComponentWithCustomId,
  APIEmbed,
  RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import type { MessageAction, OutboundMessage, SuggestedArticle } from '../../core/model.ts';
import { DISCORD_MESSAGE_MAX, splitMessage } from './split-message.ts';

/** Custom ids of Switchboard's buttons; anything else pressed is answered as an inactive button. */
export const customIds = {
  prefix: 'sb:',
  action: (actionId: string) => `sb:${actionId}`,
  vote: (caseId: string) => `sb:vote:${caseId}`,
  bugModal: 'sb:bug',
  featureModal: 'sb:feature',
} as const;

export type ParsedCustomId =
  | { kind: 'action'; action: 'resolved' | 'handoff' | `rate:${number}` }
  | { kind: 'vote'; caseId: string }
  | { kind: 'unknown' };

export function parseCustomId(customId: string): ParsedCustomId {
  if (customId === 'sb:resolved') return { kind: 'action', action: 'resolved' };
  if (customId === 'sb:handoff') return { kind: 'action', action: 'handoff' };
  const rate = /^sb:rate:([1-5])$/.exec(customId);
  if (rate) return { kind: 'action', action: `rate:${Number(rate[1])}` };
  const vote = /^sb:vote:([\w-]{1,80})$/.exec(customId);
  if (vote?.[1]) return { kind: 'vote', caseId: vote[1] };
  return { kind: 'unknown' };
}

const ButtonStyle = { Primary: 1, Secondary: 2, Success: 3 } as const;
// Room for an article's steps (excerpts keep them under 700 characters); Discord allows 4,096.
const EMBED_DESCRIPTION_MAX = 1_000;
const MAX_EMBEDS = 10;

export interface RenderOptions {
  /** Makes relative article links absolute (Discord only links http(s) URLs). */
  publicUrl: string | null;
}

/**
 * Renders a channel-agnostic outbound message as one or more Discord messages: the text split at the
 * 2,000-character limit, the agent's name first, attachments as links, suggested articles as embeds (the
 * only place their title, excerpt and link appear) and actions as buttons on the last part. Mentions are never parsed from what agents or the bot write.
 */
export function renderOutbound(
  message: OutboundMessage,
  options: RenderOptions,
): RESTPostAPIChannelMessageJSONBody[] {
  // The transcript goes as a file (see DiscordDelivery); the message says only what it is.
  let text = message.transcript ? message.transcript.intro : message.text;
  if (message.authorKind === 'agent' && message.authorName) text = `**${message.authorName}**\n${text}`;
  const links = message.attachments
    .filter((a) => /^https?:\/\//i.test(a.url))
    .map((a) => `📎 [${escapeLinkText(a.name || 'attachment')}](${a.url})`);
  if (links.length > 0) text = `${text}\n${links.join('\n')}`;
  const parts = splitMessage(text.trim(), DISCORD_MESSAGE_MAX);
  const embeds = message.articles
    .slice(0, MAX_EMBEDS)
    .map((a) => articleEmbed(a, options))
    .filter((e): e is APIEmbed => e !== null);
  const components = actionRows(message.actions);
  const bodies: RESTPostAPIChannelMessageJSONBody[] = parts.map((content) => ({
    content,
    allowed_mentions: { parse: [] },
  }));
  if (bodies.length === 0 && (embeds.length > 0 || components.length > 0))
    bodies.push({ allowed_mentions: { parse: [] } });
  const last = bodies.at(-1);
  if (last) {
    if (embeds.length > 0) last.embeds = embeds;
    if (components.length > 0) last.components = components;
  }
  return bodies;
}

function articleEmbed(article: SuggestedArticle, options: RenderOptions): APIEmbed | null {
  const url = absoluteUrl(article.url, options.publicUrl);
  const excerpt = article.excerpt.trim();
  return {
    title: article.title.slice(0, 256),
    ...(excerpt
      ? {
          description:
            excerpt.length > EMBED_DESCRIPTION_MAX
              ? `${excerpt.slice(0, EMBED_DESCRIPTION_MAX - 1)}…`
              : excerpt,
        }
      : {}),
    ...(url ? { url } : {}),
    color: 0x5865f2,
  };
}

function absoluteUrl(url: string, publicUrl: string | null): string | null {
  if (/^https?:\/\//i.test(url)) return url;
  if (!publicUrl || !url) return null;
  try {
    return new URL(url, `${publicUrl.replace(/\/$/, '')}/`).toString();
  } catch {
    return null;
  }
}

/** Rating buttons 1–5 share one row; other actions fill rows of five. */
export function actionRows(
  actions: MessageAction[],
): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const ratings = actions.filter((a) => a.id.startsWith('rate:'));
  const others = actions.filter((a) => !a.id.startsWith('rate:'));
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  for (let i = 0; i < others.length && rows.length < 4; i += 5) rows.push(row(others.slice(i, i + 5)));
  if (ratings.length > 0) rows.push(row(ratings.slice(0, 5)));
  return rows;
}

function row(actions: MessageAction[]): APIActionRowComponent<APIButtonComponentWithCustomId> {
  return {
    type: 1,
    components: actions.map((a) => ({
      type: 2,
      style:
        a.id === 'resolved'
          ? ButtonStyle.Success
          : a.id === 'handoff'
            ? ButtonStyle.Primary
            : ButtonStyle.Secondary,
      label: a.label.slice(0, 80) || a.id,
      custom_id: customIds.action(a.id).slice(0, 100),
    })),
  };
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]]/g, '');
}
