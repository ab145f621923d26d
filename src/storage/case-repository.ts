import { type Kysely, type Selectable, sql } from 'kysely';
import { notFound } from '../core/errors.ts';
import type {
  Actor,
  Case,
  CaseFields,
  CaseKind,
  CaseOpenerKind,
  CasePriority,
  CaseStatus,
  TimelineEntry,
  TimelineEntryType,
} from '../core/model.ts';
import type { CaseFilter, CaseRepository } from '../core/ports/repositories.ts';
import type { CaseTable, CaseTimelineTable, Database } from './database.ts';
import {
  assertUpdated,
  atomically,
  type DbScope,
  fromJson,
  likeEscape,
  noLimit,
  toJson,
} from './db-scope.ts';
import { caseEntry, noteEntry, writeSearchEntries } from './search-entries.ts';

/** What `CaseFilter.text` searches: subject and field values (not field names), lower-cased once here. */
const searchText = (kase: Case): string =>
  [kase.subject, ...Object.values(kase.fields).filter((v): v is string => typeof v === 'string')]
    .join('\n')
    .toLowerCase();

const toRow = (c: Case): Omit<Selectable<CaseTable>, 'votes'> & { votes: number } => ({
  id: c.id,
  number: c.number,
  kind: c.kind,
  status: c.status,
  priority: c.priority,
  subject: c.subject,
  contact_id: c.contactId,
  assignee_id: c.assigneeId,
  tags: toJson(c.tags),
  fields: toJson(c.fields),
  rating: c.rating,
  rating_comment: c.ratingComment ?? null,
  votes: c.votes,
  search_text: searchText(c),
  created_at: c.createdAt,
  updated_at: c.updatedAt,
  opened_by_kind: c.openedBy?.kind ?? null,
  opened_by_id: c.openedBy?.id ?? null,
  post_url: c.postUrl,
  server_id: c.server?.id ?? null,
  server_name: c.server?.name ?? null,
});

const fromRow = (r: Selectable<CaseTable>): Case => ({
  id: r.id,
  number: Number(r.number),
  kind: r.kind as CaseKind,
  status: r.status as CaseStatus,
  priority: r.priority as CasePriority,
  subject: r.subject,
  contactId: r.contact_id,
  assigneeId: r.assignee_id,
  tags: fromJson<string[]>(r.tags),
  fields: fromJson<CaseFields>(r.fields),
  rating: r.rating === null ? null : Number(r.rating),
  // Only present once the contact commented, so cases read back equal what was written.
  ...(r.rating_comment !== null ? { ratingComment: r.rating_comment } : {}),
  votes: Number(r.votes),
  openedBy: r.opened_by_kind ? { kind: r.opened_by_kind as CaseOpenerKind, id: r.opened_by_id } : null,
  postUrl: r.post_url,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  // Only present when known, so cases read back equal what was written.
  ...(r.server_id ? { server: { id: r.server_id, name: r.server_name ?? r.server_id } } : {}),
});

const timelineFromRow = (r: Selectable<CaseTimelineTable>): TimelineEntry => ({
  id: r.id,
  caseId: r.case_id,
  type: r.type as TimelineEntryType,
  actor: { kind: r.actor_kind as Actor['kind'], id: r.actor_id },
  data: fromJson<Record<string, unknown>>(r.data),
  at: r.at,
});

export class KyselyCaseRepository implements CaseRepository {
  constructor(private readonly scope: DbScope) {}

  /**
   * One `UPDATE … RETURNING` on a counter row: the row lock (PostgreSQL) or the write lock (SQLite)
   * makes it atomic across connections and processes. Inside a transaction that later rolls back,
   * the number is given back, so numbers stay gapless.
   */
  async nextNumber(): Promise<number> {
    const row = await this.scope.db
      .updateTable('counters')
      .set({ value: sql`value + 1` })
      .where('name', '=', 'case_number')
      .returning('value')
      .executeTakeFirstOrThrow(() => new Error('The case_number counter is missing; run the migrations'));
    return Number(row.value);
  }

  async create(kase: Case): Promise<void> {
    await atomically(this.scope.db, async (db) => {
      await db.insertInto('cases').values(toRow(kase)).execute();
      await writeSearchEntries(db, [caseEntry(kase)]);
    });
  }

