import type { MessageAction, OutboundMessage } from '../../core/model.ts';
import { splitMessage } from '../discord/split-message.ts';

/** Messenger's limits: a text message, a quick reply's title, quick replies on one message. */
export const MESSENGER_TEXT_MAX = 2_000;
export const QUICK_REPLY_TITLE_MAX = 20;
export const QUICK_REPLIES_MAX = 13;

export interface QuickReply {
  content_type: 'text';
  title: string;
  /** The action id (`handoff`, `resolved`, `rate:4`): it comes back as the member's `quick_reply.payload`. */
  payload: string;
}

/** The `message` of one Send API call. */
export interface MessengerMessageBody {
  text: string;
  quick_replies?: QuickReply[];
}

/**
 * Renders a channel-agnostic outbound message as Send API messages: the agent's name first, attachments and
 * suggested articles as links (Messenger shows a preview of a link; an attachment message would need Meta
 * to fetch the file, which fails for a desktop on a private address), the text split at 2,000 characters
 * and the actions as quick replies on the last part.
 */
export function renderMessengerMessage(
  message: OutboundMessage,
  options: { publicUrl: string | null },
): MessengerMessageBody[] {
  let text = message.text.trim();
  if (message.authorKind === 'agent' && message.authorName && text) text = `${message.authorName}: ${text}`;
  const links = [
    ...message.attachments
      .map((a) => ({ name: a.name || 'attachment', url: absoluteUrl(a.url, options.publicUrl) }))
      .filter((a): a is { name: string; url: string } => a.url !== null)
      .map((a) => `📎 ${a.name}: ${a.url}`),
    ...message.articles
      .map((a) => ({ title: a.title, url: absoluteUrl(a.url, options.publicUrl) }))
      .filter((a): a is { title: string; url: string } => a.url !== null)
      .map((a) => `📄 ${a.title}: ${a.url}`),
  ];
  if (links.length > 0) text = [text, ...links].filter(Boolean).join('\n');
  const bodies: MessengerMessageBody[] = splitMessage(text, MESSENGER_TEXT_MAX).map((part) => ({
    text: part,
  }));
  const quickReplies = toQuickReplies(message.actions);
  if (quickReplies.length > 0) {
    // A quick reply rides on a message: buttons without text get the labels' question as text.
    const last = bodies.at(-1) ?? bodies[bodies.push({ text: 'Choose one:' }) - 1];
    if (last) last.quick_replies = quickReplies;
  }
  return bodies;
}

export function toQuickReplies(actions: MessageAction[]): QuickReply[] {
  return actions.slice(0, QUICK_REPLIES_MAX).map((a) => ({
    content_type: 'text',
    title: clip(a.label.trim() || a.id, QUICK_REPLY_TITLE_MAX),
    payload: a.id,
  }));
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
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
