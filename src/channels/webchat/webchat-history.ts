import type { Attachment, Message, MessageAction, SuggestedArticle } from '../../core/model.ts';
import type { Store } from '../../core/ports/repositories.ts';

/** A message as the visitor sees it: no internal ids of agents or contacts. */
export interface VisitorMessage {
  id: string;
  conversationId: string;
  authorKind: Message['authorKind'];
  authorName: string | null;
  text: string;
  attachments: Attachment[];
  /** Each suggested article once: its title, link and the passage that answers (steps included). */
  articles: Pick<SuggestedArticle, 'id' | 'title' | 'url' | 'excerpt'>[];
  actions: MessageAction[];
  /**
   * On the visitor's own messages, the id the widget gave it when sending, so that the widget replaces
   * its optimistic copy with the stored message instead of showing both.
   */
  clientMessageId?: string;
  createdAt: string;
}

/** Where the connector reads a visitor's earlier messages from, to resume a chat after a reload. */
export interface WebchatHistory {
  /** The visitor's recent messages, oldest first; empty for an unknown visitor. */
  messagesOf(visitorId: string): Promise<VisitorMessage[]>;
  /** Whether the visitor's open conversation is with a person (waiting for one, or with one). */
  withPerson(visitorId: string): Promise<boolean>;
}

const withAPerson = new Set(['queued', 'assigned', 'wrapping']);

/**
 * History read from the store: the visitor's last few conversations on the web-chat channel, each message
 * with the buttons it was sent with (kept on its outbox item, so every instance shows the same).
 */
export function storeWebchatHistory(
  store: Pick<Store, 'contacts' | 'conversations' | 'messages' | 'agents' | 'outbox'>,
  options: { conversations?: number; messages?: number } = {},
): WebchatHistory {
  const maxConversations = options.conversations ?? 3;
  const maxMessages = options.messages ?? 200;
  return {
    async messagesOf(visitorId) {
      const contact = await store.contacts.findByIdentity('webchat', visitorId);
      if (!contact) return [];
      const conversations = await store.conversations.list({
        contactId: contact.id,
        channel: 'webchat',
        limit: maxConversations,
      });
      const names = new Map<string, string>();
      const out: VisitorMessage[] = [];
      for (const conversation of [...conversations].reverse()) {
        const actions = new Map<string, MessageAction[]>();
        for (const item of await store.outbox.listByConversation(conversation.id))
          if (item.message.messageId && item.message.actions.length > 0)
            actions.set(item.message.messageId, item.message.actions);
        for (const m of await store.messages.listByConversation(conversation.id)) {
          let authorName: string | null = null;
          if (m.authorKind === 'agent' && m.authorId) {
            if (!names.has(m.authorId))
              names.set(m.authorId, (await store.agents.get(m.authorId))?.name ?? 'Agent');
            authorName = names.get(m.authorId) ?? null;
          }
          out.push(toVisitorMessage(m, authorName, actions.get(m.id) ?? [], visitorId));
        }
      }
      return out.slice(-maxMessages);
    },
    async withPerson(visitorId) {
      const contact = await store.contacts.findByIdentity('webchat', visitorId);
      if (!contact) return false;
      const open = await store.conversations.findOpen(contact.id, 'webchat');
      return open !== undefined && open !== null && withAPerson.has(open.state);
    },
  };
}

/** The external id the connector gives a visitor's message: `<visitorId>:<clientMessageId>`. */
export const visitorMessageExternalId = (visitorId: string, clientMessageId: string): string =>
  `${visitorId}:${clientMessageId}`;

export function toVisitorMessage(
  m: Message,
  authorName: string | null,
  actions: MessageAction[],
  visitorId?: string,
): VisitorMessage {
  const prefix = visitorId ? `${visitorId}:` : null;
  const clientMessageId =
    m.authorKind === 'contact' && prefix && m.externalId?.startsWith(prefix)
      ? m.externalId.slice(prefix.length)
      : undefined;
  return {
    id: m.id,
    conversationId: m.conversationId,
    authorKind: m.authorKind,
    authorName,
    text: m.text,
    attachments: m.attachments.map((a) => ({ ...a })),
    articles: m.articles.map(({ id, title, url, excerpt }) => ({ id, title, url, excerpt })),
    actions,
    ...(clientMessageId ? { clientMessageId } : {}),
    createdAt: m.createdAt,
  };
}
