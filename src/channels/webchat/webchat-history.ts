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
  articles: Pick<SuggestedArticle, 'id' | 'title' | 'url'>[];
  actions: MessageAction[];
  createdAt: string;
}

/** Where the connector reads a visitor's earlier messages from, to resume a chat after a reload. */
export interface WebchatHistory {
  /** The visitor's recent messages, oldest first; empty for an unknown visitor. */
  messagesOf(visitorId: string): Promise<VisitorMessage[]>;
}

/** History read from the store: the visitor's last few conversations on the web-chat channel. */
export function storeWebchatHistory(
  store: Pick<Store, 'contacts' | 'conversations' | 'messages' | 'agents'>,
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
        for (const m of await store.messages.listByConversation(conversation.id)) {
          let authorName: string | null = null;
          if (m.authorKind === 'agent' && m.authorId) {
            if (!names.has(m.authorId))
              names.set(m.authorId, (await store.agents.get(m.authorId))?.name ?? 'Agent');
            authorName = names.get(m.authorId) ?? null;
          }
          out.push(toVisitorMessage(m, authorName, []));
        }
      }
      return out.slice(-maxMessages);
    },
  };
}

export function toVisitorMessage(
  m: Message,
  authorName: string | null,
  actions: MessageAction[],
): VisitorMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    authorKind: m.authorKind,
    authorName,
    text: m.text,
    attachments: m.attachments.map((a) => ({ ...a })),
    articles: m.articles.map(({ id, title, url }) => ({ id, title, url })),
    actions,
    createdAt: m.createdAt,
  };
}
