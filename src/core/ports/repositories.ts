import type { Announcement, AnnouncementSource, AnnouncementStatus } from '../announcements/announcement.ts';
import type { Flow } from '../flows/flow-definition.ts';
import type {
  Agent,
  ApiToken,
  Article,
  CannedResponse,
  Case,
  CaseKind,
  CasePriority,
  CaseStatus,
  ChannelName,
  ChannelReceipt,
  ChannelStatus,
  Contact,
  Conversation,
  ConversationState,
  ExampleProposal,
  MemberContext,
  Message,
  OutboxItem,
  Queue,
  Reservation,
  ReservationStatus,
  Session,
  TimelineEntry,
  WebchatVisitor,
} from '../model.ts';
import type { BotOutcome, BotTurn } from '../outcomes/bot-outcome.ts';
import type { BotTextRepository } from './bot-text-repository.ts';
import type { ExportRepository } from './export-repository.ts';
import type { AgentViewingRepository, ConversationNoteRepository } from './monitor-repositories.ts';
import type { RetentionRepository } from './retention-repository.ts';
import type { SearchRepository } from './search-repository.ts';
import type { SlaRepository } from './sla-repository.ts';
import type { WebhookRepository } from './webhook-repository.ts';

/**
 * Repository ports. Implementations live in `src/storage/` (Kysely over SQLite and PostgreSQL)
 * and all pass the one contract suite in `src/storage/repository-contract.ts`.
 * `get*` returns `undefined` when nothing matches; `update*` of a missing row throws DomainError('not_found').
 */

export interface ContactFilter {
  /** Case-insensitive substring of the name or of any channel identity's external id. */
  text?: string;
  limit?: number;
  offset?: number;
}

export interface ContactRepository {
  get(id: string): Promise<Contact | undefined>;
  findByIdentity(channel: ChannelName, externalId: string): Promise<Contact | undefined>;
  create(contact: Contact): Promise<void>;
  /**
   * Creates the contact unless another one already holds one of its identities (a concurrent first
   * contact, on this instance or another); returns the stored contact either way.
   */
  createIfAbsent(contact: Contact): Promise<Contact>;
  update(contact: Contact): Promise<void>;
  /** Newest `createdAt` first. */
  list(filter: ContactFilter): Promise<Contact[]>;
}

export interface ConversationFilter {
  state?: ConversationState | ConversationState[];
  /** Created, first answered by an agent, or closed at or after this instant (the supervisor's figures). */
  activeSince?: string;
  agentId?: string;
  queueId?: string;
  contactId?: string;
  caseId?: string;
  channel?: ChannelName;
  /** Only those that came through this server (`Conversation.server.id`). */
  serverId?: string;
  limit?: number;
}

export interface ConversationRepository {
  get(id: string): Promise<Conversation | undefined>;
  create(conversation: Conversation): Promise<void>;
  update(conversation: Conversation): Promise<void>;
  /**
   * Newest first by `updatedAt`, except `state: 'queued'` filters, which come in the waiting order:
   * priority first (urgent to low), then oldest `queuedAt`.
   */
  list(filter: ConversationFilter): Promise<Conversation[]>;
  /** The newest conversation not `closed` handed to bridge `target` under its id there (`ref`), if any. */
  findBridged(target: string, ref: string): Promise<Conversation | undefined>;
  /**
   * The contact's conversation on this channel that is not `closed`, if any: the one in `thread` (a forum
   * post) when given, else the one in no thread.
   */
  findOpen(
    contactId: string,
    channel: ChannelName,
    thread?: string | null,
  ): Promise<Conversation | undefined>;
  /**
   * The contact holding this channel identity (as `contacts.findByIdentity`) with their open conversation on
   * that channel (as `findOpen`) and their stored member contexts (as the `contact.member-context:` setting;
   * `[]` when none), read together: every inbound message needs them.
   */
  findOpenByIdentity(
    channel: ChannelName,
    externalId: string,
    thread?: string | null,
  ): Promise<
    { contact: Contact; conversation: Conversation | undefined; memberContexts: MemberContext[] } | undefined
  >;
  /** Sets where a queued conversation stands in the waiting order (default `normal`). */
  setPriority(id: string, priority: CasePriority): Promise<void>;
  /**
   * Takes up to `limit` conversations for an offer round, in the waiting order: `queued` in one of
   * `queueIds`, with no pending reservation, not in `exclude`. Inside a transaction on PostgreSQL the rows
   * stay locked until it ends, and rows another transaction holds are skipped, so that concurrent rounds
   * (other instances) take different conversations.
   */
  claimWaiting(claim: WaitingClaim): Promise<Conversation[]>;
  /** 1-based place of a queued conversation in its queue's waiting order; null when it is not queued. */
  queuePosition(id: string): Promise<number | null>;
  /** For each queue with conversations waiting: how many, and since when the oldest has waited. */
  waitingByQueue(): Promise<QueueWaiting[]>;
}

