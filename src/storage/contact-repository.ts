import type { Kysely, Selectable } from 'kysely';
import type { ChannelName, Contact } from '../core/model.ts';
import type { ContactRepository } from '../core/ports/repositories.ts';
import type { ContactTable, Database } from './database.ts';
import { assertUpdated, atomically, type DbScope } from './db-scope.ts';

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

  async findByIdentity(channel: ChannelName, externalId: string): Promise<Contact | undefined> {
    const row = await this.scope.db
      .selectFrom('contact_identities as i')
      .innerJoin('contacts as c', 'c.id', 'i.contact_id')
      .selectAll('c')
      .where('i.channel', '=', channel)
      .where('i.external_id', '=', externalId)
      .executeTakeFirst();
    return row && (await this.#withIdentities(this.scope.db, row));
  }

  async create(contact: Contact): Promise<void> {
    await atomically(this.scope.db, async (db) => {
      await db
        .insertInto('contacts')
        .values({
          id: contact.id,
          name: contact.name,
          avatar_url: contact.avatarUrl,
          locale: contact.locale,
          created_at: contact.createdAt,
        })
        .execute();
      await this.#insertIdentities(db, contact);
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
      await db.deleteFrom('contact_identities').where('contact_id', '=', contact.id).execute();
      await this.#insertIdentities(db, contact);
    });
  }

  async #insertIdentities(db: Kysely<Database>, contact: Contact): Promise<void> {
    if (contact.identities.length === 0) return;
    await db
      .insertInto('contact_identities')
      .values(
        contact.identities.map((identity, position) => ({
          channel: identity.channel,
          external_id: identity.externalId,
          contact_id: contact.id,
          position,
        })),
      )
      .execute();
  }

  async #withIdentities(db: Kysely<Database>, row: Selectable<ContactTable>): Promise<Contact> {
    const identities = await db
      .selectFrom('contact_identities')
      .select(['channel', 'external_id'])
      .where('contact_id', '=', row.id)
      .orderBy('position')
      .execute();
    return {
      id: row.id,
      name: row.name,
      avatarUrl: row.avatar_url,
      locale: row.locale,
      identities: identities.map((i) => ({ channel: i.channel, externalId: i.external_id })),
      createdAt: row.created_at,
    };
  }
}
