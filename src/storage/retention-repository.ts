import type { Attachment } from '../core/model.ts';
import type { RetentionDeletion, RetentionRepository } from '../core/ports/retention-repository.ts';
import { atomically, type DbScope, fromJson } from './db-scope.ts';

/** Tables that name a conversation and go with it (bot turns and outcomes, receipts, offers, the outbox). */
const dependents = ['outbox', 'reservations', 'channel_receipts', 'bot_turns', 'bot_outcomes'] as const;

export class KyselyRetentionRepository implements RetentionRepository {
  constructor(private readonly scope: DbScope) {}

  async listExpired(before: string, limit: number): Promise<string[]> {
    const rows = await this.scope.db
      .selectFrom('conversations')
      .select('id')
      .where('state', 'in', ['bot', 'closed'])
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async deleteConversations(ids: string[]): Promise<RetentionDeletion> {
    if (ids.length === 0) return { conversations: 0, messages: 0, attachments: [] };
    return atomically(this.scope.db, async (db) => {
      const messages = await db
        .selectFrom('messages')
        .select('attachments')
        .where('conversation_id', 'in', ids)
        .execute();
      const attachments = messages.flatMap((m) => fromJson<Attachment[]>(m.attachments));
      for (const table of dependents)
        await db.deleteFrom(table).where('conversation_id', 'in', ids).execute();
      // An approved example question is the article's now; only its link to the conversation goes.
      await db
        .updateTable('example_proposals')
        .set({ conversation_id: null })
        .where('conversation_id', 'in', ids)
        .execute();
      const deletedMessages = await db.deleteFrom('messages').where('conversation_id', 'in', ids).execute();
      const deleted = await db.deleteFrom('conversations').where('id', 'in', ids).execute();
      return {
        conversations: Number(deleted[0]?.numDeletedRows ?? 0),
        messages: Number(deletedMessages[0]?.numDeletedRows ?? 0),
        attachments,
      };
    });
  }
}
