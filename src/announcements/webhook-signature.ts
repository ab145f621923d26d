import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The announcement webhook's signature: `X-Switchboard-Signature: sha256=<hex>` where hex is
 * HMAC-SHA256(source secret, `<X-Switchboard-Timestamp>.<raw body>`), the timestamp in Unix seconds.
 */
export const webhookHeaders = {
  source: 'x-switchboard-source',
  timestamp: 'x-switchboard-timestamp',
  signature: 'x-switchboard-signature',
} as const;

export function signWebhook(secret: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** Timing-safe comparison of a received signature with the expected one. */
export function signatureMatches(
  secret: string,
  timestamp: string,
  rawBody: string,
  received: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const got = Buffer.from(received);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
