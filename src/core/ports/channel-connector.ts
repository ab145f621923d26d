import type {
  Attachment,
  ChannelIdentity,
  ChannelName,
  Contact,
  Conversation,
  MemberContext,
  OutboundMessage,
  ServerRef,
} from '../model.ts';

/** A message (or button press) that arrived on a channel, mapped by its connector. */
export interface InboundMessage {
  channel: ChannelName;
  /** The channel's own message id; receiving the same id twice is a no-op. */
  externalId: string;
  contact: {
    /** The channel's id for the person (Discord user id, phone number, visitor id). */
    externalId: string;
    name: string;
    avatarUrl?: string | null;
    locale?: string | null;
    /**
     * Other identities of the same person (the same phone number on SMS and WhatsApp): a first message
     * from this identity joins the contact who already has one of them instead of making a new contact.
     */
    sameAs?: ChannelIdentity[];
  };
  /**
   * The thread of the channel this message belongs to (a Discord forum post): each thread is a conversation
   * of its own. Absent: the contact's usual conversation on the channel.
   */
  thread?: string;
  /**
   * The server the contact came through (a Discord guild: the one of the command, post or thread, or for a
   * DM the one of the member's last command). Stored on a new conversation, and on an open one that has none.
   */
  server?: ServerRef;
  /** Where replies go (e.g. `{ channelId }` of a Discord DM). Stored on the conversation. */
  address: Record<string, unknown>;
  text: string;
  attachments?: Attachment[];
  /** A button or command instead of typed text: `handoff`, `resolved`, `rate:4`, `start`. */
  action?: string;
  receivedAt?: string;
  /**
   * A channel keyword (SMS STOP, START, HELP) the connector already acted on: stored in the conversation
   * for the agents to see, never run through the flow. `reply`, if set, is sent back to the contact.
   */
  keyword?: { reply?: string };
  /**
   * The contact as a member of the community the message comes from (a Discord server): roles, join date,
   * boost, account age and the channel of the request. Kept on the contact and read by flows.
   */
  member?: Omit<MemberContext, 'channel' | 'updatedAt'>;
}

export interface SendResult {
  /** The channel's own id of the delivered message(s). */
  externalId: string | null;
}

export interface ConnectorHealth {
  status: 'connected' | 'connecting' | 'disabled' | 'error';
  detail: string | null;
}

/** What a connector calls when a message arrives. Resolves once the message is stored. */
export type InboundHandler = (message: InboundMessage) => Promise<void>;

/** Thrown by `send`; `retryable` tells the outbox dispatcher whether to try again. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Milliseconds the channel asked us to wait (e.g. a 429's retry-after). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What a connector is shown of an agent's reply before the reply is accepted (see `checkReply`). */
export interface ReplyCheck {
  conversation: Conversation;
  contact: Contact | null;
  text: string;
  attachments: Attachment[];
  /** When the contact last wrote in this conversation (a channel's messaging window runs from it). */
  lastContactMessageAt: string | null;
  now: string;
}

/** The adapter that speaks one channel's protocol. One per channel name; see `src/channels/`. */
export interface ChannelConnector {
  readonly channel: ChannelName;
  /**
   * Delivers notices to a contact outside any conversation (`OutboundMessage.notice`, e.g. a bug report's
   * new status), addressed by the contact's identity on this channel.
   */
  readonly notices?: boolean;
  /**
   * Posts bug reports and feature requests in public and keeps those posts up to date
   * (`OutboundMessage.casePost`: shows the case as it is when delivered).
   */
  readonly casePosts?: boolean;
  /**
   * An outside contact center (Twilio Flex) rather than a channel to contacts: conversations handed to it
   * (a flow's `send-to-queue` naming it, or the hand-off target) send it their work (`OutboundMessage.bridge`).
   */
  readonly bridges?: boolean;
  /**
   * Why the channel cannot carry this agent reply (past its length limit, outside its messaging window, the
   * contact opted out), said to the agent; null when it can. Asked before the reply is stored.
   */
  checkReply?(check: ReplyCheck): Promise<string | null> | string | null;
  start(onInbound: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
  health(): ConnectorHealth;
}
