import type { AgentViewing, ConversationNote } from '../monitor/monitor.ts';

export interface ConversationNoteRepository {
  insert(note: ConversationNote): Promise<void>;
  /** Oldest first. */
  listByConversation(conversationId: string): Promise<ConversationNote[]>;
}

/** What each agent's desktop shows: one row per agent, kept in the database so every instance sees it. */
export interface AgentViewingRepository {
  /** Records what the agent's desktop shows now (replacing what it showed before). */
  set(viewing: AgentViewing): Promise<void>;
  /**
   * Clears the agent's viewing only if it is still `conversationId` (a desktop that closed says nothing
   * about the one that reported after it); returns whether it was cleared.
   */
  clearIf(agentId: string, conversationId: string): Promise<boolean>;
  list(): Promise<AgentViewing[]>;
}
