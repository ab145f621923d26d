import { type Kysely, type Selectable, sql } from 'kysely';
import { conflict } from '../core/errors.ts';
import type { ChannelName, Contact } from '../core/model.ts';
import type { ContactFilter, ContactRepository } from '../core/ports/repositories.ts';
import type { ContactTable, Database } from './database.ts';
import { assertUpdated, atomically, compiledOnce, type DbScope, likeEscape, noLimit } from './db-scope.ts';
import { contactEntry, writeSearchEntries } from './search-entries.ts';

/** A contact's own row. */
const contactRow = (contact: Contact) => ({
  id: contact.id,
  name: contact.name,
  avatar_url: contact.avatarUrl,
  locale: contact.locale,
  created_at: contact.createdAt,
});

/** A contact's identity rows, in the contact's order. */
const identityRows = (contact: Contact) =>
  contact.identities.map((identity, position) => ({
    channel: identity.channel,
    external_id: identity.externalId,
    contact_id: contact.id,
    position,
  }));

const byIdentity = compiledOnce((db: Kysely<Database>, channel: ChannelName, externalId: string) =>
  db
    .selectFrom('contact_identities as i')
    .innerJoin('contacts as c', 'c.id', 'i.contact_id')
    .innerJoin('contact_identities as all', 'all.contact_id', 'c.id')
    .selectAll('c')
    .select(['all.channel as identity_channel', 'all.external_id as identity_external_id'])
    .where('i.channel', '=', channel)
    .where('i.external_id', '=', externalId)
    .orderBy('all.position'),
);

export class KyselyContactRepository implements ContactRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Contact | undefined> {
    const row = await this.scope.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && (await this.#withIdentities(this.scope.db, row));
  }

