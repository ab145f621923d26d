import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import type { Conversation, ConversationState } from '../model.ts';
import { canTransition, transition } from './conversation-state.ts';

const at = '2026-01-01T00:00:00.000Z';
const later = '2026-01-01T00:05:00.000Z';

function conversation(state: ConversationState): Conversation {
  return {
    id: 'c1',
    contactId: 'p1',
    channel: 'test',
    state,
    address: {},
    queueId: 'q1',
    agentId: state === 'assigned' || state === 'wrapping' ? 'a1' : null,
    caseId: null,
    language: null,
    wrapUpNote: null,
    queuedAt: null,
    assignedAt: null,
    firstAgentReplyAt: null,
    closedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

describe('conversation state machine', () => {
  it('walks the happy path bot → queued → assigned → wrapping → closed', () => {
    let c = conversation('bot');
    for (const state of ['queued', 'assigned', 'wrapping', 'closed'] as const) {
      c = transition(c, state, later);
      expect(c.state).toBe(state);
    }
    expect(c.closedAt).toBe(later);
  });

  it('records when a conversation was queued and assigned', () => {
    const queued = transition(conversation('bot'), 'queued', later);
    expect(queued.queuedAt).toBe(later);
    expect(transition(queued, 'assigned', later).assignedAt).toBe(later);
  });

  it('a transfer back to a queue clears the agent', () => {
    const requeued = transition(conversation('assigned'), 'queued', later);
    expect(requeued.agentId).toBeNull();
    expect(requeued.state).toBe('queued');
  });

  it.each([
    ['bot', 'assigned'],
    ['bot', 'wrapping'],
    ['queued', 'wrapping'],
    ['wrapping', 'assigned'],
    ['wrapping', 'queued'],
    ['closed', 'bot'],
    ['closed', 'queued'],
    ['closed', 'assigned'],
  ] as const)('rejects %s → %s with a conflict', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = (() => {
      try {
        transition(conversation(from), to, later);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
    expect((error as DomainError).message).toContain(`from ${from} to ${to}`);
  });
});
