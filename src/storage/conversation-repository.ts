import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import { memberContextKeyPrefix } from '../core/contacts/member-context.ts';
import type {
  CasePriority,
  ChannelName,
  Contact,
  Conversation,
  ConversationState,
  MemberContext,
} from '../core/model.ts';
import type {
  ConversationFilter,
  ConversationRepository,
  QueueWaiting,
  WaitingClaim,
} from '../core/ports/repositories.ts';
import { contactFromRow } from './contact-repository.ts';
import { type ConversationTable, type Database, engineOf } from './database.ts';
import { assertUpdated, compiledOnce, type DbScope, fromJson, toJson } from './db-scope.ts';

/** `priority_rank`: the waiting order's first key, so that ascending order is urgent first. */
const priorityRanks: Record<CasePriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * The waiting order: priority, then first come, first served. The same columns, in the same order, as
 * the partial index `conversations_waiting_idx`, so that the head of the queue is read, not sorted.
 */
function inWaitingOrder<O>(
  query: SelectQueryBuilder<Database & { c: ConversationTable }, 'c', O>,
): SelectQueryBuilder<Database & { c: ConversationTable }, 'c', O> {
  return query
    .orderBy('c.priority_rank', 'asc')
    .orderBy('c.queued_at', 'asc')
    .orderBy('c.created_at', 'asc')
    .orderBy('c.id', 'asc');
}

// A literal, not a parameter: the planner then knows the partial indexes (`state = 'queued'`,
// `status = 'pending'`) apply.
const queued = sql.lit('queued');
const pending = sql.lit('pending');

// `priority_rank` is left out: only `setPriority` writes it, and a copy of a conversation must not undo it.
const toRow = (c: Conversation): Omit<Selectable<ConversationTable>, 'priority_rank'> => ({
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
  comment_requested_at: c.commentRequestedAt ?? null,
  idle_reminded_at: c.idleRemindedAt ?? null,
  queued_at: c.queuedAt,
  assigned_at: c.assignedAt,
  first_agent_reply_at: c.firstAgentReplyAt,
  closed_at: c.closedAt,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
  bridge_target: c.bridge?.target ?? null,
  bridge_ref: c.bridge?.ref ?? null,
  bridge_since: c.bridge?.since ?? null,
  thread_ref: c.thread ?? null,
  server_id: c.server?.id ?? null,
  server_name: c.server?.name ?? null,
  required_skill: c.requiredSkill ?? null,
});

const fromRow = (r: Omit<Selectable<ConversationTable>, 'priority_rank'>): Conversation => ({
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
  ...(r.comment_requested_at ? { commentRequestedAt: r.comment_requested_at } : {}),
  ...(r.idle_reminded_at ? { idleRemindedAt: r.idle_reminded_at } : {}),
  queuedAt: r.queued_at,
  assignedAt: r.assigned_at,
  firstAgentReplyAt: r.first_agent_reply_at,
  closedAt: r.closed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  // Only present on a handed-over conversation, so conversations read back equal what was written.
  ...(r.bridge_target
    ? { bridge: { target: r.bridge_target, ref: r.bridge_ref, since: r.bridge_since ?? r.updated_at } }
    : {}),
  ...(r.thread_ref ? { thread: r.thread_ref } : {}),
  ...(r.server_id ? { server: { id: r.server_id, name: r.server_name ?? r.server_id } } : {}),
  ...(r.required_skill ? { requiredSkill: r.required_skill } : {}),
});

/**
 * The contact's open conversations on a channel (asked by every inbound message; there is one, seldom more).
 * Not sorted by the database: on SQLite sorting whole rows in a temporary b-tree costs more than the search.
 */
const openOf = compiledOnce((db: Kysely<Database>, contactId: string, channel: ChannelName) =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('channel', '=', channel)
    .where('state', '<>', 'closed' satisfies ConversationState),
);

/**
 * The contact holding a channel identity, a row per identity of theirs and per open conversation on that
 * channel, each with the contact's member contexts (one settings row, by key): `receive` asks for them all
 * with every message, so they are one statement. Not sorted by the database
 * (whole rows in a temporary b-tree): the few identities are put in order here.
 */