export interface WaitingClaim {
  queueIds: string[];
  limit: number;
  exclude?: string[];
  /** Only conversations that need no skill of their own or one of these (the skills of the agents with room). */
  skills?: string[];
}

export interface QueueWaiting {
  queueId: string;
  waiting: number;
  oldestQueuedAt: string;
}

export interface MessageRepository {
  /**
   * Stores the message. Returns false and stores nothing when `externalId` is already stored for the conversation's channel.
   * Without `inbound` the message is stored processed; with it, it waits (unprocessed) for its handling.
   */
  insert(message: Message, channel: ChannelName, inbound?: InboundProcessing): Promise<boolean>;
  findByExternalId(channel: ChannelName, externalId: string): Promise<Message | undefined>;
  /** Oldest first. */
  listByConversation(conversationId: string): Promise<Message[]>;
  /** The conversation's newest `limit` messages, oldest first (what `listByConversation` ends with). */
  listRecent(conversationId: string, limit: number): Promise<Message[]>;
  /** Whether the conversation has a message waiting for its handling (unprocessed, claimed fewer than `maxAttempts` times). */
  hasUnprocessed(conversationId: string, maxAttempts: number): Promise<boolean>;
  /**
   * Claims, for each conversation, its oldest waiting message (created, then stored, first), if no live claim
   * holds it: atomic across stores on one database, so one owner gets it; each claim counts an attempt.
   * A conversation's next message is never claimed while an older one waits. Oldest first.
   */
  claimUnprocessed(claim: InboundClaim): Promise<PendingInbound[]>;
  /** Extends `owner`'s claim to `until`; false when another owner has claimed the message since. */
  holdClaim(messageId: string, owner: string, until: string): Promise<boolean>;
  /** Marks the message processed (first time wins) if `owner` holds its claim; false when another owner does. */
  markProcessed(messageId: string, owner: string, at: string): Promise<boolean>;
  /** Ends `owner`'s claim of a message still waiting, so that it can be claimed again at once. */
  releaseClaim(messageId: string, owner: string): Promise<void>;
}

/** How a contact's message waits to be handled: see `MessageRepository.insert`. */
export interface InboundProcessing {
  /** The button or command that came with the message (`handoff`, `resolved`, …), needed to handle it later. */
  action: string | null;
  /** Held by the storer, who handles it at once; null leaves it to whoever claims it next. Counts an attempt. */
  claim: { owner: string; until: string } | null;
}

export interface InboundClaim {
  now: string;
  leaseUntil: string;
  owner: string;
  limit: number;
  /** Messages claimed this many times already are given up: neither claimed nor waited for. */
  maxAttempts: number;
  /** Only messages created at or before this instant (fresh ones are being handled by their receiver). */
  createdBefore?: string;
  /** Only this conversation's. */
  conversationId?: string;
}