  async update(kase: Case): Promise<void> {
    const { id, ...values } = toRow(kase);
    await atomically(this.scope.db, async (db) => {
      const result = await db.updateTable('cases').set(values).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Case', id);
      await writeSearchEntries(db, [caseEntry(kase)]);
    });
  }

  async get(id: string): Promise<Case | undefined> {
    const row = await this.scope.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async getByNumber(number: number): Promise<Case | undefined> {
    const row = await this.scope.db
      .selectFrom('cases')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(filter: CaseFilter): Promise<Case[]> {
    let query = this.scope.db.selectFrom('cases').selectAll();
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.priority !== undefined) query = query.where('priority', '=', filter.priority);
    if (filter.assigneeId !== undefined) query = query.where('assignee_id', '=', filter.assigneeId);
    if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId);
    if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
    const text = filter.text?.trim();
    if (text) {
      const pattern = `%${likeEscape(text.toLowerCase())}%`;
      const number = /^#?(\d{1,15})$/.exec(text)?.[1];
      query = query.where((eb) =>
        eb.or([
          eb('search_text', 'like', sql<string>`${pattern} escape '\\'`),
          ...(number === undefined ? [] : [eb('number', '=', Number(number))]),
        ]),
      );
    }
    const ratedSince = filter.ratedSince;
    if (ratedSince !== undefined)
      query = query.where('rating', 'is not', null).where('id', 'in', (eb) =>
        eb
          .selectFrom('case_timeline')
          .select('case_id')
          .where('type', '=', 'rating' satisfies TimelineEntryType)
          .where('at', '>=', ratedSince),
      );
    if (filter.sort === 'votes') query = query.orderBy('votes', 'desc');
    query = query.orderBy('created_at', 'desc').orderBy('number', 'desc');
    if (filter.limit !== undefined || filter.offset !== undefined)
      query = query.limit(filter.limit ?? noLimit);
    if (filter.offset !== undefined) query = query.offset(filter.offset);
    return (await query.execute()).map(fromRow);
  }

  async addTimelineEntry(entry: TimelineEntry): Promise<void> {
    const note = noteEntry(entry);
    if (note)
      return atomically(this.scope.db, async (db) => {
        await this.#insertTimelineEntry(db, entry);
        await writeSearchEntries(db, [note]);
      });
    await this.#insertTimelineEntry(this.scope.db, entry);
  }

  async #insertTimelineEntry(db: Kysely<Database>, entry: TimelineEntry): Promise<void> {
    await db
      .insertInto('case_timeline')
      .values({
        id: entry.id,
        case_id: entry.caseId,
        type: entry.type,
        actor_kind: entry.actor.kind,
        actor_id: entry.actor.id,
        data: toJson(entry.data),
        at: entry.at,
      })
      .execute();
  }

  async listTimeline(caseId: string): Promise<TimelineEntry[]> {
    const rows = await this.scope.db
      .selectFrom('case_timeline')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('at', 'asc')
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(timelineFromRow);
  }

  /**
   * Records the vote and increments `Case.votes` in the same transaction, so the count is right
   * under concurrent voters. Callers re-read the case for the new count rather than adding one.
   */
  async addVote(caseId: string, voterId: string): Promise<boolean> {
    return atomically(this.scope.db, async (db) => {
      const kase = await db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst();
      if (!kase) throw notFound('Case', caseId);
      const inserted = await db
        .insertInto('case_votes')
        .values({ case_id: caseId, voter_id: voterId, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['case_id', 'voter_id']).doNothing())
        .returning('voter_id')
        .executeTakeFirst();
      if (!inserted) return false;
      await db.updateTable('cases').set({ votes: sql`votes + 1` }).where('id', '=', caseId).execute();
      return true;
    });
  }

  async listVoters(caseId: string): Promise<string[]> {
    const rows = await this.scope.db
      .selectFrom('case_votes')
      .select('voter_id')
      .where('case_id', '=', caseId)
      .orderBy('created_at', 'asc')
      .orderBy('voter_id', 'asc')
      .execute();
    return rows.map((r) => r.voter_id);
  }
}

/** Rows to the model, for other readers of these tables (exports). */
export { fromRow as caseFromRow };
