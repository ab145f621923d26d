import { newId } from '../ids.ts';
import type {
  Attachment,
  AuthorKind,
  Conversation,
  MemberTranscript,
  Message,
  MessageAction,
  OutboundMessage,
  OutboxItem,
  SuggestedArticle,
} from '../model.ts';
import type { Repositories } from '../ports/repositories.ts';
import type { Emit } from '../unit-of-work.ts';

export interface PostMessageInput {
  authorKind: Exclude<AuthorKind, 'contact'>;
  authorId?: string | null;
  authorName?: string | null;
  text: string;
  attachments?: Attachment[];
  articles?: SuggestedArticle[];
  actions?: MessageAction[];
  /**
   * Makes the message once-only: a second post with the same key (say, a reply to one inbound message
   * that two instances or a catch-up both handle) stores and sends nothing. Kept as the message's
   * external id, so it must not look like a channel's own message id.
   */
  onceKey?: string;
  /**
   * The member's transcript (sent at close): the channel is given the whole transcript as `text` and
   * `file`, while the conversation keeps only the message's own `text`.
   */
  transcript?: { text: string; file: MemberTranscript };
}

/**
 * Stores a message to the contact and its outbox item in the caller's transaction, so that the state
 * change that caused it and its delivery are committed together or not at all.
 */
export async function postMessage(
  tx: Repositories,
  emit: Emit,
  conversation: Conversation,
  input: PostMessageInput,
  at: string,
): Promise<Message> {
  const message = await postMessageOnce(tx, emit, conversation, input, at);
  if (!message) throw new Error(`message ${input.onceKey} was already posted`);
  return message;
}

/** `postMessage` that returns null, storing and sending nothing, when `input.onceKey` was posted before. */
export async function postMessageOnce(
  tx: Repositories,
  emit: Emit,
  conversation: Conversation,
  input: PostMessageInput,
  at: string,
): Promise<Message | null> {
  const message: Message = {
    id: newId(),
    conversationId: conversation.id,
    authorKind: input.authorKind,
    authorId: input.authorId ?? null,
    text: input.text,
    attachments: input.attachments ?? [],
    articles: input.articles ?? [],
    externalId: input.onceKey ?? null,
    createdAt: at,
  };
  if (!(await tx.messages.insert(message, conversation.channel))) return null;
  await tx.outbox.add(
    newOutboxItem(
      { conversationId: conversation.id, channel: conversation.channel, at },
      {
        conversationId: conversation.id,
        channel: conversation.channel,
        address: conversation.address,
        authorKind: input.authorKind,
        authorName: input.authorName ?? null,
        text: input.transcript?.text ?? input.text,
        attachments: message.attachments,
        articles: message.articles,
        actions: input.actions ?? [],
        messageId: message.id,
        ...(input.transcript ? { transcript: input.transcript.file } : {}),
      },
    ),
  );
  emit({ type: 'message.created', message, conversation });
  emit({ type: 'outbox.enqueued', conversationId: conversation.id });
  return message;
}

/** Where an outbox item goes and when it was written; a notice names its contact instead of a conversation. */
export interface OutboxItemPlace {
  conversationId: string | null;
  contactId?: string;
  channel: OutboxItem['channel'];
  lane?: string;
  at: string;
}

/** A new outbox item of `message`, due at once: what every writer of the outbox adds. */
export function newOutboxItem(place: OutboxItemPlace, message: OutboundMessage): Omit<OutboxItem, 'seq'> {
  const { at, ...where } = place;
  return {
    ...where,
    message,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    lastError: null,
    externalId: null,
    createdAt: at,
    sentAt: null,
  };
}

/**
 * A conversation of a thread (a forum post) changed without a message there (closed from the desktop
 * before an agent had it): the connector is asked, in order after the conversation's messages, to show its state in the
 * thread. Nothing when the conversation lives in no thread.
 */
export async function refreshThreadIn(
  tx: Repositories,
  emit: Emit,
  conversation: Conversation,
  at: string,
): Promise<void> {
  if (!conversation.thread) return;
  await tx.outbox.add(
    newOutboxItem(
      { conversationId: conversation.id, channel: conversation.channel, at },
      {
        conversationId: conversation.id,
        channel: conversation.channel,
        address: conversation.address,
        authorKind: 'system',
        authorName: null,
        text: '',
        attachments: [],
        articles: [],
        actions: [],
        messageId: null,
        threadRefresh: true,
      },
    ),
  );
  emit({ type: 'outbox.enqueued', conversationId: conversation.id });
}
