import { type Kysely, type Migration, type MigrationResult, Migrator, sql } from 'kysely';
import { type Database, engineOf } from '../database.ts';
import * as initial from './0001-initial.ts';
import * as cannedResponses from './0002-canned-responses.ts';
import * as announcements from './0003-announcements.ts';
import * as agentAccess from './0004-agent-access.ts';
import * as webchatVisitors from './0005-webchat-visitors.ts';
import * as discordState from './0006-discord-state.ts';
import * as presenceAndCases from './0007-presence-and-cases.ts';
import * as knowledgeChanges from './0008-knowledge-changes.ts';
import * as outboxClaims from './0011-outbox-claims.ts';
import * as leases from './0012-leases.ts';
import * as inboundProcessing from './0013-inbound-processing.ts';
import * as memberNotices from './0014-member-notices.ts';
import * as routing from './0015-routing.ts';
import * as announcementClaims from './0016-announcement-claims.ts';
import * as conversationBridges from './0017-conversation-bridges.ts';
import * as channelReceipts from './0018-channel-receipts.ts';
import * as articleVectors from './0020-article-vectors.ts';
import * as botOutcomes from './0021-bot-outcomes.ts';
import * as webhooks from './0022-webhooks.ts';
import * as xSources from './0023-x-sources.ts';
import * as search from './0025-search.ts';
import * as transcriptsRetention from './0026-transcripts-retention.ts';
import * as editableTexts from './0027-editable-texts.ts';
import * as monitorMacros from './0028-monitor-macros.ts';
import * as sla from './0029-sla.ts';
import * as forumThreads from './0030-forum-threads.ts';
import * as queueTranscripts from './0031-queue-transcripts.ts';
import * as servers from './0033-servers.ts';
import * as releaseNotes from './0034-release-notes.ts';
import * as skillsAndGalleries from './0035-skills-and-galleries.ts';

/** Every migration, in order. Imported explicitly so bundling and `tsx` need no directory scan. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-canned-responses': cannedResponses,
  '0003-announcements': announcements,
  '0004-agent-access': agentAccess,
  '0005-webchat-visitors': webchatVisitors,
  '0006-discord-state': discordState,
  '0007-presence-and-cases': presenceAndCases,
  '0008-knowledge-changes': knowledgeChanges,
  '0011-outbox-claims': outboxClaims,
  '0012-leases': leases,
  '0013-inbound-processing': inboundProcessing,
  '0014-member-notices': memberNotices,
  // 0009 and 0010 were never used: an installation that ran 0011 refuses migrations named before it.
  '0015-routing': routing,
  '0016-announcement-claims': announcementClaims,
  '0017-conversation-bridges': conversationBridges,
  '0018-channel-receipts': channelReceipts,
  '0020-article-vectors': articleVectors,
  '0021-bot-outcomes': botOutcomes,
  '0022-webhooks': webhooks,
  '0023-x-sources': xSources,
  '0025-search': search,
  '0026-transcripts-retention': transcriptsRetention,
  '0027-editable-texts': editableTexts,
  '0028-monitor-macros': monitorMacros,
  // 0024 was never used: the SLA migration landed after 0028.
  '0029-sla': sla,
  '0030-forum-threads': forumThreads,
  '0031-queue-transcripts': queueTranscripts,
  // 0032 was never used.
  '0033-servers': servers,
  '0034-release-notes': releaseNotes,
  '0035-skills-and-galleries': skillsAndGalleries,
};

export const migrationTableName = 'switchboard_migration';
export const migrationLockTableName = 'switchboard_migration_lock';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    message: string,
    readonly results: MigrationResult[],
    override readonly cause: unknown,
  ) {
    super(message, { cause });
  }
}

async function migrator(db: Kysely<Database>): Promise<Migrator> {
  // On PostgreSQL, pin the bookkeeping tables to the current schema: Kysely otherwise treats a
  // migration table in *any* schema (say `public`) as ours and would skip creating it here.
  let migrationTableSchema: string | undefined;
  if (engineOf(db) === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName,
    migrationLockTableName,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

/** Applies every pending migration; safe to run again and from several processes at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const { error, results = [] } = await (await migrator(db)).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      failed ? `Database migration ${failed} failed: ${reason}` : `Database migration failed: ${reason}`,
      results,
      error,
    );
  }
  return results;
}
