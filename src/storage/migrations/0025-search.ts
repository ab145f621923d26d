import { type Kysely, sql } from 'kysely';
import type { Case, Contact, Message, TimelineEntry } from '../../core/model.ts';
import { engineOf } from '../database.ts';
import {
  articleEntry,
  caseEntry,
  contactEntry,
  messageEntry,
  noteEntry,
  type SearchEntry,
  writeSearchEntries,
} from '../search-entries.ts';

/**
 * Search (`search_entries`): the normalised text of every message, case, internal note, contact and article,
 * covered by the engine's own full-text index — an external-content FTS5 table kept in step by triggers on
 * SQLite, a generated `tsvector` column with a GIN index on PostgreSQL. The application writes the text
 * (the Arabic normalisation lives in TypeScript, shared with the knowledge base); triggers on the indexed
 * tables delete the entries with their rows, so retention or any other delete leaves nothing behind.
 * Existing rows are indexed here.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

/** Which entries go when a row of each table is deleted: by their own row, or by the result they belong to. */
const forgetting = [
  { table: 'messages', by: 'source', value: 'message' },
  { table: 'case_timeline', by: 'source', value: 'note' },
  { table: 'contacts', by: 'source', value: 'contact' },
  { table: 'articles', by: 'source', value: 'article' },
  { table: 'conversations', by: 'kind', value: 'conversation' },
  { table: 'cases', by: 'kind', value: 'case' },
] as const;

const batch = 500;

export async function up(db: AnyDb): Promise<void> {
  const postgres = engineOf(db) === 'postgres';
  await db.schema
    .createTable('search_entries')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addUniqueConstraint('search_entries_source', ['source', 'source_id'])
    .execute();
  await db.schema
    .createIndex('search_entries_target')
    .on('search_entries')
    .columns(['kind', 'target_id'])
    .execute();

  if (postgres) {
    // `english` stems English words; Arabic words pass through unchanged (they arrive normalised and stemmed).
    await sql`alter table search_entries add column tsv tsvector generated always as (to_tsvector('english', text)) stored`.execute(
      db,
    );
    await sql`create index search_entries_tsv on search_entries using gin (tsv)`.execute(db);
    await sql`
      create function search_forget() returns trigger language plpgsql as $$
      begin
        if TG_ARGV[0] = 'source' then
          delete from search_entries where source = TG_ARGV[1] and source_id = OLD.id;
        else
          delete from search_entries where kind = TG_ARGV[1] and target_id = OLD.id;
        end if;
        return OLD;
      end $$`.execute(db);
    for (const f of forgetting)
      await sql`create trigger ${sql.raw(`search_forget_${f.table}`)} after delete on ${sql.table(f.table)}
        for each row execute function search_forget(${sql.lit(f.by)}, ${sql.lit(f.value)})`.execute(db);
  } else {
    // porter over unicode61: English stemming; Arabic tokens are left as written (already normalised).
    await sql`create virtual table search_fts using fts5(text, content='search_entries', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')`.execute(
      db,
    );
    await sql`create trigger search_fts_insert after insert on search_entries begin
        insert into search_fts(rowid, text) values (new.id, new.text);
      end`.execute(db);
    await sql`create trigger search_fts_delete after delete on search_entries begin
        insert into search_fts(search_fts, rowid, text) values ('delete', old.id, old.text);
      end`.execute(db);
    await sql`create trigger search_fts_update after update on search_entries begin
        insert into search_fts(search_fts, rowid, text) values ('delete', old.id, old.text);
        insert into search_fts(rowid, text) values (new.id, new.text);
      end`.execute(db);
    for (const f of forgetting)
      await sql`create trigger ${sql.raw(`search_forget_${f.table}`)} after delete on ${sql.table(f.table)} begin
          delete from search_entries where ${sql.ref(f.by)} = ${sql.lit(f.value)} and ${sql.ref(f.by === 'source' ? 'source_id' : 'target_id')} = old.id;
        end`.execute(db);
  }

  await backfill(db);
}

async function backfill(db: AnyDb): Promise<void> {
  const write = (entries: SearchEntry[]) => writeSearchEntries(db, entries);
  for (let after = -1; ; ) {
    const rows = await db
      .selectFrom('messages')
      .select(['seq', 'id', 'conversation_id', 'author_kind', 'text', 'created_at'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(batch)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)?.seq);
    await write(
      rows.map((r) =>
        messageEntry({
          id: r.id,
          conversationId: r.conversation_id,
          authorKind: r.author_kind as Message['authorKind'],
          text: r.text,
          createdAt: r.created_at,
        }),
      ),
    );
  }
  for (let offset = 0; ; offset += batch) {
    const rows = await db.selectFrom('cases').selectAll().orderBy('id').limit(batch).offset(offset).execute();
    if (rows.length === 0) break;
    await write(
      rows.map((r) =>
        caseEntry({
          id: r.id,
          number: Number(r.number),
          subject: r.subject,
          tags: JSON.parse(r.tags) as string[],
          fields: JSON.parse(r.fields) as Case['fields'],
          createdAt: r.created_at,
        }),
      ),
    );
  }
  for (let offset = 0; ; offset += batch) {
    const rows = await db
      .selectFrom('case_timeline')
      .selectAll()
      .where('type', '=', 'note')
      .orderBy('id')
      .limit(batch)
      .offset(offset)
      .execute();
    if (rows.length === 0) break;
    await write(
      rows.flatMap((r) => {
        const entry = noteEntry({
          id: r.id,
          caseId: r.case_id,
          type: 'note',
          actor: { kind: r.actor_kind, id: r.actor_id } as TimelineEntry['actor'],
          data: JSON.parse(r.data) as Record<string, unknown>,
          at: r.at,
        });
        return entry ? [entry] : [];
      }),
    );
  }
  for (let offset = 0; ; offset += batch) {
    const rows = await db
      .selectFrom('contacts')
      .selectAll()
      .orderBy('id')
      .limit(batch)
      .offset(offset)
      .execute();
    if (rows.length === 0) break;
    const identities = await db
      .selectFrom('contact_identities')
      .select(['contact_id', 'channel', 'external_id'])
      .where(
        'contact_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('position')
      .execute();
    await write(
      rows.map((r) =>
        contactEntry({
          id: r.id,
          name: r.name,
          createdAt: r.created_at,
          identities: identities
            .filter((i) => i.contact_id === r.id)
            .map((i) => ({ channel: i.channel, externalId: i.external_id })) as Contact['identities'],
        }),
      ),
    );
  }
  for (let offset = 0; ; offset += batch) {
    const rows = await db
      .selectFrom('articles')
      .selectAll()
      .orderBy('id')
      .limit(batch)
      .offset(offset)
      .execute();
    if (rows.length === 0) break;
    await write(
      rows.map((r) =>
        articleEntry({
          id: r.id,
          title: r.title,
          body: r.body,
          tags: JSON.parse(r.tags) as string[],
          examples: JSON.parse(r.examples) as string[],
          updatedAt: r.updated_at,
        }),
      ),
    );
  }
}

export async function down(db: AnyDb): Promise<void> {
  const postgres = engineOf(db) === 'postgres';
  for (const f of forgetting)
    await sql`drop trigger if exists ${sql.raw(`search_forget_${f.table}`)}${postgres ? sql` on ${sql.table(f.table)}` : sql``}`.execute(
      db,
    );
  if (postgres) await sql`drop function if exists search_forget()`.execute(db);
  else await sql`drop table if exists search_fts`.execute(db);
  await db.schema.dropTable('search_entries').execute();
}
