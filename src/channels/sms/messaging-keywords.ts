/**
 * Twilio's standard opt-out keywords (Advanced Opt-Out's defaults): the whole message, any case, is the
 * keyword. STOP and its synonyms opt the number out; START and its synonyms opt it back in.
 */
const keywords = {
  stop: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
  start: ['START', 'YES', 'UNSTOP'],
  help: ['HELP', 'INFO'],
} as const;

export type MessagingKeyword = keyof typeof keywords;

export function messagingKeyword(body: string): MessagingKeyword | null {
  const word = body.trim().toUpperCase();
  for (const [keyword, words] of Object.entries(keywords) as [MessagingKeyword, readonly string[]][])
    if (words.includes(word)) return keyword;
  return null;
}

/**
 * The bot's buttons as words the contact replies with (SMS and WhatsApp have no buttons). Words, not
 * numbers: a bare number after a close is the conversation's rating, and YES is a Twilio START keyword.
 */
export const replyWords: Record<'resolved' | 'handoff', string> = { resolved: 'SOLVED', handoff: 'AGENT' };

/** The action a reply word stands for, if the whole message is one. */
export function actionOfReply(body: string): 'resolved' | 'handoff' | null {
  const word = body.trim().toUpperCase();
  if (word === replyWords.resolved) return 'resolved';
  if (word === replyWords.handoff) return 'handoff';
  return null;
}
