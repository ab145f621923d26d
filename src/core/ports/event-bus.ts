import type {
  Agent,
  Case,
  Conversation,
  Message,
  MessageDelivery,
  Reservation,
  TimelineEntry,
} from '../model.ts';
import type { AgentViewing, ConversationNote } from '../monitor/monitor.ts';
import type { SlaTimer } from '../sla/sla.ts';

/** What happened, pushed to desktops over the realtime WebSocket and to other instances over Redis. */
export type DomainEvent =
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'message.created'; message: Message; conversation: Conversation }
  /** What the channel reported of a delivered message changed (an SMS was delivered, or failed). */
  | { type: 'message.delivery'; messageId: string; delivery: MessageDelivery; conversation: Conversation }
  | { type: 'reservation.created'; reservation: Reservation }
  | { type: 'reservation.updated'; reservation: Reservation }
  | { type: 'case.created'; case: Case }
  | { type: 'case.updated'; case: Case; entry: TimelineEntry | null }
  | { type: 'agent.updated'; agent: Omit<Agent, 'passwordHash'> }
  /** An internal note on a conversation: for its holder and supervisors, never for the contact. */
  | { type: 'note.created'; note: ConversationNote; conversation: Conversation }
  /** What an agent's desktop shows changed (the supervisor monitor's "viewing" column). */
  | { type: 'agent.viewing'; viewing: AgentViewing }
  /** These sessions and API tokens of the agent ended (sign-out, revocation, password change, deactivation). */
  | { type: 'agent.access_ended'; agentId: string; credentialIds: string[] }
  /** New outbox items are waiting; dispatchers wake up. Null for a notice to a contact. */
  | { type: 'outbox.enqueued'; conversationId: string | null }
  /** New webhook deliveries are waiting; webhook dispatchers wake up. */
  | { type: 'webhooks.enqueued' }
  /** An admin edited or reset a bot text; every instance reloads its edits. */
  | { type: 'bot_texts.changed' }
  /** An SLA clock changed; `alert` when it reached its warning (amber) or its breach (red), told once. */
  | { type: 'sla.timer'; timer: SlaTimer; alert: 'warning' | 'breach' | null }
  /** Something an admin must act on (a webhook endpoint disabled after a day of failures); admins only. */
  | { type: 'admin.notice'; notice: AdminNotice }
  /**
   * A connector's frame for a live connection that another instance may hold (a web-chat visitor's
   * socket): the connector of every instance pushes it to its own connections of `to`.
   */
  | { type: 'channel.push'; channel: string; to: string; frame: Record<string, unknown> };

export interface AdminNotice {
  /** What it is about, e.g. `webhook.disabled`. */
  kind: string;
  /** One sentence for a person, plain text. */
  text: string;
  /** The id of what it is about (the subscription), for a link. */
  subjectId: string | null;
  at: string;
}

export type DomainEventType = DomainEvent['type'];
export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface EventBus {
  /** Delivers to every subscriber of every instance. Publishing never throws because a handler failed. */
  publish(event: DomainEvent): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
  /**
   * A bus that depends on a server (Redis) says whether it is connected, for `/readyz`; a bus that lives
   * in the process has no such state and leaves this out.
   */
  health?(): EventBusHealth;
}

export interface EventBusHealth {
  /** The server the bus depends on, as `/readyz` names the component: `redis`. */
  component: string;
  status: 'connecting' | 'connected' | 'reconnecting' | 'closed';
  /** Why it is not connected (never a password); null when connected. */
  detail: string | null;
}
