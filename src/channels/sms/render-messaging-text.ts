import type { OutboundMessage } from '../../core/model.ts';
import { splitMessage } from '../discord/split-message.ts';
import { replyWords } from './messaging-keywords.ts';
import { sayMessaging } from './messaging-texts.ts';

/** Twilio's limit for one message's body (SMS and WhatsApp alike). */
export const TWILIO_BODY_MAX = 1_600;

/**
 * A message as plain text: the text, each suggested article as "title: link", the buttons as words to
 * reply with; split into parts the channel carries (a bot's long answer goes out in several messages).
 */
export function renderMessagingText(
  message: Pick<OutboundMessage, 'text' | 'articles' | 'actions'>,
  language: string | null,
  max = TWILIO_BODY_MAX,
): string[] {
  const blocks = [message.text.trim()];
  if (message.articles.length > 0)
    blocks.push(message.articles.map((a) => `${a.title}: ${a.url}`).join('\n'));
  const lines: string[] = [];
  for (const action of message.actions) {
    if (action.id === 'resolved' || action.id === 'handoff')
      lines.push(sayMessaging('replyWord', language, { word: replyWords[action.id], label: action.label }));
  }
  if (message.actions.some((a) => a.id.startsWith('rate:')))
    lines.push(sayMessaging('replyRating', language));
  if (lines.length > 0) blocks.push(lines.join('\n'));
  return splitMessage(blocks.filter(Boolean).join('\n\n'), max);
}