const identityWithOpen = compiledOnce((db: Kysely<Database>, channel: ChannelName, externalId: string) =>
  db
    .selectFrom('contact_identities as i')
    .innerJoin('contacts as c', 'c.id', 'i.contact_id')
    .innerJoin('contact_identities as all', 'all.contact_id', 'c.id')
    .leftJoin('conversations as v', (join) =>
      join
        .onRef('v.contact_id', '=', 'c.id')
        .onRef('v.channel', '=', 'i.channel')
        .on('v.state', '<>', 'closed' satisfies ConversationState),
    )
    .leftJoin('settings as mc', (join) =>
      join.on('mc.key', '=', sql<string>`${memberContextKeyPrefix} || ${sql.ref('c.id')}`),
    )
    .selectAll('v')
    .select([
      'c.id as c_id',
      'c.name as c_name',
      'c.avatar_url as c_avatar_url',
      'c.locale as c_locale',
      'c.created_at as c_created_at',
      'all.channel as identity_channel',
      'all.external_id as identity_external_id',
      'all.position as identity_position',
      'mc.value as member_contexts',
    ])
    .where('i.channel', '=', channel)
    .where('i.external_id', '=', externalId),
);

/**
 * Of a contact's open conversations on a channel, the one in `thread` (a forum post's), or in no thread: the
 * most recently updated one if several are open. There are few, so they are told apart here.
 */
