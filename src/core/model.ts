/**
 * The vocabulary of Switchboard (see ARCHITECTURE.md). Plain data: timestamps are ISO-8601 strings,
 * ids are opaque strings. Every type here is what repositories store and the API returns.
 */

/** A way messages arrive and leave. Connectors may add their own names; these are the known ones. */
export type ChannelName = 'discord' | 'webchat' | 'sms' | 'flex' | (string & {});

export interface ChannelIdentity {
  channel: ChannelName;
  /** The channel's own id for the person: Discord user id, phone number, web-chat visitor id. */
  externalId: string;
}

export interface Contact {
  id: string;
  name: string;
  avatarUrl: string | null;
  /** Last known locale, e.g. `en-US`, `ar`. */
  locale: string | null;
  identities: ChannelIdentity[];
  createdAt: string;
}

/** Something a channel names by id and by name (a Discord server, role or channel). */
export interface NamedRef {
  id: string;
  name: string;
}

/**
 * What a channel tells of a contact as a member of one of its communities (a Discord server): their roles,
 * when they joined, whether they support it (a Discord boost), how old their account is, and where their
 * latest request came from. Given by the connector with each message, kept per community; flows read it
 * (`member.*`, `request.channel`) and agents see it beside the conversation.
 */
export interface MemberContext {
  /** The channel that told it, e.g. `discord`. */
  channel: ChannelName;
  server: NamedRef;
  roles: NamedRef[];
  joinedAt: string | null;
  /** Since when the member boosts the server; null when they do not. */
  boostingSince: string | null;
  accountCreatedAt: string | null;
  /** The server's channel the latest request came from (where `/helpme` was run, a forum); null when none yet. */
  requestChannel: NamedRef | null;
  updatedAt: string;
}

export const conversationStates = ['bot', 'queued', 'assigned', 'wrapping', 'closed'] as const;
export type ConversationState = (typeof conversationStates)[number];

export interface Conversation {
  id: string;
  contactId: string;
  channel: ChannelName;
  state: ConversationState;
  /** Channel-specific reply address (e.g. the Discord DM channel id); set by the connector. */
  address: Record<string, unknown>;
  queueId: string | null;
  agentId: string | null;
  caseId: string | null;
  /** Detected language of the contact's latest message, e.g. `en`, `ar`. */
  language: string | null;
  wrapUpNote: string | null;
  /** When the contact was asked to rate the closed conversation, until they do (then null). */
  ratingRequestedAt?: string | null;
  /** When the contact who rated was asked for a comment, until they write it or the wait ends (then null). */
  commentRequestedAt?: string | null;
  /** When the member, silent after an agent's message, was reminded (idle conversations); absent otherwise. */
  idleRemindedAt?: string | null;
  queuedAt: string | null;
  assignedAt: string | null;
  firstAgentReplyAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Set while (and after) the conversation is handed to an outside contact center; absent otherwise. */
  bridge?: ConversationBridge | null;
  /**
   * The thread of its channel this conversation lives in (a Discord forum post), set by the connector; absent
   * for the contact's usual conversation. Each thread is a conversation of its own.
   */
  thread?: string | null;
  /** The server (community) the contact came through, e.g. a Discord guild; absent when none is known. */
  server?: ServerRef | null;
  /** A skill its agent needs beyond the queue's (a member's role route: `Partner` → `partner`); absent when none. */
  requiredSkill?: string | null;
}

/**
 * A server of a channel that has several (the brand's Discord servers): its id there, and its name as it
 * was when the conversation or case came through it. Queues and case numbers are shared across servers.
 */
export interface ServerRef {
  id: string;
  name: string;
}

/**
 * A conversation handed to an outside contact center (Twilio Flex): its agents answer there, so the desktop
 * shows it read-only and the router never offers it.
 */
export interface ConversationBridge {
  /** The bridge's name (`flex`): the connector that does its work through the outbox. */
  target: string;
  /** The outside contact center's id of the conversation (Flex: the Twilio conversation sid), once known. */
  ref: string | null;
  since: string;
}

/** One message of the transcript handed over with a conversation, oldest first. */
export interface BridgeTranscriptLine {
  messageId: string;
  authorKind: AuthorKind;
  text: string;
  attachments: Attachment[];
  createdAt: string;
}

/**
 * Work for a bridge's connector (on `OutboundMessage.bridge`): `open` hands the conversation over (with the
 * transcript so far and a summary), `forward` passes on one contact message written while it is handed over.
 */
