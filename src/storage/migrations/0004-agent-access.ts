import type { Kysely } from 'kysely';

/**
 * Agent access: an agent's status (`active`, `deactivated`, `removed`: removal is soft, so that history
 * keeps naming them), an optional expiry for API tokens, and an index to end all of an agent's sessions.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema.createIndex('sessions_agent_idx').on('sessions').column('agent_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sessions_agent_idx').execute();
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('agents').dropColumn('status').execute();
}
