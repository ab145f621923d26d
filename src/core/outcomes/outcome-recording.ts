import type { Conversation, Message } from '../model.ts';
import type { Repositories } from '../ports/repositories.ts';
import type { VirtualAgentReply } from '../ports/virtual-agent.ts';
import {
  type BotTurn,
  type HandoffReason,
  handoffReason,
  isNegativeFeedback,
  isRepeatedQuestion,
  MAX_QUESTION,
} from './bot-outcome.ts';

/**
 * Recording what the bot solves, at the moment it happens and in the caller's transaction (the one that
 * sends the bot's reply, queues the conversation, or acknowledges "This solved it"), so a figure is never
 * counted for something that was rolled back. Every write is keyed (by the contact message, by the
 * conversation), so a message handled again after a crash records nothing twice.
 */

function turnOf(
  message: Pick<Message, 'id' | 'text'>,
  conversation: Pick<Conversation, 'id'>,
  reply: VirtualAgentReply,
  earlier: BotTurn[],
  at: string,
): BotTurn {
  const question = message.text.replace(/\s+/g, ' ').trim().slice(0, MAX_QUESTION);
  const asked = reply.intent === 'answer' || reply.intent === 'unsure';
  return {
    messageId: message.id,
    conversationId: conversation.id,
    question,
    language: reply.language,
    intent: reply.intent,
    articleId: reply.intent === 'answer' ? (reply.articles[0]?.id ?? null) : null,
    confidence: Number.isFinite(reply.confidence) ? reply.confidence : 0,
    repeated:
      asked &&
      isRepeatedQuestion(
        question,
        earlier.filter((t) => t.messageId !== message.id),
      ),
    negative: isNegativeFeedback(question),
    modelUnavailable: reply.modelUnavailable === true,
    solvedAt: null,
    draftArticleId: null,
    createdAt: at,
  };
}

/** The virtual agent replied to a contact message (in the transaction that posts the reply). */
export async function recordTurnIn(
  tx: Repositories,
  conversation: Pick<Conversation, 'id'>,
  message: Pick<Message, 'id' | 'text'>,
  reply: VirtualAgentReply,
  at: string,
): Promise<void> {
  const earlier = await tx.botOutcomes.listTurns(conversation.id);
  await tx.botOutcomes.addTurn(turnOf(message, conversation, reply, earlier, at));
}

/**
 * A conversation with the bot goes to a person (in the transaction that queues it): its outcome is
 * `handed_off`, with the reason `handoffReason` reads from this run's reply, else the bot's last one.
 * A conversation that was not with the bot (a transfer between queues) records nothing.
 */
export async function recordHandoffIn(
  tx: Repositories,
  conversation: Pick<Conversation, 'id' | 'channel' | 'state'>,
  message: Pick<Message, 'id' | 'text'>,
  reply: VirtualAgentReply | undefined,
  at: string,
): Promise<HandoffReason | null> {
  if (conversation.state !== 'bot') return null;
  const turns = await tx.botOutcomes.listTurns(conversation.id);
  const before = turns.filter((t) => t.messageId !== message.id);
  const lastTurn = before.at(-1);
  const reason = handoffReason({
    text: message.text,
    ...(reply ? { reply: turnOf(message, conversation, reply, before, at) } : {}),
    ...(lastTurn ? { lastTurn } : {}),
  });
  await tx.botOutcomes.record({
    conversationId: conversation.id,
    channel: conversation.channel,
    outcome: 'handed_off',
    reason,
    articleId: turns.findLast((t) => t.articleId)?.articleId ?? null,
    occurredAt: at,
  });
  return reason;
}

/**
 * The member pressed "This solved it" (in the transaction that thanks them): the answer it was pressed
 * on (the bot's last one) counts as solved for its article, once, and the conversation is resolved.
 */
export async function recordResolvedIn(
  tx: Repositories,
  conversation: Pick<Conversation, 'id' | 'channel'>,
  at: string,
): Promise<void> {
  const answered = (await tx.botOutcomes.listTurns(conversation.id)).findLast((t) => t.intent === 'answer');
  if (answered) await tx.botOutcomes.markSolved(answered.messageId, at);
  await tx.botOutcomes.record({
    conversationId: conversation.id,
    channel: conversation.channel,
    outcome: 'resolved',
    reason: 'confirmed',
    articleId: answered?.articleId ?? null,
    occurredAt: at,
  });
}