export type BridgeWork =
  | {
      type: 'open';
      contact: { id: string; name: string };
      /** The conversation's own channel (`discord`); `OutboundMessage.address` is its address there. */
      channel: string;
      caseNumber: number | null;
      summary: string;
      transcript: BridgeTranscriptLine[];
    }
  | { type: 'forward'; contact: { id: string; name: string } };

export const authorKinds = ['contact', 'bot', 'agent', 'system'] as const;
export type AuthorKind = (typeof authorKinds)[number];

export interface Attachment {
  url: string;
  name: string;
  contentType?: string;
}

export interface SuggestedArticle {
  id: string;
  title: string;
  excerpt: string;
  url: string;
  score: number;
}

export interface Message {
  id: string;
  conversationId: string;
  authorKind: AuthorKind;
  /** Agent id for `agent`, contact id for `contact`, null otherwise. */
  authorId: string | null;
  text: string;
  attachments: Attachment[];
  /** Articles the virtual agent suggested in this message. */
  articles: SuggestedArticle[];
  /** The channel's own message id for inbound messages; the key of idempotent receive. */
  externalId: string | null;
  createdAt: string;
  /** How a message to the contact stands in the outbox; set on transcripts only (null: nothing to deliver). */
  delivery?: MessageDelivery | null;
}

/** A message's outbox item as people see it: `failed` ones wait for someone to resend them. */
export interface MessageDelivery {
  seq: number;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  /** What the channel reported after accepting it (SMS, WhatsApp status callbacks); null: nothing yet. */
  channelStatus?: ChannelStatusReport | null;
}

/**
 * A channel's report of what became of a message it accepted. Only ever moves forward (`delivered` is not
 * undone by a late `sent`); `failed`/`undelivered` carry the channel's error code.
 */
export const channelStatuses = ['queued', 'sent', 'failed', 'undelivered', 'delivered', 'read'] as const;
export type ChannelStatus = (typeof channelStatuses)[number];

export interface ChannelStatusReport {
  status: ChannelStatus;
  errorCode: string | null;
  at: string;
}

/** One message part a channel accepted (its own id), and what the channel last said of it. */
export interface ChannelReceipt {
  channel: ChannelName;
  /** The channel's id of the part, e.g. Twilio's `SM…` sid. */
  externalId: string;
  /** The stored Message it delivers; null until known (a report can come before the send is recorded). */
  messageId: string | null;
  conversationId: string | null;
  /** Which part of a message split for the channel's length limit, from 0. */
  part: number;
  status: ChannelStatus | null;
  errorCode: string | null;
  updatedAt: string;
}

export const caseKinds = ['support', 'bug', 'feature'] as const;
export type CaseKind = (typeof caseKinds)[number];
export const caseStatuses = ['new', 'open', 'pending', 'solved', 'closed'] as const;
export type CaseStatus = (typeof caseStatuses)[number];
export const casePriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof casePriorities)[number];

/** Custom fields of a bug report (and of a feature request's description). */
export interface CaseFields {
  description?: string;
  steps?: string;
  expected?: string;
  actual?: string;
  platform?: string;
  version?: string;
  [key: string]: string | undefined;
}

export interface Case {
  id: string;
  /** Human-friendly number, shown as `#1001`; unique and increasing. */
  number: number;
  kind: CaseKind;
  status: CaseStatus;
  priority: CasePriority;
  subject: string;
  contactId: string | null;
  assigneeId: string | null;
  tags: string[];
  fields: CaseFields;
  /** Customer satisfaction 1–5 given after the conversation closed. */
  rating: number | null;
  /** What the contact wrote about the help after rating it; absent until they do. */
  ratingComment?: string | null;
  votes: number;
  /** Who opened it: the contact (e.g. `/bug`), an agent, or the bot on the contact's behalf (a hand-off). */
  openedBy: CaseOpener | null;
  /** The case's public post, e.g. its message in #bug-report (`https://discord.com/channels/…`). */
  postUrl: string | null;
  createdAt: string;
  updatedAt: string;
  /** The server the case came through (its conversation's, or where `/bug` was run); absent when none. */
  server?: ServerRef | null;
}

export const caseOpenerKinds = ['contact', 'agent', 'bot'] as const;
export type CaseOpenerKind = (typeof caseOpenerKinds)[number];

export interface CaseOpener {
  kind: CaseOpenerKind;
  /** The contact's or agent's id; for `bot`, the contact on whose behalf it was opened. */
  id: string | null;
}

