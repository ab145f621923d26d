/**
 * Search across conversations (message text), cases (subject, fields, internal notes), contacts (names,
 * channel identities such as Discord ids and phone numbers) and knowledge-base articles, served by the
 * database's own full-text engine (SQLite FTS5, PostgreSQL tsvector). The index is written with every
 * change of those rows, and its entries go with the rows they index.
 */

export const searchKinds = ['conversation', 'case', 'contact', 'article'] as const;
export type SearchKind = (typeof searchKinds)[number];

/** Which part of the result the words were found in. */
export type SearchSource = 'message' | 'case' | 'note' | 'contact' | 'article';

export interface SearchQuery {
  /** Normalised words (see `searchTerms`); every one must match, each as a word prefix. */
  terms: string[];
  kinds: readonly SearchKind[];
  /**
   * Filters. A kind that has no such attribute is left out when the filter is set: contacts have a channel
   * (their identities) but no state, queue or agent; articles have only the date. Cases take channel and
   * queue from the conversations linked to them, state from their status and agent from their assignee.
   */
  channel?: string;
  states?: readonly string[];
  queueId?: string;
  agentId?: string;
  /** ISO-8601 bounds on when the matched text was written: `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /**
   * Set for an agent who is neither supervisor nor admin: conversations only when assigned to this agent,
   * waiting in a queue, or offered to them — the rule of the conversation routes. Cases, contacts and
   * articles are team work and shown to every agent.
   */
  restrictConversationsTo?: string;
  /** The most results per kind. */
  limit: number;
}

export interface SearchHit {
  kind: SearchKind;
  /** The conversation's, case's, contact's or article's id. */
  id: string;
  source: SearchSource;
  /** The id of the message, note, case, contact or article whose text matched. */
  sourceId: string;
  /** A heading for the result: the contact's name, the case's subject, the article's title. */
  title: string;
  /** The matched text as written (not normalised), cut to a few hundred characters. */
  excerpt: string;
  /** Where in `excerpt` the words the query matched are (UTF-16 offsets, `end` exclusive), for marking them. */
  highlights: Array<{ start: number; end: number }>;
  /** When the matched text was written. */
  at: string;
  channel?: string;
  state?: string;
  caseNumber?: number;
}

export interface SearchRepository {
  /** Best first within each kind; one hit per conversation, case, contact or article. */
  search(query: SearchQuery): Promise<SearchHit[]>;
}
