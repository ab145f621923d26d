/**
 * Outbound webhooks: an admin subscribes a URL to some of the contact center's events; each event becomes
 * one delivery per matching subscription, signed and retried from the database until the endpoint takes it.
 */

export const webhookEventTypes = [
  'conversation.created',
  'conversation.assigned',
  'conversation.closed',
  'message.created',
  'case.created',
  'case.updated',
  'case.solved',
  'rating.received',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export interface WebhookSubscription {
  id: string;
  url: string;
  /** What the admin wrote to recognise it (`CRM sync`). */
  description: string;
  events: WebhookEventType[];
  /** The HMAC key of the signatures; returned by the API only when created or rotated. */
  secret: string;
  enabled: boolean;
  /** The first failed attempt since the endpoint last took a delivery; null while it works. */
  failingSince: string | null;
  /** Why and when it was turned off (by an admin, or after a day of failures); null while enabled. */
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A subscription as the API and the desktop show it: never its secret. */
export type PublicWebhookSubscription = Omit<WebhookSubscription, 'secret'>;

export const webhookDeliveryStatuses = ['pending', 'delivered'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** One event for one subscription: the body is fixed when the event happens, so every retry sends the same. */
export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  /** The same for every subscription's delivery of one event; receivers de-duplicate on it. */
  eventId: string;
  eventType: WebhookEventType;
  /** The JSON body sent, exactly (the signature covers it). */
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  /** The endpoint's HTTP status at the last attempt; null when it gave none (network, time-out). */
  responseStatus: number | null;
  /** The start of the endpoint's last answer, or why there was none; plain text, short. */
  responseExcerpt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** What happened, as an integrator receives it (the delivery's body). */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** Identifies the occurrence, so the same change reported twice is delivered once. */
  key: string;
  at: string;
  data: Record<string, unknown>;
}
