/**
 * The supervisor monitor's vocabulary: internal notes on a conversation (agents only, never sent to the
 * contact) and what each agent's desktop is showing.
 */

/** A note left on a conversation for its holder (and other agents); never delivered on any channel. */
export interface ConversationNote {
  id: string;
  conversationId: string;
  /** The agent (often a supervisor) who wrote it. */
  authorId: string;
  text: string;
  createdAt: string;
}

/** The conversation an agent's desktop reported it shows, and since when; null: none. */
export interface AgentViewing {
  agentId: string;
  conversationId: string | null;
  since: string;
}
