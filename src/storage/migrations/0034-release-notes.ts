import type { Kysely } from 'kysely';

/**
 * The bug-and-feature loop: the cases a release note (an announcement) closes once it is posted
 * (`announcement_cases`, `released_at` set when they were), and the members told of it (`release_notices`),
 * one row per note and member, so that a second run of the release step tells nobody twice.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('announcement_cases')
    .addColumn('announcement_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .addPrimaryKeyConstraint('announcement_cases_pk', ['announcement_id', 'case_id'])
    .execute();
  await db.schema.createIndex('announcement_cases_case').on('announcement_cases').column('case_id').execute();
  await db.schema
    .createTable('release_notices')
    .addColumn('announcement_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('release_notices_pk', ['announcement_id', 'contact_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('release_notices').execute();
  await db.schema.dropTable('announcement_cases').execute();
}
