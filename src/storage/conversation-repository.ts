import type { Selectable } from 'kysely';
import type { ChannelName, Conversation, ConversationState } from '../core/model.ts';
import type { ConversationFilter, ConversationRepository } from '../core/ports/repositories.ts';
import type { ConversationTable } from './database.ts';
import { assertUpdated, type DbScope, fromJson, toJson } from './db-scope.ts';

const toRow = (c: Conversation): Selectable<ConversationTable> => ({
  id: c.id,
  contact_id: c.contactId,
  channel: c.channel,
  state: c.state,
  address: toJson(c.address),
  queue_id: c.queueId,
  agent_id: c.agentId,
  case_id: c.caseId,
  language: c.language,
  wrap_up_note: c.wrapUpNote,
  rating_requested_at: c.ratingRequestedAt ?? null,
  queued_at: c.queuedAt,
  assigned_at: c.assignedAt,
  first_agent_reply_at: c.firstAgentReplyAt,
  closed_at: c.closedAt,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const fromRow = (r: Selectable<ConversationTable>): Conversation => ({
  id: r.id,
  contactId: r.contact_id,
  channel: r.channel,
  state: r.state as ConversationState,
  address: fromJson<Record<string, unknown>>(r.address),
  queueId: r.queue_id,
  agentId: r.agent_id,
  caseId: r.case_id,
  language: r.language,
  wrapUpNote: r.wrap_up_note,
  // Only present while a rating is awaited, so conversations read back equal what was written.
  ...(r.rating_requested_at ? { ratingRequestedAt: r.rating_requested_at } : {}),
  queuedAt: r.queued_at,
  assignedAt: r.assigned_at,
  firstAgentReplyAt: r.first_agent_reply_at,
  closedAt: r.closed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class KyselyConversationRepository implements ConversationRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Conversation | undefined> {
    const row = await this.scope.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async create(conversation: Conversation): Promise<void> {
    await this.scope.db.insertInto('conversations').values(toRow(conversation)).execute();
  }

  async update(conversation: Conversation): Promise<void> {
    const { id, ...values } = toRow(conversation);
    const result = await this.scope.db
      .updateTable('conversations')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Conversation', id);
  }

  async list(filter: ConversationFilter): Promise<Conversation[]> {
    const states = filter.state === undefined ? undefined : [filter.state].flat();
    if (states?.length === 0) return [];
    let query = this.scope.db.selectFrom('conversations').selectAll();
    if (states) query = query.where('state', 'in', states);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.queueId !== undefined) query = query.where('queue_id', '=', filter.queueId);
    if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId);
    if (filter.caseId !== undefined) query = query.where('case_id', '=', filter.caseId);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    const since = filter.activeSince;
    if (since !== undefined)
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>=', since),
          eb('first_agent_reply_at', '>=', since),
          eb('closed_at', '>=', since),
        ]),
      );
    // A queue is served first come, first served; every other list shows the latest activity first.
    const queued = states?.length === 1 && states[0] === 'queued';
    query = queued
      ? query.orderBy('queued_at', 'asc').orderBy('created_at', 'asc').orderBy('id', 'asc')
      : query.orderBy('updated_at', 'desc').orderBy('id', 'desc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(fromRow);
  }

  async findOpen(contactId: string, channel: ChannelName): Promise<Conversation | undefined> {
    const row = await this.scope.db
      .selectFrom('conversations')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('channel', '=', channel)
      .where('state', '<>', 'closed' satisfies ConversationState)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    return row && fromRow(row);
  }
}
