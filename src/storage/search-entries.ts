import type { Generated, Kysely } from 'kysely';
import type { Article, Case, Contact, Message, TimelineEntry } from '../core/model.ts';
import type { SearchKind, SearchSource } from '../core/ports/search-repository.ts';
import { phoneDigits, searchText } from '../core/search/search-text.ts';
import type { Database } from './database.ts';

/**
 * The search index's rows (0025): one per message, case, internal note, contact and article, holding the
 * normalised text (`searchText`) that the engine's full-text index covers (an FTS5 table on SQLite, a
 * generated tsvector with a GIN index on PostgreSQL). The repositories write them in the same transaction
 * as the row they index; triggers delete them with that row, whatever code deletes it.
 */
export interface SearchEntryTable {
  id: Generated<number | string>;
  source: SearchSource;
  source_id: string;
  kind: SearchKind;
  target_id: string;
  text: string;
  at: string;
}

export interface SearchEntry {
  source: SearchSource;
  sourceId: string;
  kind: SearchKind;
  targetId: string;
  text: string;
  at: string;
}

/** Messages from the contact, agents and the bot; system lines ("agent joined") are not worth finding. */
export function messageEntry(
  message: Pick<Message, 'id' | 'conversationId' | 'authorKind' | 'text' | 'createdAt'>,
): SearchEntry {
  return {
    source: 'message',
    sourceId: message.id,
    kind: 'conversation',
    targetId: message.conversationId,
    text: message.authorKind === 'system' ? '' : searchText(message.text),
    at: message.createdAt,
  };
}

/** Subject, tags and field values (not field names); the number is matched by the query itself. */
export function caseEntry(
  kase: Pick<Case, 'id' | 'number' | 'subject' | 'fields' | 'tags' | 'createdAt'>,
): SearchEntry {
  const values = Object.values(kase.fields).filter((v): v is string => typeof v === 'string');
  return {
    source: 'case',
    sourceId: kase.id,
    kind: 'case',
    targetId: kase.id,
    text: searchText(kase.subject, ...kase.tags, ...values),
    at: kase.createdAt,
  };
}

export function noteEntry(entry: TimelineEntry): SearchEntry | undefined {
  if (entry.type !== 'note' || typeof entry.data.text !== 'string') return undefined;
  return {
    source: 'note',
    sourceId: entry.id,
    kind: 'case',
    targetId: entry.caseId,
    text: searchText(entry.data.text),
    at: entry.at,
  };
}

/** The name and every identity (Discord id, phone number, visitor id); phone numbers also as bare digits. */
export function contactEntry(
  contact: Pick<Contact, 'id' | 'name' | 'identities' | 'createdAt'>,
): SearchEntry {
  const identities = contact.identities.flatMap((i) => [i.externalId, phoneDigits(i.externalId)]);
  return {
    source: 'contact',
    sourceId: contact.id,
    kind: 'contact',
    targetId: contact.id,
    text: searchText(contact.name, ...identities),
    at: contact.createdAt,
  };
}

export function articleEntry(
  article: Pick<Article, 'id' | 'title' | 'body' | 'tags' | 'examples' | 'updatedAt'>,
): SearchEntry {
  return {
    source: 'article',
    sourceId: article.id,
    kind: 'article',
    targetId: article.id,
    text: searchText(article.title, ...article.tags, article.body, ...article.examples),
    at: article.updatedAt,
  };
}

/** Stores or replaces entries; an entry with no words removes the one stored for its row. */
export async function writeSearchEntries(
  db: Kysely<Database>,
  entries: readonly SearchEntry[],
): Promise<void> {
  const kept = entries.filter((e) => e.text.length > 0);
  for (const e of entries.filter((e) => e.text.length === 0))
    await db
      .deleteFrom('search_entries')
      .where('source', '=', e.source)
      .where('source_id', '=', e.sourceId)
      .execute();
  if (kept.length === 0) return;
  await db
    .insertInto('search_entries')
    .values(
      kept.map((e) => ({
        source: e.source,
        source_id: e.sourceId,
        kind: e.kind,
        target_id: e.targetId,
        text: e.text,
        at: e.at,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['source', 'source_id']).doUpdateSet((eb) => ({
        text: eb.ref('excluded.text'),
        at: eb.ref('excluded.at'),
        target_id: eb.ref('excluded.target_id'),
      })),
    )
    .execute();
}
