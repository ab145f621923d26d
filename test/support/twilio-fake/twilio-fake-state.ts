import { randomBytes } from 'node:crypto';

/** Twilio's resource ids: a two-letter prefix and 32 hex digits. */
export const newSid = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;

/** Conversations API dates: ISO 8601 to the second, as Twilio writes them. */
export const isoDate = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The 2010 API (Messages) writes RFC 2822 dates. */
export const rfc2822Date = (date: Date): string => date.toUTCString().replace('GMT', '+0000');

export const conversationStates = ['active', 'inactive', 'closed'] as const;
export type ConversationState = (typeof conversationStates)[number];

/** Events a conversation-scoped webhook may subscribe to (`Configuration.Filters`). */
export const conversationEvents = [
  'onMessageAdded',
  'onMessageUpdated',
  'onMessageRemoved',
  'onConversationUpdated',
  'onConversationRemoved',
  'onConversationStateUpdated',
  'onParticipantAdded',
  'onParticipantUpdated',
  'onParticipantRemoved',
  'onDeliveryUpdated',
] as const;
export type ConversationEvent = (typeof conversationEvents)[number];

/** Who caused an event, as Twilio's `Source` parameter says it: the REST API, or a client SDK (the Flex UI). */
export type EventSource = 'API' | 'SDK';

export interface MessagingBinding {
  type: 'sms' | 'whatsapp';
  address: string;
  proxy_address: string | null;
  projected_address: string | null;
}

export interface ParticipantRecord {
  sid: string;
  identity: string | null;
  attributes: string;
  binding: MessagingBinding | null;
  roleSid: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MediaRecord {
  sid: string;
  contentType: string;
  filename: string | null;
  size: number;
}

export interface MessageRecord {
  sid: string;
  index: number;
  author: string;
  body: string | null;
  attributes: string;
  media: MediaRecord[] | null;
  participantSid: string | null;
  createdAt: Date;
  updatedAt: Date;
  source: EventSource;
  /** Created through the REST API with `X-Twilio-Webhook-Enabled: true` (only those fire webhooks). */
  webhookEnabled: boolean;
}

export interface WebhookRecord {
  sid: string;
  target: 'webhook' | 'trigger' | 'studio';
  url: string | null;
  method: 'GET' | 'POST';
  filters: string[];
  triggers: string[];
  flowSid: string | null;
  createdAt: Date;
}

export interface ConversationRecord {
  sid: string;
  serviceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string;
  state: ConversationState;
  messagingServiceSid: string | null;
  createdAt: Date;
  updatedAt: Date;
  participants: ParticipantRecord[];
  messages: MessageRecord[];
  webhooks: WebhookRecord[];
  nextIndex: number;
}

export interface InteractionRecord {
  sid: string;
  /** As posted (parsed `Channel`), plus the interaction channel's sid. */
  channel: Record<string, unknown>;
  routing: Record<string, unknown>;
  channelSid: string;
  taskSid: string;
  createdAt: Date;
}

export const messageStatuses = [
  'accepted',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export interface SentMessageRecord {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  status: MessageStatus;
  errorCode: number | null;
  numSegments: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Everything the fake holds; the REST routes and the test controls both work on it. */
export class TwilioFakeState {
  readonly conversations = new Map<string, ConversationRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly sentMessages = new Map<string, SentMessageRecord>();
  readonly optedOut = new Set<string>();

  addMessage(
    conversation: ConversationRecord,
    input: {
      author: string;
      body: string | null;
      attributes: string;
      media: MediaRecord[] | null;
      source: EventSource;
      webhookEnabled: boolean;
    },
  ): MessageRecord {
    const now = new Date();
    const participant = conversation.participants.find((p) => p.identity === input.author);
    const message: MessageRecord = {
      sid: newSid('IM'),
      index: conversation.nextIndex++,
      ...input,
      participantSid: participant?.sid ?? null,
      createdAt: now,
      updatedAt: now,
    };
    conversation.messages.push(message);
    conversation.updatedAt = now;
    return message;
  }

  addParticipant(
    conversation: ConversationRecord,
    input: {
      identity: string | null;
      attributes: string;
      binding: MessagingBinding | null;
      roleSid: string | null;
    },
  ): ParticipantRecord {
    const now = new Date();
    const participant: ParticipantRecord = { sid: newSid('MB'), ...input, createdAt: now, updatedAt: now };
    conversation.participants.push(participant);
    conversation.updatedAt = now;
    return participant;
  }
}

/** Parsed attributes for the test's view; Twilio keeps them as a JSON string. */
export function parseAttributes(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