function latestOpen(
  rows: readonly Omit<Selectable<ConversationTable>, 'priority_rank'>[],
  thread: string | null,
): Conversation | undefined {
  let latest: (typeof rows)[number] | undefined;
  for (const row of rows) {
    if ((row.thread_ref ?? null) !== thread) continue;
    if (!latest || row.updated_at > latest.updated_at) latest = row;
  }
  return latest && fromRow(latest);
}

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

  async findBridged(target: string, ref: string): Promise<Conversation | undefined> {
    const row = await this.scope.db
      .selectFrom('conversations')
      .selectAll()
      .where('bridge_target', '=', target)
      .where('bridge_ref', '=', ref)
      .where('state', '!=', 'closed')
      .orderBy('created_at', 'desc')
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
    let query = this.scope.db.selectFrom('conversations as c').selectAll('c');
    if (states) query = query.where('c.state', 'in', states);
    if (filter.agentId !== undefined) query = query.where('c.agent_id', '=', filter.agentId);
    if (filter.queueId !== undefined) query = query.where('c.queue_id', '=', filter.queueId);
    if (filter.contactId !== undefined) query = query.where('c.contact_id', '=', filter.contactId);
    if (filter.caseId !== undefined) query = query.where('c.case_id', '=', filter.caseId);
    if (filter.channel !== undefined) query = query.where('c.channel', '=', filter.channel);
    if (filter.serverId !== undefined) query = query.where('c.server_id', '=', filter.serverId);
    const since = filter.activeSince;
    if (since !== undefined)
      query = query.where((eb) =>
        eb.or([
          eb('c.created_at', '>=', since),
          eb('c.first_agent_reply_at', '>=', since),
          eb('c.closed_at', '>=', since),
        ]),
      );
    // A queue is listed in the order it is served; every other list shows the latest activity first.
    const waiting = states?.length === 1 && states[0] === 'queued';
    query = waiting ? inWaitingOrder(query) : query.orderBy('c.updated_at', 'desc').orderBy('c.id', 'desc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(fromRow);
  }

  async findOpen(
    contactId: string,
    channel: ChannelName,
    thread: string | null = null,
  ): Promise<Conversation | undefined> {
    return latestOpen(await openOf(this.scope.db, contactId, channel), thread);
  }

  async findOpenByIdentity(
    channel: ChannelName,
    externalId: string,
    thread: string | null = null,
  ): Promise<
    { contact: Contact; conversation: Conversation | undefined; memberContexts: MemberContext[] } | undefined
  > {
    const rows = await identityWithOpen(this.scope.db, channel, externalId);
    const [first] = rows;
    if (!first) return undefined;
    // One row per identity and open conversation (a conversation's columns are null when none is open).
    const identities = new Map<string, Contact['identities'][number] & { position: number }>();
    type OpenRow = Omit<Selectable<ConversationTable>, 'priority_rank'>;
    const open = new Map<string, OpenRow>();
    for (const row of rows) {
      identities.set(`${row.identity_channel}\u0000${row.identity_external_id}`, {
        channel: row.identity_channel,
        externalId: row.identity_external_id,
        position: row.identity_position,
      });
      // A row with a conversation id has every conversation column as stored.
      if (row.id !== null) open.set(row.id, row as unknown as OpenRow);
    }
    const contact = contactFromRow(
      {
        id: first.c_id,
        name: first.c_name,
        avatar_url: first.c_avatar_url,
        locale: first.c_locale,
        created_at: first.c_created_at,
      },
      [...identities.values()]
        .sort((a, b) => a.position - b.position)
        .map(({ channel, externalId }) => ({ channel, externalId })),
    );
    const memberContexts =
      first.member_contexts === null ? [] : fromJson<MemberContext[]>(first.member_contexts);
    return { contact, conversation: latestOpen([...open.values()], thread), memberContexts };
  }

  async setPriority(id: string, priority: CasePriority): Promise<void> {
    const result = await this.scope.db
      .updateTable('conversations')
      .set({ priority_rank: priorityRanks[priority] })
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Conversation', id);
  }

  /**
   * One query, whatever the length of the queue: the head of `conversations_waiting_idx`, each row
   * checked for a pending reservation through `reservations_one_pending_idx`.
   */
  async claimWaiting(claim: WaitingClaim): Promise<Conversation[]> {
    if (claim.queueIds.length === 0 || claim.limit <= 0) return [];
    const db = this.scope.db;
    let query = db
      .selectFrom('conversations as c')
      .selectAll('c')
      .where('c.state', '=', queued)
      .where('c.queue_id', 'in', claim.queueIds)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reservations as r')
              .select('r.id')
              .whereRef('r.conversation_id', '=', 'c.id')
              .where('r.status', '=', pending),
          ),
        ),
      );
    if (claim.exclude && claim.exclude.length > 0) query = query.where('c.id', 'not in', claim.exclude);
    const skills = claim.skills;
    if (skills)
      query = query.where((eb) =>
        skills.length > 0
          ? eb.or([eb('c.required_skill', 'is', null), eb('c.required_skill', 'in', skills)])
          : eb('c.required_skill', 'is', null),
      );
    query = inWaitingOrder(query).limit(claim.limit);
    // SQLite has one writer at a time: its transaction is the claim.
    if (engineOf(db) === 'postgres' && db.isTransaction) query = query.forUpdate().skipLocked();
    return (await query.execute()).map(fromRow);
  }

  async queuePosition(id: string): Promise<number | null> {
    const db = this.scope.db;
    const target = await db
      .selectFrom('conversations')
      .select(['state', 'queue_id', 'priority_rank', 'queued_at', 'created_at', 'id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (target?.state !== 'queued' || !target.queue_id || !target.queued_at) return null;
    const ahead = await db
      .selectFrom('conversations as c')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('c.state', '=', queued)
      .where('c.queue_id', '=', target.queue_id)
      .where((eb) =>
        eb(
          eb.refTuple('c.priority_rank', 'c.queued_at', 'c.created_at', 'c.id'),
          '<',
          eb.tuple(Number(target.priority_rank), target.queued_at as string, target.created_at, target.id),
        ),
      )
      .executeTakeFirstOrThrow();
    return Number(ahead.n) + 1;
  }

  async waitingByQueue(): Promise<QueueWaiting[]> {
    const rows = await this.scope.db
      .selectFrom('conversations as c')
      .select((eb) => ['c.queue_id', eb.fn.countAll().as('waiting'), eb.fn.min('c.queued_at').as('oldest')])
      .where('c.state', '=', queued)
      .where('c.queue_id', 'is not', null)
      .groupBy('c.queue_id')
      .execute();
    return rows.map((r) => ({
      queueId: r.queue_id as string,
      waiting: Number(r.waiting),
      oldestQueuedAt: String(r.oldest),
    }));
  }
}

/** Rows to the model, for other readers of this table (exports). */
export { fromRow as conversationFromRow };