  /** One query (every inbound message asks it): the contact's row once per identity, in identity order. */
  async findByIdentity(channel: ChannelName, externalId: string): Promise<Contact | undefined> {
    const rows = await byIdentity(this.scope.db, channel, externalId);
    const [row] = rows;
    if (!row) return undefined;
    return this.#fromRow(
      row,
      rows.map((r) => ({ channel: r.identity_channel, externalId: r.identity_external_id })),
    );
  }

  async list(filter: ContactFilter): Promise<Contact[]> {
    const db = this.scope.db;
    let query = db.selectFrom('contacts as c').selectAll('c');
    const text = filter.text?.trim();
    if (text) {
      // lower() on both sides: case-insensitive on SQLite and PostgreSQL alike.
      const pattern = `%${likeEscape(text.toLowerCase())}%`;
      const like = sql<string>`${pattern} escape '\\'`;
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['c.name']), 'like', like),
          eb.exists(
            eb
              .selectFrom('contact_identities as i')
              .select('i.contact_id')
              .whereRef('i.contact_id', '=', 'c.id')
              .where((inner) => inner(inner.fn('lower', ['i.external_id']), 'like', like)),
          ),
        ]),
      );
    }
    query = query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
    if (filter.limit !== undefined || filter.offset !== undefined)
      query = query.limit(filter.limit ?? noLimit);
    if (filter.offset !== undefined) query = query.offset(filter.offset);
    const rows = await query.execute();
    if (rows.length === 0) return [];
    // One query for every listed contact's identities, not one per contact.
    const identities = await db
      .selectFrom('contact_identities')
      .select(['contact_id', 'channel', 'external_id'])
      .where(
        'contact_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('contact_id')
      .orderBy('position')
      .execute();
    const byContact = new Map<string, Contact['identities']>();
    for (const i of identities) {
      const list = byContact.get(i.contact_id) ?? [];
      list.push({ channel: i.channel, externalId: i.external_id });
      byContact.set(i.contact_id, list);
    }
    return rows.map((row) => this.#fromRow(row, byContact.get(row.id) ?? []));
  }

  async create(contact: Contact): Promise<void> {
    await atomically(this.scope.db, async (db) => {
      await db.insertInto('contacts').values(contactRow(contact)).execute();
      await this.#insertIdentities(db, contact);
      await writeSearchEntries(db, [contactEntry(contact)]);
    });
  }

  /**
   * Insert-if-absent, then read. The identities go in with ON CONFLICT DO NOTHING: when another
   * transaction (this instance or another) holds one of them, this waits for it to end, stores nothing
   * and returns the contact that holds the identity; the database decides, so none fails.
   */
  async createIfAbsent(contact: Contact): Promise<Contact> {
    const first = contact.identities[0];
    if (!first) {
      await this.create(contact);
      return contact;
    }
    return atomically(this.scope.db, async (db) => {
      await db.insertInto('contacts').values(contactRow(contact)).execute();
      const inserted = await db
        .insertInto('contact_identities')
        .values(identityRows(contact))
        .onConflict((oc) => oc.doNothing())
        .returning(['channel', 'external_id'])
        .execute();
      if (inserted.length === contact.identities.length) {
        await writeSearchEntries(db, [contactEntry(contact)]);
        return contact;
      }
      // Another contact holds an identity: ours was never anyone's, so it goes, and theirs is the answer.
      const taken =
        contact.identities.find(
          (i) => !inserted.some((r) => r.channel === i.channel && r.external_id === i.externalId),
        ) ?? first;
      await db.deleteFrom('contact_identities').where('contact_id', '=', contact.id).execute();
      await db.deleteFrom('contacts').where('id', '=', contact.id).execute();
      const holder = await db
        .selectFrom('contact_identities as i')
        .innerJoin('contacts as c', 'c.id', 'i.contact_id')
        .selectAll('c')
        .where('i.channel', '=', taken.channel)
        .where('i.external_id', '=', taken.externalId)
        .executeTakeFirst();
      if (!holder)
        throw new Error(`contact identity ${taken.channel}:${taken.externalId} is held but not found`);
      return this.#withIdentities(db, holder);
    });
  }

  async update(contact: Contact): Promise<void> {
    await atomically(this.scope.db, async (db) => {
      const result = await db
        .updateTable('contacts')
        .set({
          name: contact.name,
          avatar_url: contact.avatarUrl,
          locale: contact.locale,
          created_at: contact.createdAt,
        })
        .where('id', '=', contact.id)
        .executeTakeFirst();
      assertUpdated(result, 'Contact', contact.id);
      // Identities kept are upserted rather than deleted and inserted again: two concurrent updates of
      // one contact (two messages of one member) would otherwise both insert the same identity.
      let stale = db.deleteFrom('contact_identities').where('contact_id', '=', contact.id);
      if (contact.identities.length > 0)
        stale = stale.where((eb) =>
          eb.not(
            eb.or(
              contact.identities.map((i) =>
                eb.and([eb('channel', '=', i.channel), eb('external_id', '=', i.externalId)]),
              ),
            ),
          ),
        );
      await stale.execute();
      await writeSearchEntries(db, [contactEntry(contact)]);
      if (contact.identities.length === 0) return;
      const kept = await db
        .insertInto('contact_identities')
        .values(identityRows(contact))
        .onConflict((oc) =>
          oc
            .columns(['channel', 'external_id'])
            .doUpdateSet({ position: (eb) => eb.ref('excluded.position') })
            .where('contact_identities.contact_id', '=', contact.id),
        )
        .returning('channel')
        .execute();
      if (kept.length < contact.identities.length)
        throw conflict('a channel identity of this contact belongs to another contact');
    });
  }

  async #insertIdentities(db: Kysely<Database>, contact: Contact): Promise<void> {
    if (contact.identities.length === 0) return;
    await db.insertInto('contact_identities').values(identityRows(contact)).execute();
  }

  async #withIdentities(db: Kysely<Database>, row: Selectable<ContactTable>): Promise<Contact> {
    const identities = await db
      .selectFrom('contact_identities')
      .select(['channel', 'external_id'])
      .where('contact_id', '=', row.id)
      .orderBy('position')
      .execute();
    return this.#fromRow(
      row,
      identities.map((i) => ({ channel: i.channel, externalId: i.external_id })),
    );
  }

  #fromRow(row: Selectable<ContactTable>, identities: Contact['identities']): Contact {
    return contactFromRow(row, identities);
  }
}

export function contactFromRow(row: Selectable<ContactTable>, identities: Contact['identities']): Contact {
  return {
    id: row.id,
    name: row.name,
    avatarUrl: row.avatar_url,
    locale: row.locale,
    identities,
    createdAt: row.created_at,
  };
}
