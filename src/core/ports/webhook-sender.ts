/** One signed POST of a webhook delivery; implemented with fetch outside the core. */
export interface WebhookRequest {
  url: string;
  /** The JSON body, sent byte for byte as stored. */
  body: string;
  /** The subscription's secret: the sender signs `<timestamp>.<body>` with it. */
  secret: string;
  /** Unix seconds of this attempt (`X-Switchboard-Timestamp`). */
  timestamp: number;
  eventId: string;
  eventType: string;
  deliveryId: string;
  timeoutMs: number;
}

export interface WebhookResponse {
  /** The endpoint's HTTP status; null when it gave none (refused, unreachable, timed out). */
  status: number | null;
  /** Whether the endpoint took it (a 2xx). */
  ok: boolean;
  /** The start of the answer, or why there was none (plain text, at most a few hundred characters). */
  excerpt: string;
}

export interface WebhookSender {
  /** Never rejects: every failure is a response with `ok: false`. */
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
