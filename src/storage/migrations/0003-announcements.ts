import type { Kysely } from 'kysely';

/**
 * Announcement sources (feeds, webhooks), announcements (one row per post, unique per source key so a
 * feed item or webhook id is posted once) and the webhook deliveries seen within the replay window.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('announcement_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('poll_interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('secret', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_polled_at', 'text')
    .addColumn('next_poll_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('announcements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text')
    .addColumn('external_key', 'text')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('summary', 'text')
    .addColumn('image_url', 'text')
    .addColumn('source_name', 'text')
    .addColumn('published_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('claimed_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('posted_at', 'text')
    .addColumn('message_id', 'text')
    .addColumn('published', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('announcements_source_key_idx')
    .on('announcements')
    .columns(['source_id', 'external_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('announcements_due_idx')
    .on('announcements')
    .columns(['status', 'scheduled_at'])
    .execute();

  await db.schema
    .createTable('announcement_deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('announcement_deliveries').ifExists().execute();
  await db.schema.dropIndex('announcements_due_idx').ifExists().execute();
  await db.schema.dropIndex('announcements_source_key_idx').ifExists().execute();
  await db.schema.dropTable('announcements').ifExists().execute();
  await db.schema.dropTable('announcement_sources').ifExists().execute();
}
