import twilio from 'twilio';

type TwilioResponse<T> = Awaited<ReturnType<twilio.RequestClient['request']>> & { body: T };

type RequestOptions<TData> = Parameters<twilio.RequestClient['request']>[0] & { data?: TData };

import type { TwilioConfig } from '../../config.ts';
import { ConnectorError, type ConnectorHealth } from '../../core/ports/channel-connector.ts';

export type TwilioClient = twilio.Twilio;

/** Requests the SDK makes; the outbox retries, so the SDK's own 429 retries stay off. */
const requestTimeoutMs = 10_000;

/**
 * The SDK's HTTP client with every `https://<subdomain>.twilio.com/<path>` sent to `<apiUrl>/<subdomain>/<path>`
 * instead (the tests' local Twilio). Everything else (auth, form encoding, errors) is the SDK's own.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiUrl: string) {
    super({ timeout: requestTimeoutMs, autoRetry: false });
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    return super.request<TData>({ ...opts, uri: redirectTwilioUrl(opts.uri, this.apiUrl) });
  }
}

/** `https://conversations.twilio.com/v1/X` → `<apiUrl>/conversations/v1/X`; other URLs unchanged. */
export function redirectTwilioUrl(uri: string, apiUrl: string): string {
  const url = new URL(uri);
  if (!url.hostname.endsWith('.twilio.com')) return uri;
  const subdomain = url.hostname.split('.')[0];
  return `${apiUrl}/${subdomain}${url.pathname}${url.search}`;
}

/** The official SDK client for the configured account (an API key pair if set, else the auth token). */
export function createTwilioClient(config: TwilioConfig): TwilioClient {
  const httpClient = config.apiUrl
    ? new RedirectingRequestClient(config.apiUrl)
    : new twilio.RequestClient({ timeout: requestTimeoutMs, autoRetry: false });
  return config.apiKey
    ? twilio(config.apiKey.sid, config.apiKey.secret, { accountSid: config.accountSid, httpClient })
    : twilio(config.accountSid, config.authToken, { httpClient });
}

/**
 * Whether a webhook request comes from Twilio: `X-Twilio-Signature` is the HMAC-SHA1, keyed with the auth
 * token, of the public URL Twilio called followed by the sorted form parameters (name then value).
 */
export function isSignedByTwilio(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

/** Twilio refused the credentials: the connector is failing until a request succeeds again. */
export class TwilioAuthError extends ConnectorError {}

/**
 * A failed Twilio request as the outbox sees it: credentials refused (401/403), rate-limited (429), Twilio's
 * own trouble (5xx) and the network are retried; any other 4xx (a bad number, a closed conversation) is
 * refused for good, with Twilio's message and error code.
 */
export function toConnectorError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof twilio.RestException) {
    const code = error.code ? ` (Twilio error ${error.code})` : '';
    const reason = `${what}: Twilio answered ${error.status}${code}: ${error.message}`;
    if (error.status === 401 || error.status === 403)
      return new TwilioAuthError(`${reason}; check TWILIO_ACCOUNT_SID and the credentials`, true);
    if (error.status === 429) return new ConnectorError(reason, true);
    if (error.status >= 500) return new ConnectorError(reason, true);
    return new ConnectorError(reason, false);
  }
  return new ConnectorError(`${what}: ${error instanceof Error ? error.message : String(error)}`, true);
}

/**
 * A Twilio connector's state for the channels page: failing (with the reason) after a refused credential or
 * repeated failures, connected again after the next request that succeeds.
 */
export class TwilioHealth {
  private failure: string | null = null;

  constructor(private readonly label: string) {}

  succeeded(): void {
    this.failure = null;
  }

  failed(error: ConnectorError): void {
    if (error instanceof TwilioAuthError || error.retryable) this.failure = error.message;
  }

  health(): ConnectorHealth {
    return this.failure
      ? { status: 'error', detail: this.failure }
      : { status: 'connected', detail: this.label };
  }
}
