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
  Contact,
  Conversation,
  ConversationState,
  ExampleProposal,
  Message,
  OutboxItem,
  Queue,
  Reservation,
  Session,
  TimelineEntry,
  WebchatVisitor,
} from '../model.ts';

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
  limit?: number;
}

export interface ConversationRepository {
  get(id: string): Promise<Conversation | undefined>;
  create(conversation: Conversation): Promise<void>;
  update(conversation: Conversation): Promise<void>;
  /** Newest first by `updatedAt`, except `state: 'queued'` filters, which come oldest `queuedAt` first. */
  list(filter: ConversationFilter): Promise<Conversation[]>;
  /** The contact's conversation on this channel that is not `closed`, if any. */
  findOpen(contactId: string, channel: ChannelName): Promise<Conversation | undefined>;
}

export interface MessageRepository {
  /** Stores the message. Returns false and stores nothing when `externalId` is already stored for the conversation's channel. */
  insert(message: Message, channel: ChannelName): Promise<boolean>;
  findByExternalId(channel: ChannelName, externalId: string): Promise<Message | undefined>;
  /** Oldest first. */
  listByConversation(conversationId: string): Promise<Message[]>;
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
  limit?: number;
  offset?: number;
}

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
}

export interface QueueRepository {
  get(id: string): Promise<Queue | undefined>;
  getByName(name: string): Promise<Queue | undefined>;
  list(): Promise<Queue[]>;
  create(queue: Queue): Promise<void>;
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
  /** Enabled feeds due at `now`, each pushed to `leaseUntil` so that no other instance polls it meanwhile. */
  claimDueSources(now: string, leaseUntil: string, limit: number): Promise<AnnouncementSource[]>;
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
}

/** Web-chat visitors, found by the hash of the token the server issued them. */
export interface WebchatVisitorRepository {
  create(visitor: WebchatVisitor): Promise<void>;
  get(id: string): Promise<WebchatVisitor | undefined>;
  findByTokenHash(tokenHash: string): Promise<WebchatVisitor | undefined>;
  /** Updating a missing visitor is a `not_found` DomainError. */
  update(visitor: WebchatVisitor): Promise<void>;
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
}

/** The unit of work: repositories outside a transaction, and a way to run several writes atomically. */
export interface Store extends Repositories {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs `work` in one database transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
