import { DomainError } from '../errors.ts';
import type { Conversation, ConversationState } from '../model.ts';

/**
 * The conversation state machine: bot → queued → assigned → wrapping → closed.
 * A transfer to a queue goes back from assigned to queued; an agent may close straight from assigned
 * (wrap-up is then implicit); a conversation can be closed from any open state (e.g. the contact left).
 */
const allowed: Record<ConversationState, readonly ConversationState[]> = {
  bot: ['queued', 'closed'],
  queued: ['assigned', 'queued', 'bot', 'closed'],
  assigned: ['wrapping', 'queued', 'assigned', 'closed'],
  wrapping: ['closed'],
  closed: [],
};

export function canTransition(from: ConversationState, to: ConversationState): boolean {
  return allowed[from].includes(to);
}

/** Returns the conversation in its new state, or throws DomainError('conflict') for an illegal move. */
export function transition(conversation: Conversation, to: ConversationState, at: string): Conversation {
  if (!canTransition(conversation.state, to)) {
    throw new DomainError(
      'conflict',
      `conversation ${conversation.id} cannot go from ${conversation.state} to ${to}`,
      {
        from: conversation.state,
        to,
      },
    );
  }
  const next: Conversation = { ...conversation, state: to, updatedAt: at };
  if (to === 'queued') {
    next.queuedAt = at;
    next.agentId = null;
    next.assignedAt = null;
  }
  if (to === 'assigned') next.assignedAt = at;
  if (to === 'bot') {
    next.queueId = null;
    next.queuedAt = null;
  }
  if (to === 'closed') next.closedAt = at;
  return next;
}