/** A contact's message waiting for its handling, as claimed. */
export interface PendingInbound {
  message: Message;
  channel: ChannelName;
  action: string | null;
  /** Claims so far, this one included. */
  attempts: number;
}

export interface CaseFilter {
  kind?: CaseKind;
  status?: CaseStatus;
  priority?: CasePriority;
  assigneeId?: string;
  contactId?: string;
  /** Case-insensitive substring of subject, fields or `#number`. */
  text?: string;
  /** Cases whose contact gave a rating at or after this instant (the CSAT figure). */
  ratedSince?: string;
  /** `newest` (the default) or `votes`: most voted first (feature requests by demand), then newest. */
  sort?: CaseSort;
  /** Only those that came through this server (`Case.server.id`). */
  serverId?: string;
  limit?: number;
  offset?: number;
}

export const caseSorts = ['newest', 'votes'] as const;
export type CaseSort = (typeof caseSorts)[number];

export interface CaseRepository {
  /** Atomically takes the next case number (1001, 1002, …); unique under concurrent callers and instances. */
  nextNumber(): Promise<number>;
  create(kase: Case): Promise<void>;
  update(kase: Case): Promise<void>;
  get(id: string): Promise<Case | undefined>;
  getByNumber(number: number): Promise<Case | undefined>;
  /** Newest first. */
  list(filter: CaseFilter): Promise<Case[]>;
  addTimelineEntry(entry: TimelineEntry): Promise<void>;
  /** Oldest first. */
  listTimeline(caseId: string): Promise<TimelineEntry[]>;
  /** Records one vote per voter; returns false when this voter already voted. */
  addVote(caseId: string, voterId: string): Promise<boolean>;
  /** The voters of a case (contact ids), in the order they voted. */
  listVoters(caseId: string): Promise<string[]>;
}

export interface AgentRepository {
  get(id: string): Promise<Agent | undefined>;
  getByEmail(email: string): Promise<Agent | undefined>;
  list(): Promise<Agent[]>;
  create(agent: Agent): Promise<void>;
  update(agent: Agent): Promise<void>;
  /** Records a heartbeat of the agent's live desktop at `at` (`update` never changes it). */
  touch(id: string, at: string): Promise<void>;
  /** Turns `available` agents with no heartbeat since `before` into `away`; returns those it changed. */
  markAwayUnseenSince(before: string): Promise<Agent[]>;
  /**
   * In one query: active, available agents whose load (conversations held, assigned or wrapping, plus
   * pending reservations) is below their capacity; longest idle first. With `lock`, inside a transaction
   * on PostgreSQL, every active, available agent's row is locked first and the load counted after, so
   * that concurrent offer rounds (other instances) wait for each other and see each other's offers.
   */
  listWithRoom(options?: { lock?: boolean }): Promise<AgentLoad[]>;
  /** The agent's load; with `lock` (as above) counted after locking the agent's row. */
  loadOf(id: string, options?: { lock?: boolean }): Promise<number>;
}

export interface AgentLoad {
  agent: Agent;
  load: number;
}

