import { Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { searchKinds } from '../../core/ports/search-repository.ts';
import { searchTerms } from '../../core/search/search-text.ts';
import { createDatabase } from '../database.ts';
import { KyselyStore } from '../kysely-store.ts';
import { sharedDatabases } from '../test-support/shared-databases.ts';
import {
  migrateToLatest,
  migrationLockTableName,
  migrations,
  migrationTableName,
} from './migrate-to-latest.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
const databases = sharedDatabases(pgUrl, 'switchboard-search-migration-');
afterAll(() => databases.drop());

const engines = pgUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUrl) console.log('Skipping the PostgreSQL search backfill test: TEST_DATABASE_URL is not set');

describe('migration 0025 (search)', () => {
  for (const engine of engines)
    it(`indexes the rows an installation already has (${engine})`, async () => {
      const db = createDatabase({ url: await databases.url(engine) });
      try {
        const before = Object.keys(migrations).filter((name) => name < '0025');
        const old = new Migrator({
          db,
          provider: {
            getMigrations: async () =>
              Object.fromEntries(before.map((name) => [name, migrations[name]!] as const)),
          },
          migrationTableName,
          migrationLockTableName,
        });
        expect((await old.migrateToLatest()).error).toBeUndefined();
        const t = '2025-01-01T00:00:00.000Z';
        await db
          .insertInto('contacts')
          .values({ id: 'ct1', name: 'Salma Haddad', avatar_url: null, locale: null, created_at: t })
          .execute();
        await db
          .insertInto('contact_identities')
          .values({ channel: 'sms', external_id: '+44 7700 900123', contact_id: 'ct1', position: 0 })
          .execute();
        await db
          .insertInto('conversations')
          .values({
            id: 'cv1',
            contact_id: 'ct1',
            channel: 'sms',
            state: 'closed',
            address: '{}',
            queue_id: null,
            agent_id: null,
            case_id: null,
            language: null,
            wrap_up_note: null,
            rating_requested_at: null,
            queued_at: null,
            assigned_at: null,
            first_agent_reply_at: null,
            closed_at: null,
            created_at: t,
            updated_at: t,
            bridge_target: null,
            bridge_ref: null,
            bridge_since: null,
          })
          .execute();
        await db
          .insertInto('messages')
          .values({
            id: 'm1',
            conversation_id: 'cv1',
            channel: 'sms',
            author_kind: 'contact',
            author_id: null,
            text: 'وصلتني الشحنة مكسورة',
            attachments: '[]',
            articles: '[]',
            external_id: null,
            created_at: t,
            processed_at: t,
            process_claimed_until: null,
            process_claim_owner: null,
            process_attempts: 0,
            inbound_action: null,
          })
          .execute();
        await db
          .insertInto('cases')
          .values({
            id: 'k1',
            number: 7,
            kind: 'support',
            status: 'open',
            priority: 'normal',
            subject: 'Damaged parcel',
            contact_id: 'ct1',
            assignee_id: null,
            tags: '[]',
            fields: '{"carrier":"Aramex"}',
            rating: null,
            votes: 0,
            search_text: 'damaged parcel',
            created_at: t,
            updated_at: t,
            opened_by_kind: null,
            opened_by_id: null,
            post_url: null,
          })
          .execute();
        await db
          .insertInto('case_timeline')
          .values({
            id: 'n1',
            case_id: 'k1',
            type: 'note',
            actor_kind: 'agent',
            actor_id: null,
            data: '{"text":"Photo requested"}',
            at: t,
          })
          .execute();
        await db
          .insertInto('articles')
          .values({
            id: 'a1',
            title: 'Damaged deliveries',
            body: 'Send a photo.',
            tags: '[]',
            locale: 'en',
            published: 1,
            examples: '[]',
            created_at: t,
            updated_at: t,
          })
          .execute();

        await migrateToLatest(db);
        const store = new KyselyStore(db);
        const found = async (q: string) =>
          (await store.search.search({ terms: searchTerms(q), kinds: searchKinds, limit: 5 })).map(
            (h) => `${h.kind}:${h.id}:${h.source}`,
          );
        expect(await found('الشحنه')).toEqual(['conversation:cv1:message']);
        expect(await found('damaged')).toEqual(['case:k1:case', 'article:a1:article']);
        expect(await found('aramex')).toEqual(['case:k1:case']);
        expect(await found('photo requested')).toEqual(['case:k1:note']);
        expect(await found('447700900123')).toEqual(['contact:ct1:contact']);
        expect(await found('salma')).toEqual(['contact:ct1:contact']);
      } finally {
        await db.destroy();
      }
    });
});
