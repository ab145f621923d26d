import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type {
  SearchHit,
  SearchKind,
  SearchQuery,
  SearchRepository,
} from '../core/ports/search-repository.ts';
import { matchedRanges } from '../core/search/search-text.ts';
import { type Database, engineOf } from './database.ts';
import type { DbScope } from './db-scope.ts';

/**
 * Full-text search over `search_entries` (0025) with the engine's own index: FTS5 `MATCH` with bm25 on
 * SQLite, `@@ to_tsquery('english', …)` with ts_rank on PostgreSQL. Only the match and its score differ
 * by engine; joins, filters and the visibility rule are one query code path.
 */

/** A hit before the matched words of its excerpt are marked. */
type UnmarkedHit = Omit<SearchHit, 'highlights'>;

/** Entries read per kind for each result asked: several messages of one conversation may match. */
const entriesPerResult = 4;
const excerptLength = 240;

type Matcher = {
  /** Joins the match to `e` and returns the score expression (higher is better). */
  // biome-ignore lint/suspicious/noExplicitAny: the query builders of the four kinds differ in their joined tables
  apply<Q extends { innerJoin: any; where: any }>(query: Q): Q;
  score: RawBuilder<number>;
};

function matcher(db: Kysely<Database>, terms: readonly string[]): Matcher {
  if (engineOf(db) === 'postgres') {
    // Terms are letters and digits only (`searchTerms`), so they are safe inside a tsquery.
    const query = sql`to_tsquery('english', ${terms.map((t) => `${t}:*`).join(' & ')})`;
    return {
      apply: (q) => q.where(sql<SqlBool>`e.tsv @@ ${query}`),
      score: sql<number>`ts_rank(e.tsv, ${query})`,
    };
  }
  const match = terms.map((t) => `"${t}"*`).join(' ');
  const fts = sql<{
    rowid: number;
    rank: number;
  }>`(select rowid, rank from search_fts where search_fts match ${match})`;
  return {
    apply: (q) =>
      q.innerJoin(fts.as('f'), (join: { onRef: (a: string, op: '=', b: string) => unknown }) =>
        join.onRef('f.rowid', '=', 'e.id'),
      ),
    score: sql<number>`-f.rank`,
  };
}

/** A few hundred characters of `text` around its first word that matches a term. */
export function excerptOf(text: string, terms: readonly string[]): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= excerptLength) return flat;
  const at = matchedRanges(flat, terms)[0]?.start ?? 0;
  const start = Math.max(0, Math.min(at - 60, flat.length - excerptLength));
  const cut = flat.slice(start, start + excerptLength);
  return `${start > 0 ? '…' : ''}${cut}${start + excerptLength < flat.length ? '…' : ''}`;
}

function noteText(data: string | null): string {
  try {
    const parsed = JSON.parse(data ?? '{}') as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : '';
  } catch {
    return '';
  }
}

/** Best entry per result, results in the order of their best entry. */
function firstPerTarget<T extends { target_id: string }>(rows: T[], limit: number): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const row of rows) {
    if (seen.has(row.target_id)) continue;
    seen.add(row.target_id);
    kept.push(row);
    if (kept.length === limit) break;
  }
  return kept;
}

