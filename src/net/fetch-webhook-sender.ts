import { signWebhook, webhookHeaders } from '../announcements/webhook-signature.ts';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../core/ports/webhook-sender.ts';

/** How much of an endpoint's answer is kept in the delivery log. */
export const responseExcerptLength = 300;

/** The headers of an outbound webhook besides the announcement webhook's timestamp and signature. */
export const outboundWebhookHeaders = {
  ...webhookHeaders,
  eventId: 'x-switchboard-event-id',
  event: 'x-switchboard-event',
  delivery: 'x-switchboard-delivery',
} as const;

/**
 * Webhook deliveries over the platform fetch (undici), signed as the announcement webhook verifies:
 * HMAC-SHA256 over `<timestamp>.<body>`. Redirects are not followed: an endpoint that moved answers a
 * failure that names where it points, so the admin subscribes the new address on purpose.
 */
export class FetchWebhookSender implements WebhookSender {
  async send(request: WebhookRequest): Promise<WebhookResponse> {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          [outboundWebhookHeaders.timestamp]: String(request.timestamp),
          [outboundWebhookHeaders.signature]: signWebhook(request.secret, request.timestamp, request.body),
          [outboundWebhookHeaders.eventId]: request.eventId,
          [outboundWebhookHeaders.event]: request.eventType,
          [outboundWebhookHeaders.delivery]: request.deliveryId,
        },
        body: request.body,
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        status: null,
        ok: false,
        excerpt: timedOut
          ? `no answer within ${request.timeoutMs} ms`
          : `not reached: ${describe(error)}`.slice(0, responseExcerptLength),
      };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      return {
        status: response.status,
        ok: false,
        excerpt:
          `redirect${location ? ` to ${location}` : ''} not followed; subscribe the address it points to`.slice(
            0,
            responseExcerptLength,
          ),
      };
    }
    return { status: response.status, ok: response.ok, excerpt: await excerptOf(response) };
  }
}

/** The first characters of the body, read no further than needed. */
async function excerptOf(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < responseExcerptLength) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still leaves what arrived.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, responseExcerptLength);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.message : error.message;
}
