import type { Conversation } from '../model.ts';
import type { Repositories } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import { isOpen, nextOpening } from './business-hours.ts';

/** When a person is back, as a member reads it in their language: the queue's local day and time, and its zone. */
export function formatBack(at: Date, timeZone: string, language: string | null): string {
  const locale = (language ?? 'en').slice(0, 2).toLowerCase() === 'ar' ? 'ar' : 'en-GB';
  const text = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${text} (${timeZone})`;
}

/**
 * What the bot tells a member whose conversation was queued outside the queue's business hours; null while
 * the queue is open (or has no hours, or never opens again).
 */
export async function outOfHoursText(
  tx: Repositories,
  conversation: Conversation,
  at: Date,
): Promise<string | null> {
  if (!conversation.queueId) return null;
  const hours = await tx.sla.getBusinessHours(conversation.queueId);
  if (!hours || isOpen(hours, at)) return null;
  const back = nextOpening(hours, at);
  if (!back) return null;
  const language = conversation.language;
  return say(
    'outOfHours',
    language,
    { back: formatBack(back, hours.timeZone, language) },
    conversation.server?.id,
  );
}