export interface QueueRepository {
  get(id: string): Promise<Queue | undefined>;
  getByName(name: string): Promise<Queue | undefined>;
  list(): Promise<Queue[]>;
  create(queue: Queue): Promise<void>;
  /** Creates the queue unless one has its name (created meanwhile by another caller); returns the stored one. */
  createIfAbsent(queue: Queue): Promise<Queue>;
  update(queue: Queue): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface ReservationFilter {
  status?: Reservation['status'];
  agentId?: string;
  conversationId?: string;
}

export interface ReservationRepository {
  get(id: string): Promise<Reservation | undefined>;
  create(reservation: Reservation): Promise<void>;
  update(reservation: Reservation): Promise<void>;
  /** Oldest first. */
  list(filter: ReservationFilter): Promise<Reservation[]>;
  /** Pending reservations whose `expiresAt` is at or before `now`. */
  listExpired(now: string): Promise<Reservation[]>;
  /** Stores a pending reservation unless its conversation already has one (the database decides); false then. */
  createPending(reservation: Reservation): Promise<boolean>;
  /**
   * Ends a pending reservation (`accepted`, `rejected`, `timed_out`, `canceled`) at `at`, only if it is
   * still pending (and, when given, still unexpired at `unexpiredAt`); undefined when it was not, so
   * that of concurrent callers on any instance exactly one ends it.
   */
  settle(
    id: string,
    status: Exclude<ReservationStatus, 'pending'>,
    at: string,
    unexpiredAt?: string,
  ): Promise<Reservation | undefined>;
  /** Times out the pending reservations due at `now`; each is returned to one caller only. */
  expireDue(now: string): Promise<Reservation[]>;
  /** Cancels the pending reservations of an agent or of a conversation at `at`; returns those it canceled. */
  cancelPending(filter: { agentId: string } | { conversationId: string }, at: string): Promise<Reservation[]>;
  /**
   * For each of these conversations, the agents who rejected its offer or let it time out since the
   * conversation was last queued.
   */
  listDeclined(conversationIds: string[]): Promise<{ conversationId: string; agentId: string }[]>;
}

export interface OutboxRepository {
  /** Appends an item; storage assigns `seq`. Returns the stored item. */
  add(item: Omit<OutboxItem, 'seq'>): Promise<OutboxItem>;
  /**
   * For each conversation, its oldest pending item, if that item is due (`nextAttemptAt <= now`).
   * A conversation whose oldest pending item is not yet due yields nothing, so order is kept.
   */
  listDue(now: string, limit: number): Promise<OutboxItem[]>;
  /**
   * Takes up to `limit` items that `listDue` would yield and that no live lease holds, leasing them to
   * `owner` until `leaseUntil`; atomic across stores on one database, so an item is claimed once.
   * An expired lease (its holder died) lets another owner claim the item.
   */
  claimDue(claim: OutboxClaim): Promise<OutboxItem[]>;
  /** Stores a claimed item's outcome and releases it; false when `owner` no longer holds the claim. */
  finish(item: OutboxItem, owner: string): Promise<boolean>;
  /**
   * Makes a `failed` item of the conversation `pending` again, due at `now`. `not_found` when the
   * conversation has no such item, `conflict` when it is not `failed`.
   */
  resend(conversationId: string, seq: number, now: string): Promise<OutboxItem>;
  /** Per channel with any: pending items (and the oldest one's `createdAt`), items failed since `failedSince`. */
  health(failedSince: string): Promise<OutboxChannelHealth[]>;
  update(item: OutboxItem): Promise<void>;
  listByConversation(conversationId: string): Promise<OutboxItem[]>;
}

export interface OutboxClaim {
  now: string;
  leaseUntil: string;
  owner: string;
  limit: number;
}

export interface OutboxChannelHealth {
  channel: ChannelName;
  pending: number;
  oldestPendingAt: string | null;
  recentlyFailed: number;
}

export interface ArticleFilter {
  locale?: string;
  published?: boolean;
  limit?: number;
  offset?: number;
}

/** One entry of the knowledge-base change log: the article was created, changed or deleted. */
export interface ArticleChange {
  /** Increases with every change; changes become visible in `seq` order. */
  seq: number;
  articleId: string;
}

/**
 * Articles. Every `create`, `update` and `delete` also appends an `ArticleChange`, in the same
 * transaction, so that every process's search index can follow writes made by any other.
 */
export interface ArticleRepository {
  get(id: string): Promise<Article | undefined>;
  list(filter: ArticleFilter): Promise<Article[]>;
  create(article: Article): Promise<void>;
  update(article: Article): Promise<void>;
  delete(id: string): Promise<void>;
  count(): Promise<number>;
  /** Changes with a `seq` above `after`, lowest first, at most `limit`. */
  changesSince(after: number, limit: number): Promise<ArticleChange[]>;
  /** The lowest and highest `seq` still in the log (both 0 when it is empty). */
  changeLogBounds(): Promise<{ first: number; last: number }>;
  /** Forgets the changes with a `seq` below `seq` (never the newest one). */
  forgetChangesBefore(seq: number): Promise<void>;
}

export interface FlowRepository {
  get(id: string): Promise<Flow | undefined>;
  list(): Promise<Flow[]>;
  getActive(): Promise<Flow | undefined>;
  /** Inserts or replaces; when `flow.active`, every other flow becomes inactive. */
  save(flow: Flow): Promise<void>;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
  /** Ends every session of the agent; returns the ended sessions' ids. */
  deleteByAgent(agentId: string): Promise<string[]>;
}

export interface ApiTokenRepository {
  create(token: ApiToken): Promise<void>;
  get(id: string): Promise<ApiToken | undefined>;
  findByTokenHash(tokenHash: string): Promise<ApiToken | undefined>;
  listByAgent(agentId: string): Promise<ApiToken[]>;
  delete(id: string): Promise<void>;
  /** Revokes every token of the agent; returns the revoked tokens' ids. */
  deleteByAgent(agentId: string): Promise<string[]>;
}

export interface ExampleProposalRepository {
  get(id: string): Promise<ExampleProposal | undefined>;
  create(proposal: ExampleProposal): Promise<void>;
  update(proposal: ExampleProposal): Promise<void>;
  /** Oldest first. */
  list(filter: { status?: ExampleProposal['status']; articleId?: string }): Promise<ExampleProposal[]>;
}

export interface CannedResponseFilter {
  /** Case-insensitive substring of the shortcut, title or text. */
  text?: string;
  limit?: number;
}

export interface CannedResponseRepository {
  get(id: string): Promise<CannedResponse | undefined>;
  getByShortcut(shortcut: string): Promise<CannedResponse | undefined>;
  /** By shortcut. */
  list(filter: CannedResponseFilter): Promise<CannedResponse[]>;
  /** A shortcut is unique: storing a second one with the same shortcut fails. */
  create(response: CannedResponse): Promise<void>;
  update(response: CannedResponse): Promise<void>;
  /** Deleting a missing one is a no-op. */
  delete(id: string): Promise<void>;
}

/** A plain JSON key/value store for small settings (e.g. connector state). */
export interface SettingRepository {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

/** Announcement sources, announcements (posted once per source key) and seen webhook deliveries. */
export interface AnnouncementRepository {
  createSource(source: AnnouncementSource): Promise<void>;
  getSource(id: string): Promise<AnnouncementSource | undefined>;
  listSources(): Promise<AnnouncementSource[]>;
  updateSource(source: AnnouncementSource): Promise<void>;
  deleteSource(id: string): Promise<void>;
  /**
   * Enabled feeds due at `now` that no poll holds, each claimed until `leaseUntil` so that no other
   * instance polls it meanwhile; storing the source (`updateSource`) ends the claim.
   */
  claimDueSources(now: string, leaseUntil: string, limit: number): Promise<AnnouncementSource[]>;
  /** Claims one feed for a poll now, due or not; undefined when another poll holds it or it is gone. */
  claimSource(id: string, now: string, leaseUntil: string): Promise<AnnouncementSource | undefined>;
  /** Inserts unless the source already has this `externalKey`; true when inserted. */
  insertIfNew(announcement: Announcement): Promise<boolean>;
  get(id: string): Promise<Announcement | undefined>;
  list(filter: { sourceId?: string; status?: AnnouncementStatus; limit?: number }): Promise<Announcement[]>;
  /** Marks due `scheduled` (and stale `posting`) announcements `posting` and returns them in order. */
  claimDue(now: string, staleBefore: string, limit: number): Promise<Announcement[]>;
  update(announcement: Announcement): Promise<void>;
  /** Remembers a webhook delivery until `expiresAt`; false when it was already seen (a replay). */
  rememberDelivery(key: string, expiresAt: string): Promise<boolean>;
  forgetDeliveriesBefore(now: string): Promise<void>;
  /** Makes `caseIds` the cases the announcement closes once posted (a release note); replaces earlier links. */
  linkCases(announcementId: string, caseIds: string[], at: string): Promise<void>;
  /** The cases linked to the announcement, in the order they were given. */
  linkedCases(announcementId: string): Promise<string[]>;
  /** Marks the linked cases not released yet as released at `at` and returns them (each once, ever). */
  releaseLinkedCases(announcementId: string, at: string): Promise<string[]>;
  /** Records that the member is told of the release note; false when they already were. */
  claimReleaseNotice(announcementId: string, contactId: string, at: string): Promise<boolean>;
}

/** Web-chat visitors, found by the hash of the token the server issued them. */
export interface WebchatVisitorRepository {
  create(visitor: WebchatVisitor): Promise<void>;
  get(id: string): Promise<WebchatVisitor | undefined>;
  findByTokenHash(tokenHash: string): Promise<WebchatVisitor | undefined>;
  /** Updating a missing visitor is a `not_found` DomainError. */
  update(visitor: WebchatVisitor): Promise<void>;
}

/** What a channel reported of the message parts it accepted (Twilio's status callbacks), by its own id. */
export interface ChannelReceiptRepository {
  /**
   * Records parts the channel accepted for a message. A part already reported on (the report came first)
   * keeps its status and gains the message it belongs to.
   */
  recordSent(receipts: Omit<ChannelReceipt, 'status' | 'errorCode'>[]): Promise<void>;
  /**
   * Sets a part's status unless it already holds a later one (`delivered` stays when a late `sent`
   * arrives); a part not recorded yet is kept with the report. Returns the receipt afterwards and whether
   * this report changed it.
   */
  report(
    channel: ChannelName,
    externalId: string,
    status: ChannelStatus,
    errorCode: string | null,
    at: string,
  ): Promise<{ receipt: ChannelReceipt; changed: boolean }>;
  listByMessage(messageId: string): Promise<ChannelReceipt[]>;
  listByConversation(conversationId: string): Promise<ChannelReceipt[]>;
}

/** Addresses that asked a channel to send them nothing more (SMS STOP), per channel. */
export interface ChannelOptOutRepository {
  isOptedOut(channel: ChannelName, address: string): Promise<boolean>;
  /** Opted out (idempotent) or back in (`optedOut: false`). */
  set(channel: ChannelName, address: string, optedOut: boolean, at: string): Promise<void>;
}

/** One tenure of a lease: who holds the named work, until when, and the fencing token of this tenure. */
export interface Lease {
  name: string;
  owner: string;
  /** Raised by every acquisition: a later tenure always has a higher token than an earlier one. */
  token: number;
  expiresAt: string;
  acquiredAt: string;
}

export interface LeaseRequest {
  name: string;
  owner: string;
  /** The caller's clock; the lease expires `ttlMs` after it. */
  now: string;
  ttlMs: number;
  /** Take it even from a live holder (a single instance taking its own lease back after a crash). */
  force?: boolean;
}

/**
 * Leases with expiry and fencing, for work one instance at a time may do (a Discord gateway shard).
 * Every call is one atomic statement, so two instances racing for a lease never both get it.
 */
export interface LeaseRepository {
  /** Takes the lease when nobody holds it or its holder's expiry has passed at `now` (a new tenure, a higher token); undefined when it is held. */
  acquire(request: LeaseRequest): Promise<Lease | undefined>;
  /** Extends the holder's own unexpired tenure; undefined when it expired or another owner took it. */
  renew(lease: Lease, now: string, ttlMs: number): Promise<Lease | undefined>;
  /** Ends the tenure (it expires at once); false when it was no longer this tenure. */
  release(lease: Lease): Promise<boolean>;
  get(name: string): Promise<Lease | undefined>;
  /** Leases whose name starts with `prefix`, by name. */
  list(prefix: string): Promise<Lease[]>;
}

export interface BotTurnFilter {
  /** Created at or after this instant. */
  since: string;
  intent?: BotTurn['intent'];
  /** Only turns no draft article was made from yet. */
  undrafted?: boolean;
  /** Leaves out turns whose member's words were negative feedback. */
  withoutNegative?: boolean;
  limit: number;
}

export interface ArticleAnswerCount {
  articleId: string;
  /** Answers whose first article it was, created in the window. */
  answered: number;
  /** Of answers with it first, those the member marked "This solved it" in the window. */
  solved: number;
}

/** What the bot solves: its replies (turns) and each bot conversation's outcome. */
export interface BotOutcomeRepository {
  /** Stores the bot's reply to a contact message; false (and nothing stored) when that message has one. */
  addTurn(turn: BotTurn): Promise<boolean>;
  /** The conversation's turns, oldest first. */
  listTurns(conversationId: string): Promise<BotTurn[]>;
  /** The newest `limit` turns matching, oldest first. */
  findTurns(filter: BotTurnFilter): Promise<BotTurn[]>;
  /** Oldest first. */
  getTurns(messageIds: string[]): Promise<BotTurn[]>;
  /** Marks the turn solved at `at`, once; false when it already was (or is missing). */
  markSolved(messageId: string, at: string): Promise<boolean>;
  /** Links turns to the draft article made from them; only turns without one. Returns how many. */
  markDrafted(messageIds: string[], articleId: string): Promise<number>;
  /** Per article: answers and "solved" in `[since, until)`. */
  articleCounts(since: string, until: string): Promise<ArticleAnswerCount[]>;
  /**
   * Stores the outcome unless the conversation already has one at least as strong (handed off >
   * resolved > abandoned), which it keeps; returns whether this one was stored.
   */
  record(outcome: BotOutcome): Promise<boolean>;
  get(conversationId: string): Promise<BotOutcome | undefined>;
  /** Outcomes that occurred in `[since, until)`, oldest first. */
  listOutcomes(since: string, until: string): Promise<BotOutcome[]>;
  /** Conversations still with the bot, with no message at or after `before` (created before it), oldest first. */
  listIdleBotConversations(before: string, limit: number): Promise<string[]>;
  /** How many conversations are with the bot now without an outcome yet. */
  countOpenWithoutOutcome(): Promise<number>;
}

export interface Repositories {
  contacts: ContactRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  cases: CaseRepository;
  agents: AgentRepository;
  queues: QueueRepository;
  reservations: ReservationRepository;
  outbox: OutboxRepository;
  articles: ArticleRepository;
  flows: FlowRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  settings: SettingRepository;
  proposals: ExampleProposalRepository;
  cannedResponses: CannedResponseRepository;
  announcements: AnnouncementRepository;
  webchatVisitors: WebchatVisitorRepository;
  channelReceipts: ChannelReceiptRepository;
  channelOptOuts: ChannelOptOutRepository;
  leases: LeaseRepository;
  botOutcomes: BotOutcomeRepository;
  webhooks: WebhookRepository;
  search: SearchRepository;
  exports: ExportRepository;
  retention: RetentionRepository;
  botTexts: BotTextRepository;
  conversationNotes: ConversationNoteRepository;
  agentViewing: AgentViewingRepository;
  sla: SlaRepository;
}

/** The unit of work: repositories outside a transaction, and a way to run several writes atomically. */
export interface Store extends Repositories {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs `work` in one database transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Like `transaction`, but `work` may share one commit with other grouped transactions started meanwhile
   * (group commit: on SQLite's single writer, many concurrent receives cost one transaction). Each `work`
   * runs on a savepoint of its own: one that throws is rolled back alone and rejects, the others commit.
   * It resolves only after the commit. `work` must touch only the database (it holds up the group).
   */
  groupedTransaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
