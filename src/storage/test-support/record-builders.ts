import { randomUUID } from 'node:crypto';
import type { Agent, Case, Contact, Conversation, Message } from '../../core/model.ts';

/**
 * Whole records for the storage contract suites: a fresh id each, every field a plain value, and `time`
 * as `createdAt` (and `updatedAt`). `over` sets the fields a test is about.
 */
export function recordBuilders(time: string) {
  const id = (prefix: string) => `${prefix}-${randomUUID()}`;
  return {
    contact: (over: Partial<Contact> = {}): Contact => ({
      id: id('contact'),
      name: 'Layla',
      avatarUrl: null,
      locale: null,
      identities: [],
      createdAt: time,
      ...over,
    }),
    conversation: (contactId: string, over: Partial<Conversation> = {}): Conversation => ({
      id: id('conv'),
      contactId,
      channel: 'discord',
      state: 'bot',
      address: {},
      queueId: null,
      agentId: null,
      caseId: null,
      language: null,
      wrapUpNote: null,
      queuedAt: null,
      assignedAt: null,
      firstAgentReplyAt: null,
      closedAt: null,
      createdAt: time,
      updatedAt: time,
      ...over,
    }),
    message: (conversationId: string, over: Partial<Message> = {}): Message => ({
      id: id('msg'),
      conversationId,
      authorKind: 'contact',
      authorId: null,
      text: 'hello',
      attachments: [],
      articles: [],
      externalId: null,
      createdAt: time,
      ...over,
    }),
    case: (number: number, over: Partial<Case> = {}): Case => ({
      id: id('case'),
      number,
      kind: 'support',
      status: 'new',
      priority: 'normal',
      subject: 'Cannot log in',
      contactId: null,
      assigneeId: null,
      tags: [],
      fields: {},
      rating: null,
      votes: 0,
      openedBy: null,
      postUrl: null,
      createdAt: time,
      updatedAt: time,
      ...over,
    }),
    agent: (over: Partial<Agent> = {}): Agent => {
      const agentId = id('agent');
      return {
        id: agentId,
        email: `${agentId}@example.com`,
        name: 'Sam',
        role: 'agent',
        skills: [],
        capacity: 3,
        presence: 'offline',
        idleSince: time,
        passwordHash: null,
        status: 'active',
        createdAt: time,
        ...over,
      };
    },
  };
}
