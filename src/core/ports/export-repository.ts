import type { Case, CaseKind, CaseStatus, ChannelName, Conversation, ConversationState } from '../model.ts';

/** Where a keyset page starts: after this row of the `(createdAt, id)` order. */
export interface ExportCursor {
  createdAt: string;
  id: string;
}

/** What an export selects. Every field narrows; none set selects everything. */
export interface CaseExportFilter {
  /** Created at or after this instant. */
  from?: string;
  /** Created before this instant. */
  to?: string;
  status?: CaseStatus[];
  kind?: CaseKind[];
  /** Cases with a conversation in this queue. */
  queueId?: string;
  /** Cases with a conversation on this channel. */
  channel?: ChannelName;
}

export interface ConversationExportFilter {
  from?: string;
  to?: string;
  state?: ConversationState[];
  queueId?: string;
  channel?: ChannelName;
}

/**
 * Reads for exports: counts, and pages in `(createdAt, id)` order that start after a cursor, so that an
 * export of any size reads one page at a time and never holds the whole set.
 */
export interface ExportRepository {
  countCases(filter: CaseExportFilter): Promise<number>;
  /** Oldest first; at most `limit`, after `after` when given. */
  pageCases(filter: CaseExportFilter, after: ExportCursor | null, limit: number): Promise<Case[]>;
  countConversations(filter: ConversationExportFilter): Promise<number>;
  pageConversations(
    filter: ConversationExportFilter,
    after: ExportCursor | null,
    limit: number,
  ): Promise<Conversation[]>;
}