export interface Actor {
  kind: 'agent' | 'contact' | 'system';
  id: string | null;
}

export const timelineEntryTypes = [
  'created',
  'status',
  'priority',
  'assignee',
  'tags',
  'subject',
  'fields',
  'note',
  'conversation_linked',
  'rating',
  'rating_comment',
  'vote',
  // Merged into another case (data: into, votes carried) or another case merged into it (data: from).
  'merged',
  // A release note closed it (data: announcementId, title, url).
  'released',
  // An SLA target passed (data: metric, target minutes, due time).
  'sla_breach',
] as const;
export type TimelineEntryType = (typeof timelineEntryTypes)[number];

/** One change of a case: who, what, when. Internal notes are timeline entries of type `note`. */
export interface TimelineEntry {
  id: string;
  caseId: string;
  type: TimelineEntryType;
  actor: Actor;
  data: Record<string, unknown>;
  at: string;
}

export const agentRoles = ['admin', 'supervisor', 'agent'] as const;
export type AgentRole = (typeof agentRoles)[number];
export const presences = ['available', 'away', 'offline'] as const;
export type Presence = (typeof presences)[number];

/** `removed` is a soft removal: the agent keeps their history but can never sign in again. */
export const agentStatuses = ['active', 'deactivated', 'removed'] as const;
export type AgentStatus = (typeof agentStatuses)[number];

export interface Agent {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  skills: string[];
  /** Maximum concurrent conversations. */
  capacity: number;
  presence: Presence;
  /** When the agent last became idle (went available or accepted work); the router offers to the oldest. */
  idleSince: string;
  passwordHash: string | null;
  /** Only `active` agents sign in and are offered work. */
  status: AgentStatus;
  createdAt: string;
}

export interface Queue {
  id: string;
  name: string;
  /** An agent must have every one of these skills to be offered this queue's conversations. */
  skills: string[];
  /** The member is sent the conversation's transcript when a conversation of this queue closes. */
  sendTranscript: boolean;
  createdAt: string;
}

export const reservationStatuses = ['pending', 'accepted', 'rejected', 'timed_out', 'canceled'] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];

export interface Reservation {
  id: string;
  conversationId: string;
  queueId: string;
  agentId: string;
  status: ReservationStatus;
  createdAt: string;
  expiresAt: string;
  respondedAt: string | null;
}

/** An action a contact can take on a bot message (rendered as buttons by connectors). */
export interface MessageAction {
  /** `resolved`, `handoff`, `rate:1`…`rate:5`, or a connector-specific id. */
  id: string;
  label: string;
}

/**
 * Something the contact center tells a contact outside any conversation (a notice); the connector renders
 * it in the contact's language. `id` is unique per notice: the channel's idempotency key is made from it.
 */
export type MemberNotice =
  | {
      id: string;
      type: 'case.status';
      case: Pick<Case, 'id' | 'number' | 'kind' | 'subject' | 'status'> & { stage?: FeatureStage };
    }
  | {
      id: string;
      /** A release note that fixed or shipped cases the member reported, voted for or said "me too" to. */
      type: 'release';
      note: ReleaseNote;
      cases: Pick<Case, 'id' | 'number' | 'kind' | 'subject'>[];
    };

/** A posted announcement that closes the cases linked to it (a release note). */
export interface ReleaseNote {
  id: string;
  title: string;
  /** The announcement's link, else its message in Discord; null when it has neither. */
  url: string | null;
}

/**
 * Where a feature request stands, as its public post shows it. A stage is kept in the case's `stage`
 * field and sets the case's status: planned and in progress are `open`, shipped is `solved`, declined
 * is `closed`.
 */
export const featureStages = ['planned', 'in_progress', 'shipped', 'declined'] as const;
export type FeatureStage = (typeof featureStages)[number];

/** What the core asks a connector to deliver. Channel-agnostic; the connector renders it. */
/**
 * The transcript sent to the member at close (`src/core/transcripts/member-transcript.ts`): a channel that
 * carries files (Discord) sends `intro` with `html` as the file `fileName`; the others send the message's
 * `text`, which is `intro` followed by the transcript as plain text.
 */
export interface MemberTranscript {
  /** What the message says beside the file. */
  intro: string;
  fileName: string;
  /** The member's transcript as one self-contained HTML file. */
  html: string;
}

