/** A message as the web-chat endpoints show it to the visitor (src/channels/webchat). */
export interface VisitorMessage {
  id: string;
  authorKind: 'contact' | 'bot' | 'agent' | 'system';
  authorName: string | null;
  text: string;
  /** Older servers sent none. */
  attachments?: { url: string; name: string }[];
  articles: { id: string; title: string; url: string }[];
  actions: { id: string; label: string }[];
  /** On the visitor's own messages: the id the widget sent it with. */
  clientMessageId?: string;
  /** The optimistic copy shown while the message is on its way; replaced by the stored one. */
  local?: boolean;
  createdAt: string;
}

/**
 * Adds messages from the server to the list, each once (by id), and replaces the optimistic copy of a
 * visitor's message with the stored one (by the client id it was sent with) instead of showing both.
 */
export function mergeMessages(list: VisitorMessage[], incoming: VisitorMessage[]): VisitorMessage[] {
  const arrived = new Set(incoming.flatMap((m) => (m.clientMessageId ? [m.clientMessageId] : [])));
  const kept = list.filter((m) => !(m.local && m.clientMessageId && arrived.has(m.clientMessageId)));
  const known = new Set(kept.map((m) => m.id));
  const fresh: VisitorMessage[] = [];
  for (const m of incoming) {
    if (known.has(m.id)) continue;
    known.add(m.id);
    fresh.push(m);
  }
  return fresh.length === 0 && kept.length === list.length ? list : [...kept, ...fresh];
}
