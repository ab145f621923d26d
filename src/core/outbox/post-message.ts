import { newId } from '../ids.ts';
import type {
  Attachment,
  AuthorKind,
  Conversation,
  Message,
  MessageAction,
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
  const message: Message = {
    id: newId(),
    conversationId: conversation.id,
    authorKind: input.authorKind,
    authorId: input.authorId ?? null,
    text: input.text,
    attachments: input.attachments ?? [],
    articles: input.articles ?? [],
    externalId: null,
    createdAt: at,
  };
  await tx.messages.insert(message, conversation.channel);
  await tx.outbox.add({
    conversationId: conversation.id,
    channel: conversation.channel,
    message: {
      conversationId: conversation.id,
      channel: conversation.channel,
      address: conversation.address,
      authorKind: input.authorKind,
      authorName: input.authorName ?? null,
      text: input.text,
      attachments: message.attachments,
      articles: message.articles,
      actions: input.actions ?? [],
      messageId: message.id,
    },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    lastError: null,
    externalId: null,
    createdAt: at,
    sentAt: null,
  });
  emit({ type: 'message.created', message, conversation });
  emit({ type: 'outbox.enqueued', conversationId: conversation.id });
  return message;
}
