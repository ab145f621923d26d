import type { Selectable } from 'kysely';
import type { AgentViewing, ConversationNote } from '../core/monitor/monitor.ts';
import type {
  AgentViewingRepository,
  ConversationNoteRepository,
} from '../core/ports/monitor-repositories.ts';
import type { DbScope } from './db-scope.ts';

export interface ConversationNoteTable {
  id: string;
  conversation_id: string;
  author_id: string;
  text: string;
  created_at: string;
}

export interface AgentViewingTable {
  agent_id: string;
  conversation_id: string | null;
  since: string;
}

const noteFromRow = (r: Selectable<ConversationNoteTable>): ConversationNote => ({
  id: r.id,
  conversationId: r.conversation_id,
  authorId: r.author_id,
  text: r.text,
  createdAt: r.created_at,
});

export class KyselyConversationNoteRepository implements ConversationNoteRepository {
  constructor(private readonly scope: DbScope) {}

  async insert(note: ConversationNote): Promise<void> {
    await this.scope.db
      .insertInto('conversation_notes')
      .values({
        id: note.id,
        conversation_id: note.conversationId,
        author_id: note.authorId,
        text: note.text,
        created_at: note.createdAt,
      })
      .execute();
  }

  async listByConversation(conversationId: string): Promise<ConversationNote[]> {
    const rows = await this.scope.db
      .selectFrom('conversation_notes')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(noteFromRow);
  }
}

export class KyselyAgentViewingRepository implements AgentViewingRepository {
  constructor(private readonly scope: DbScope) {}

  async set(viewing: AgentViewing): Promise<void> {
    await this.scope.db
      .insertInto('agent_viewing')
      .values({ agent_id: viewing.agentId, conversation_id: viewing.conversationId, since: viewing.since })
      .onConflict((oc) =>
        oc.column('agent_id').doUpdateSet({ conversation_id: viewing.conversationId, since: viewing.since }),
      )
      .execute();
  }

  async clearIf(agentId: string, conversationId: string): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('agent_viewing')
      .set({ conversation_id: null })
      .where('agent_id', '=', agentId)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async list(): Promise<AgentViewing[]> {
    const rows = await this.scope.db.selectFrom('agent_viewing').selectAll().orderBy('agent_id').execute();
    return rows.map((r) => ({ agentId: r.agent_id, conversationId: r.conversation_id, since: r.since }));
  }
}
