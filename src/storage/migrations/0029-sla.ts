import type { Kysely } from 'kysely';

/**
 * SLAs and business hours: a queue's weekly hours, time zone and holidays (`sla_business_hours`), its
 * targets per case priority (`sla_policies`), and the clocks running on cases (`sla_timers`), whose
 * warnings and breaches are claimed once across instances by a guarded update.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sla_business_hours')
    .addColumn('queue_id', 'text', (c) => c.primaryKey())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('weekly', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'integer')
    .addColumn('next_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sla_policies_queue_priority')
    .on('sla_policies')
    .columns(['queue_id', 'priority'])
    .unique()
    .execute();
  await db.schema
    .createTable('sla_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('target_minutes', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('elapsed_ms', 'bigint', (c) => c.notNull())
    .addColumn('running_since', 'text')
    .addColumn('warn_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('warned_at', 'text')
    .addColumn('breached_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sla_timers_case').on('sla_timers').columns(['case_id']).execute();
  await db.schema
    .createIndex('sla_timers_conversation')
    .on('sla_timers')
    .columns(['conversation_id', 'status'])
    .execute();
  await db.schema.createIndex('sla_timers_due').on('sla_timers').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('sla_timers_breached').on('sla_timers').columns(['breached_at']).execute();
  await db.schema.createIndex('sla_timers_started').on('sla_timers').columns(['started_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sla_timers').execute();
  await db.schema.dropTable('sla_policies').execute();
  await db.schema.dropTable('sla_business_hours').execute();
}