export class KyselySearchRepository implements SearchRepository {
  constructor(private readonly scope: DbScope) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0 || query.limit <= 0) return [];
    const hits: SearchHit[] = [];
    for (const kind of query.kinds) {
      if (!applies(kind, query)) continue;
      for (const hit of await this.#searchKind(kind, query))
        hits.push({ ...hit, highlights: matchedRanges(hit.excerpt, query.terms) });
    }
    return hits;
  }

  #searchKind(kind: SearchKind, query: SearchQuery): Promise<UnmarkedHit[]> {
    switch (kind) {
      case 'conversation':
        return this.#conversations(query);
      case 'case':
        return this.#cases(query);
      case 'contact':
        return this.#contacts(query);
      case 'article':
        return this.#articles(query);
    }
  }

  #entries(kind: SearchKind, query: SearchQuery) {
    const db = this.scope.db;
    const m = matcher(db, query.terms);
    let q = db.selectFrom('search_entries as e').where('e.kind', '=', kind);
    q = m.apply(q);
    if (query.from !== undefined) q = q.where('e.at', '>=', query.from);
    if (query.to !== undefined) q = q.where('e.at', '<', query.to);
    return { q, score: m.score, limit: query.limit * entriesPerResult };
  }

  async #conversations(query: SearchQuery): Promise<UnmarkedHit[]> {
    const { q, score, limit } = this.#entries('conversation', query);
    let rows = q
      .innerJoin('conversations as c', 'c.id', 'e.target_id')
      .innerJoin('messages as m', 'm.id', 'e.source_id')
      .leftJoin('contacts as ct', 'ct.id', 'c.contact_id')
      .select(['e.target_id', 'e.source', 'e.source_id', 'e.at', 'm.text', 'c.channel', 'c.state', 'ct.name'])
      .select(score.as('score'));
    if (query.channel !== undefined) rows = rows.where('c.channel', '=', query.channel);
    if (query.states !== undefined) rows = rows.where('c.state', 'in', query.states);
    if (query.queueId !== undefined) rows = rows.where('c.queue_id', '=', query.queueId);
    if (query.agentId !== undefined) rows = rows.where('c.agent_id', '=', query.agentId);
    const me = query.restrictConversationsTo;
    if (me !== undefined)
      rows = rows.where((eb) =>
        eb.or([
          eb('c.agent_id', '=', me),
          eb('c.state', '=', 'queued'),
          eb.exists(
            eb
              .selectFrom('reservations as r')
              .select('r.id')
              .whereRef('r.conversation_id', '=', 'c.id')
              .where('r.agent_id', '=', me)
              .where('r.status', '=', 'pending'),
          ),
        ]),
      );
    const found = await rows.orderBy('score', 'desc').orderBy('e.at', 'desc').limit(limit).execute();
    return firstPerTarget(found, query.limit).map((r) => ({
      kind: 'conversation',
      id: r.target_id,
      source: 'message',
      sourceId: r.source_id,
      title: r.name ?? '',
      excerpt: excerptOf(r.text, query.terms),
      at: r.at,
      channel: r.channel,
      state: r.state,
    }));
  }

  async #cases(query: SearchQuery): Promise<UnmarkedHit[]> {
    const { q, score, limit } = this.#entries('case', query);
    let rows = q
      .innerJoin('cases as k', 'k.id', 'e.target_id')
      .leftJoin('case_timeline as t', 't.id', 'e.source_id')
      .select([
        'e.target_id',
        'e.source',
        'e.source_id',
        'e.at',
        'k.subject',
        'k.number',
        'k.status',
        't.data',
      ])
      .select(score.as('score'));
    if (query.states !== undefined) rows = rows.where('k.status', 'in', query.states);
    if (query.agentId !== undefined) rows = rows.where('k.assignee_id', '=', query.agentId);
    const { channel, queueId } = query;
    if (channel !== undefined || queueId !== undefined)
      rows = rows.where((eb) =>
        eb.exists(
          eb
            .selectFrom('conversations as cv')
            .select('cv.id')
            .whereRef('cv.case_id', '=', 'k.id')
            .$if(channel !== undefined, (s) => s.where('cv.channel', '=', channel as string))
            .$if(queueId !== undefined, (s) => s.where('cv.queue_id', '=', queueId as string)),
        ),
      );
    const found = await rows.orderBy('score', 'desc').orderBy('e.at', 'desc').limit(limit).execute();
    return firstPerTarget(found, query.limit).map((r) => ({
      kind: 'case',
      id: r.target_id,
      source: r.source === 'note' ? 'note' : 'case',
      sourceId: r.source_id,
      title: r.subject,
      excerpt: excerptOf(r.source === 'note' ? noteText(r.data) : r.subject, query.terms),
      at: r.at,
      state: r.status,
      caseNumber: Number(r.number),
    }));
  }

  async #contacts(query: SearchQuery): Promise<UnmarkedHit[]> {
    const { q, score, limit } = this.#entries('contact', query);
    let rows = q
      .innerJoin('contacts as ct', 'ct.id', 'e.target_id')
      .select(['e.target_id', 'e.source_id', 'e.at', 'ct.name'])
      .select(score.as('score'));
    const channel = query.channel;
    if (channel !== undefined)
      rows = rows.where((eb) =>
        eb.exists(
          eb
            .selectFrom('contact_identities as i')
            .select('i.contact_id')
            .whereRef('i.contact_id', '=', 'ct.id')
            .where('i.channel', '=', channel),
        ),
      );
    const found = firstPerTarget(
      await rows.orderBy('score', 'desc').orderBy('e.at', 'desc').limit(limit).execute(),
      query.limit,
    );
    if (found.length === 0) return [];
    const identities = await this.scope.db
      .selectFrom('contact_identities')
      .select(['contact_id', 'channel', 'external_id'])
      .where(
        'contact_id',
        'in',
        found.map((r) => r.target_id),
      )
      .orderBy('position')
      .execute();
    return found.map((r) => {
      const mine = identities.filter((i) => i.contact_id === r.target_id);
      return {
        kind: 'contact',
        id: r.target_id,
        source: 'contact',
        sourceId: r.source_id,
        title: r.name,
        excerpt: mine.map((i) => `${i.channel}: ${i.external_id}`).join(' · '),
        at: r.at,
        ...(mine[0] ? { channel: mine[0].channel } : {}),
      };
    });
  }

  async #articles(query: SearchQuery): Promise<UnmarkedHit[]> {
    const { q, score, limit } = this.#entries('article', query);
    const found = await q
      .innerJoin('articles as a', 'a.id', 'e.target_id')
      .select(['e.target_id', 'e.source_id', 'e.at', 'a.title', 'a.body', 'a.published'])
      .select(score.as('score'))
      .orderBy('score', 'desc')
      .orderBy('e.at', 'desc')
      .limit(limit)
      .execute();
    return firstPerTarget(found, query.limit).map((r) => ({
      kind: 'article',
      id: r.target_id,
      source: 'article',
      sourceId: r.source_id,
      title: r.title,
      excerpt: excerptOf(r.body, query.terms),
      at: r.at,
      state: Number(r.published) === 1 ? 'published' : 'draft',
    }));
  }
}

/** Whether a kind can meet the filters set (see `SearchQuery`). */
function applies(kind: SearchKind, query: SearchQuery): boolean {
  const { channel, states, queueId, agentId } = query;
  switch (kind) {
    case 'conversation':
    case 'case':
      return true;
    case 'contact':
      return states === undefined && queueId === undefined && agentId === undefined;
    case 'article':
      return channel === undefined && states === undefined && queueId === undefined && agentId === undefined;
  }
}
