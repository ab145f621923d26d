import { notFound } from '../errors.ts';
import type {
  Attachment,
  AuthorKind,
  Case,
  Conversation,
  SuggestedArticle,
  TimelineEntry,
} from '../model.ts';
import type { Repositories } from '../ports/repositories.ts';

/** Something that happened to the conversation itself, placed among its messages by time. */
export const transcriptEventTypes = ['created', 'queued', 'assigned', 'first_agent_reply', 'closed'] as const;
export type TranscriptEventType = (typeof transcriptEventTypes)[number];

export type TranscriptEntry =
  | {
      type: 'message';
      id: string;
      at: string;
      authorKind: AuthorKind;
      /** The agent's or contact's name; the bot and the system are named by their kind. */
      authorName: string;
      text: string;
      attachments: Attachment[];
      /** Articles the virtual agent suggested with this message. */
      articles: SuggestedArticle[];
    }
  | { type: 'event'; event: TranscriptEventType; at: string; text: string };

/**
 * A conversation as a person reads it afterwards: who, where, its case with the case's timeline, and every
 * message and lifecycle event in time order. The HTML and JSON downloads are made from this.
 */
export interface Transcript {
  conversation: Pick<
    Conversation,
    'id' | 'channel' | 'state' | 'language' | 'wrapUpNote' | 'createdAt' | 'closedAt'
  >;
  contact: { id: string; name: string } | null;
  queue: { id: string; name: string } | null;
  agent: { id: string; name: string } | null;
  case: Pick<Case, 'id' | 'number' | 'kind' | 'status' | 'priority' | 'subject' | 'tags' | 'rating'> | null;
  caseTimeline: TimelineEntry[];
  entries: TranscriptEntry[];
  generatedAt: string;
}

const eventTexts: Record<TranscriptEventType, string> = {
  created: 'Conversation started',
  queued: 'Waiting in the queue',
  assigned: 'An agent joined',
  first_agent_reply: 'First agent reply',
  closed: 'Conversation closed',
};

/** Reads the conversation and everything the transcript shows of it; `not_found` for an unknown id. */
export async function buildTranscript(repos: Repositories, id: string, now: Date): Promise<Transcript> {
  const conversation = await repos.conversations.get(id);
  if (!conversation) throw notFound('conversation', id);
  const [messages, contact, queue, kase, agents] = await Promise.all([
    repos.messages.listByConversation(id),
    repos.contacts.get(conversation.contactId),
    conversation.queueId ? repos.queues.get(conversation.queueId) : undefined,
    conversation.caseId ? repos.cases.get(conversation.caseId) : undefined,
    repos.agents.list(),
  ]);
  const caseTimeline = kase ? await repos.cases.listTimeline(kase.id) : [];
  const agentNames = new Map(agents.map((a) => [a.id, a.name]));
  const authorName = (kind: AuthorKind, authorId: string | null): string => {
    if (kind === 'agent') return (authorId && agentNames.get(authorId)) || 'Agent';
    if (kind === 'contact') return contact?.name || 'Contact';
    return kind === 'bot' ? 'Bot' : 'System';
  };

  const entries: TranscriptEntry[] = messages.map((m) => ({
    type: 'message',
    id: m.id,
    at: m.createdAt,
    authorKind: m.authorKind,
    authorName: authorName(m.authorKind, m.authorId),
    text: m.text,
    attachments: m.attachments,
    articles: m.articles,
  }));
  const events: [TranscriptEventType, string | null][] = [
    ['created', conversation.createdAt],
    ['queued', conversation.queuedAt],
    ['assigned', conversation.assignedAt],
    ['first_agent_reply', conversation.firstAgentReplyAt],
    ['closed', conversation.closedAt],
  ];
  for (const [event, at] of events) {
    if (at === null) continue;
    const agentName = conversation.agentId ? agentNames.get(conversation.agentId) : undefined;
    const text = event === 'assigned' && agentName ? `${agentName} joined` : eventTexts[event];
    entries.push({ type: 'event', event, at, text });
  }
  // Stable: at the same instant an event comes before the message it led to, in the order listed.
  const order = (e: TranscriptEntry) => (e.type === 'event' ? 0 : 1);
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : order(a) - order(b)));

  const agentId = conversation.agentId;
  return {
    conversation: {
      id: conversation.id,
      channel: conversation.channel,
      state: conversation.state,
      language: conversation.language,
      wrapUpNote: conversation.wrapUpNote,
      createdAt: conversation.createdAt,
      closedAt: conversation.closedAt,
    },
    contact: contact ? { id: contact.id, name: contact.name } : null,
    queue: queue ? { id: queue.id, name: queue.name } : null,
    agent: agentId ? { id: agentId, name: agentNames.get(agentId) ?? 'Agent' } : null,
    case: kase
      ? {
          id: kase.id,
          number: kase.number,
          kind: kase.kind,
          status: kase.status,
          priority: kase.priority,
          subject: kase.subject,
          tags: kase.tags,
          rating: kase.rating,
        }
      : null,
    caseTimeline,
    entries,
    generatedAt: now.toISOString(),
  };
}
