import { z } from 'zod';
import { ConnectorError } from '../../core/ports/channel-connector.ts';

/** The Graph API version every request names; Meta keeps a version working for about two years. */
export const GRAPH_API_VERSION = 'v21.0';

export interface GraphApiOptions {
  /** `https://graph.facebook.com`, or a local Graph API in tests. */
  apiUrl: string;
  pageAccessToken: string;
  timeoutMs: number;
}

export const defaultGraphApiOptions = { apiUrl: 'https://graph.facebook.com', timeoutMs: 10_000 } as const;

/** A failed Graph call, with Meta's error fields kept (`code`, `error_subcode`, `fbtrace_id`). */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  constructor(
    message: string,
    /** HTTP status; 0 when no answer came (network failure, time-out). */
    readonly status: number,
    readonly code: number | null = null,
    readonly subcode: number | null = null,
    readonly fbtraceId: string | null = null,
  ) {
    super(message);
  }

  /** The page access token is invalid or expired (OAuthException 190): nothing works until it is replaced. */
  get tokenRefused(): boolean {
    return this.code === 190 || this.code === 102;
  }
}

const graphErrorBody = z.object({
  error: z.object({
    message: z.string().default('unknown Graph API error'),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export const profileSchema = z.object({
  id: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  profile_pic: z.string().optional(),
});
export type GraphProfile = z.infer<typeof profileSchema>;

const sendResponse = z.object({ recipient_id: z.string().optional(), message_id: z.string() });
const pageSchema = z.object({ id: z.string(), name: z.string().optional() });

/**
 * The few Graph endpoints Messenger needs, over fetch with a time-out. The token travels in the
 * `Authorization` header, never in a URL, so no request log or error message can carry it.
 */
export class GraphApi {
  constructor(private readonly options: GraphApiOptions) {}

  /** The page the token belongs to (a cheap check that the token works). */
  async page(): Promise<z.infer<typeof pageSchema>> {
    return pageSchema.parse(await this.call('GET', '/me?fields=id,name'));
  }

  /** A member's public profile by page-scoped id. */
  async profile(psid: string): Promise<GraphProfile> {
    return profileSchema.parse(
      await this.call('GET', `/${encodeURIComponent(psid)}?fields=first_name,last_name,profile_pic`),
    );
  }

  /** The Send API; resolves with Meta's id of the delivered message. */
  async send(body: Record<string, unknown>): Promise<string> {
    return sendResponse.parse(await this.call('POST', '/me/messages', body)).message_id;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.options.apiUrl}/${GRAPH_API_VERSION}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
        headers: {
          authorization: `Bearer ${this.options.pageAccessToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : String((error as { cause?: unknown })?.cause ?? error);
      throw new GraphApiError(`Graph API unreachable (${method} ${pathOnly(path)}): ${reason}`, 0);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (response.ok && json !== null) return json;
    const parsed = graphErrorBody.safeParse(json);
    if (parsed.success) {
      const e = parsed.data.error;
      throw new GraphApiError(
        e.message,
        response.status,
        e.code ?? null,
        e.error_subcode ?? null,
        e.fbtrace_id ?? null,
      );
    }
    throw new GraphApiError(
      `Graph API answered ${response.status} to ${method} ${pathOnly(path)}${response.ok ? ' without JSON' : ''}`,
      response.status,
    );
  }
}

const pathOnly = (path: string) => path.split('?')[0] ?? path;

// Meta's throttling codes: application, user, page and per-thread limits.
const rateLimitCodes = new Set([4, 17, 32, 613]);
// Temporary trouble on Meta's side ("unknown error", "service temporarily unavailable").
const temporaryCodes = new Set([1, 2]);

/** What a failed Send API call means for the outbox: retry (throttled, down, bad token) or give up. */
export function toConnectorError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (!(error instanceof GraphApiError))
    return new ConnectorError(`${what}: ${error instanceof Error ? error.message : String(error)}`, true);
  const reason = `${what}: ${describeGraphError(error)}`;
  if (error.tokenRefused) return new ConnectorError(reason, true);
  if (error.code !== null && rateLimitCodes.has(error.code)) return new ConnectorError(reason, true, 60_000);
  if (error.status === 0 || error.status >= 500 || error.status === 429)
    return new ConnectorError(reason, true);
  if (error.code !== null && temporaryCodes.has(error.code)) return new ConnectorError(reason, true);
  return new ConnectorError(reason, false);
}

/** Meta's message with what it means for a person reading the outbox or the channels page. */
export function describeGraphError(error: GraphApiError): string {
  const code = error.code === null ? '' : ` (code ${error.code}${error.subcode ? `/${error.subcode}` : ''})`;
  const meaning = meaningOf(error);
  return `${meaning ? `${meaning}: ` : ''}${error.message}${code}`;
}

function meaningOf(error: GraphApiError): string | null {
  if (error.tokenRefused)
    return 'Meta refused the page access token (expired or revoked; set a new MESSENGER_PAGE_ACCESS_TOKEN)';
  if (error.code !== null && rateLimitCodes.has(error.code)) return 'Messenger rate limit reached';
  if (error.subcode === 2018278 || error.subcode === 2018065)
    return "outside Messenger's messaging window (the member last wrote too long ago)";
  if (error.code === 551 || error.subcode === 2018108 || error.subcode === 1545041)
    return 'this person is not available on Messenger (they blocked the page or left)';
  if (error.subcode === 2018001) return 'no Messenger user with this id for the page';
  if (error.code === 10 || error.code === 200) return 'the page may not send this message';
  return null;
}
