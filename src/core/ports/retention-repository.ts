import type { Attachment } from '../model.ts';

/** What a retention pass removed of some conversations. */
export interface RetentionDeletion {
  conversations: number;
  messages: number;
  /** The attachments of the deleted messages, so that their uploaded files can go too. */
  attachments: Attachment[];
}

/** The deletes of the retention setting, in SQL, so that whatever hangs on the rows (search entries) goes too. */
export interface RetentionRepository {
  /**
   * Ids of conversations no one is working on (`bot` or `closed`) whose last change is before `before`,
   * oldest first, at most `limit`.
   */
  listExpired(before: string, limit: number): Promise<string[]>;
  /**
   * Deletes the conversations with their messages, outbox items, reservations, receipts and bot turns.
   * Cases stay, with their timelines; a case's link to a deleted conversation goes with the conversation.
   */
  deleteConversations(ids: string[]): Promise<RetentionDeletion>;
}