export interface OutboundMessage {
  /** Null for a notice to a contact (`notice`), which belongs to no conversation. */
  conversationId: string | null;
  channel: ChannelName;
  address: Record<string, unknown>;
  authorKind: AuthorKind;
  /** Shown as the sender, e.g. the agent's name. */
  authorName: string | null;
  text: string;
  attachments: Attachment[];
  articles: SuggestedArticle[];
  actions: MessageAction[];
  /** The stored Message this delivers, if any. */
  messageId: string | null;
  /** Set on a notice to a contact: what to tell them (`text` is its English wording). */
  notice?: MemberNotice;
  /** Set on work for a bridge's connector (`channel` is the bridge's name). */
  bridge?: BridgeWork;
  /**
   * Set on a refresh of a case's public post (a bug report or feature request): the connector edits the
   * post to show the case as it is when delivered (status, stage, votes, duplicate of, fixed in).
   */
  casePost?: { caseId: string };
  /** Set on the transcript sent to the member at close: a channel that carries files sends it as one. */
  transcript?: MemberTranscript;
  /**
   * Set on a refresh of the thread a conversation lives in (a forum post) after a change that said nothing
   * there (closed from the desktop before an agent had it): the connector shows the conversation's state (tag,
   * archive). Nothing is posted.
   */
  threadRefresh?: true;
}

export const outboxStatuses = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export interface OutboxItem {
  /**
   * Monotonic sequence assigned by storage; delivery order within a conversation follows it, and within
   * the notices to one contact.
   */
  seq: number;
  /** Null for a notice to a contact outside any conversation; then `contactId` says whom. */
  conversationId: string | null;
  /** The contact a notice is addressed to, or whose case's post a refresh edits (only without a conversation). */
  contactId?: string;
  /**
   * An ordering lane of its own within the conversation (a bridge's work): delivered in order among
   * themselves, neither waiting behind nor holding up the conversation's messages to the contact. On a
   * contact's item, likewise beside their notices (the refreshes of one of their cases' public post).
   */
  lane?: string;
  channel: ChannelName;
  message: OutboundMessage;
  status: OutboxStatus;
  attempts: number;
  /** When a `pending` item is due; for a `failed` item, when it failed. */
  nextAttemptAt: string;
  lastError: string | null;
  /** The channel's own id of the delivered message. */
  externalId: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface Article {
  id: string;
  title: string;
  /** Markdown. */
  body: string;
  tags: string[];
  locale: string;
  published: boolean;
  /** Phrasings members actually use. */
  examples: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  id: string;
  /** sha-256 of the token; the token itself is never stored. */
  tokenHash: string;
  agentId: string;
  expiresAt: string;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  tokenHash: string;
  agentId: string;
  createdAt: string;
  /** After this instant the token no longer works; null: until revoked. */
  expiresAt: string | null;
}

export const proposalStatuses = ['pending', 'approved', 'rejected'] as const;
export type ProposalStatus = (typeof proposalStatuses)[number];

/** A member's question proposed as a new example question of an article; an agent approves it. */
export interface ExampleProposal {
  id: string;
  articleId: string;
  question: string;
  /** `resolved` (member pressed "This solved it") or `agent_link` (an agent linked the article). */
  source: 'resolved' | 'agent_link';
  conversationId: string | null;
  status: ProposalStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

/** A saved reply shared by every agent, inserted in the composer by typing `/shortcut`. */
export interface CannedResponse {
  id: string;
  /** What an agent types after `/`: lower-case letters, digits, `-` and `_`; unique. */
  shortcut: string;
  title: string;
  /** The reply text inserted into the composer. */
  text: string;
  /** The language the text is written in, e.g. `ar`; null when it suits any. */
  locale: string | null;
  /** A macro: what one click applies with the text (absent for a plain canned response). */
  actions?: CannedResponseActions;
  createdAt: string;
  updatedAt: string;
}

/** What a macro does besides sending its text, in the same transaction. Each part is optional. */
export interface CannedResponseActions {
  /** The linked case's new status. */
  status?: CaseStatus;
  /** The linked case's new priority. */
  priority?: CasePriority;
  /** Tags added to the linked case (those it has stay). */
  tags?: string[];
  /** Closes the conversation after sending (the case becomes `status`, else solved). */
  close?: boolean;
}

/**
 * A web-chat visitor the server issued a token to. Only the token's hash is kept; `id` is the visitor's
 * web-chat identity (`wv_…`). A blocked visitor can no longer send messages.
 */
export interface WebchatVisitor {
  id: string;
  tokenHash: string;
  createdAt: string;
  blockedAt: string | null;
  /** The agent who blocked the visitor. */
  blockedBy: string | null;
}
