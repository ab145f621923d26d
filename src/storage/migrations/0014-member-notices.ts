import { type Kysely, sql } from 'kysely';
import { engineOf } from '../database.ts';

/**
 * Notices to a contact outside any conversation (a bug report's status change) go through the outbox
 * too: `conversation_id` becomes optional, `contact_id` names the contact of a notice, and `stream` is the
 * ordering key the dispatcher keeps order and claims by (the conversation's id, or `contact:<id>` for a
 * contact's notices). Exactly one of `conversation_id` and `contact_id` is set.
 *
 * SQLite cannot drop a NOT NULL, so there the table is rebuilt (same rows, same `seq` values, claims kept).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

const oneOwner = sql`(conversation_id is null) <> (contact_id is null)`;

export async function up(db: AnyDb): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql`alter table outbox alter column conversation_id drop not null`.execute(db);
    await db.schema
      .alterTable('outbox')
      .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
      .execute();
    await db.schema.alterTable('outbox').addColumn('stream', 'text').execute();
    await sql`update outbox set stream = conversation_id`.execute(db);
    await sql`alter table outbox alter column stream set not null`.execute(db);
    await sql`alter table outbox add constraint outbox_one_owner check (${oneOwner})`.execute(db);
    await db.schema.dropIndex('outbox_pending_idx').execute();
  } else {
    await db.transaction().execute(async (tx) => {
      await createOutbox(tx, 'outbox_next');
      await sql`insert into outbox_next (seq, stream, conversation_id, contact_id, channel, message, status,
          attempts, next_attempt_at, last_error, external_id, created_at, sent_at, claimed_until, claim_owner)
        select seq, conversation_id, conversation_id, null, channel, message, status, attempts, next_attempt_at,
          last_error, external_id, created_at, sent_at, claimed_until, claim_owner from outbox`.execute(tx);
      await tx.schema.dropTable('outbox').execute();
      await sql`alter table outbox_next rename to outbox`.execute(tx);
      await tx.schema
        .createIndex('outbox_conversation_idx')
        .on('outbox')
        .columns(['conversation_id', 'seq'])
        .execute();
    });
  }
  // Serves the due-head lookup (a stream's lowest pending seq) and a contact's notices.
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox')
    .columns(['status', 'stream', 'seq'])
    .execute();
  await db.schema.createIndex('outbox_contact_idx').on('outbox').columns(['contact_id', 'seq']).execute();
}

/** The outbox as 0001 and 0011 left it, plus `stream` and `contact_id`, with `conversation_id` optional. */
async function createOutbox(db: AnyDb, name: string): Promise<void> {
  await db.schema
    .createTable(name)
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id'))
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('claim_owner', 'text')
    .addCheckConstraint('outbox_one_owner', oneOwner)
    .execute();
}

/** Notices are dropped (they have no conversation to live in); conversation items stay as they were. */
export async function down(db: AnyDb): Promise<void> {
  await sql`delete from outbox where conversation_id is null`.execute(db);
  await db.schema.dropIndex('outbox_contact_idx').execute();
  await db.schema.dropIndex('outbox_pending_idx').execute();
  if (engineOf(db) === 'postgres') {
    await sql`alter table outbox drop constraint outbox_one_owner`.execute(db);
    await db.schema.alterTable('outbox').dropColumn('stream').execute();
    await db.schema.alterTable('outbox').dropColumn('contact_id').execute();
    await sql`alter table outbox alter column conversation_id set not null`.execute(db);
  } else {
    await db.transaction().execute(async (tx) => {
      await tx.schema
        .createTable('outbox_prev')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('external_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('claimed_until', 'text')
        .addColumn('claim_owner', 'text')
        .execute();
      await sql`insert into outbox_prev (seq, conversation_id, channel, message, status, attempts,
          next_attempt_at, last_error, external_id, created_at, sent_at, claimed_until, claim_owner)
        select seq, conversation_id, channel, message, status, attempts, next_attempt_at, last_error,
          external_id, created_at, sent_at, claimed_until, claim_owner from outbox`.execute(tx);
      await tx.schema.dropTable('outbox').execute();
      await sql`alter table outbox_prev rename to outbox`.execute(tx);
      await tx.schema
        .createIndex('outbox_conversation_idx')
        .on('outbox')
        .columns(['conversation_id', 'seq'])
        .execute();
    });
  }
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox')
    .columns(['status', 'conversation_id', 'seq'])
    .execute();
}
