import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Graph API version the fake serves (requests for another one get Meta's unknown-path error). */
const VERSION = 'v21.0';
const hourMs = 3_600_000;

export interface GraphFakeOptions {
  appSecret: string;
  pageAccessToken: string;
  pageId?: string;
  pageName?: string;
}

export interface FakeUser {
  psid: string;
  first_name: string;
  last_name: string;
  profile_pic: string;
}

/** One Send API call the fake accepted. */
export interface SendCall {
  id: string;
  psid: string;
  messaging_type: string;
  tag: string | null;
  message: { text?: string; quick_replies?: { content_type: string; title: string; payload: string }[] };
}

export interface GraphRequest {
  method: string;
  /** Path without the version and the query, e.g. `/me/messages` or `/<psid>`. */
  path: string;
  status: number;
  /** The token came as `Authorization: Bearer` (never as an `access_token` in the URL). */
  bearer: boolean;
  tokenInUrl: boolean;
}

export interface GraphFailure {
  status: number;
  code?: number;
  subcode?: number;
  message?: string;
}

export type GraphRoute = 'send' | 'profile' | 'me';

export interface WebhookResult {
  status: number;
  body: string;
  mid: string;
}

/**
 * A local stand-in for the Graph endpoints Messenger uses (`/me`, profiles, the Send API) that checks the
 * page token, Meta's limits and the messaging window as Meta does, answers with Meta's error shapes, and
 * plays the member: it posts webhooks to Switchboard signed with the app secret (`X-Hub-Signature-256`).
 */
export class MessengerGraphFake {
  readonly pageId: string;
  readonly pageName: string;
  /** Where member events are posted (Switchboard's `POST /webhooks/messenger`). */
  webhookUrl: string | null = null;
  readonly sent: SendCall[] = [];
  readonly requests: GraphRequest[] = [];
  /** Every call answers 190 while set: the page token was revoked. */
  tokenRevoked = false;
  private readonly users = new Map<string, FakeUser>();
  /** When each member last wrote (Meta's window runs from it). */
  private readonly lastWrote = new Map<string, number>();
  private readonly unavailable = new Set<string>();
  private readonly failures: { route: GraphRoute; left: number; failure: GraphFailure }[] = [];
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: GraphFakeOptions,
  ) {
    this.pageId = options.pageId ?? '104857600000001';
    this.pageName = options.pageName ?? 'Acme Support';
  }

  static async start(options: GraphFakeOptions): Promise<MessengerGraphFake> {
    let fake: MessengerGraphFake | null = null;
    const server = createServer((request, response) => {
      void fake?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new MessengerGraphFake(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addUser(first: string, last: string): FakeUser {
    const psid = String(7_000_000_000_000_000 + this.users.size * 7919 + Math.floor(Math.random() * 1000));
    const user = { psid, first_name: first, last_name: last, profile_pic: `https://cdn.example/${psid}.jpg` };
    this.users.set(psid, user);
    return user;
  }

  /** The member blocks the page: the Send API answers 551. */
  blockPage(psid: string): void {
    this.unavailable.add(psid);
  }

  /** The next `count` calls of `route` fail with `failure`. */
  failNext(route: GraphRoute, count: number, failure: GraphFailure): void {
    this.failures.push({ route, left: count, failure });
  }

  sentTo(psid: string): SendCall[] {
    return this.sent.filter((call) => call.psid === psid);
  }

  textsTo(psid: string): string[] {
    return this.sentTo(psid).map((call) => call.message.text ?? '');
  }

  profileCalls(psid: string): number {
    return this.requests.filter((r) => r.method === 'GET' && r.path === `/${psid}`).length;
  }

  // ---- the member, through the signed webhook ------------------------------------------------

  /** The member writes `text` (at `timestamp`, Meta's time of the message in ms; default now). */
  sendMessage(
    psid: string,
    text: string,
    options: {
      mid?: string;
      timestamp?: number;
      quickReply?: string;
      attachments?: { type: string; payload: { url: string } }[];
    } = {},
  ): Promise<WebhookResult> {
    const mid = options.mid ?? this.newMid();
    const message = {
      mid,
      ...(text ? { text } : {}),
      ...(options.quickReply ? { quick_reply: { payload: options.quickReply } } : {}),
      ...(options.attachments ? { attachments: options.attachments } : {}),
    };
    return this.event(psid, { message }, options.timestamp, mid);
  }

  /** The member taps a quick reply: Meta sends its title as the text and its payload. */
  tapQuickReply(psid: string, title: string, payload: string, timestamp?: number): Promise<WebhookResult> {
    return this.sendMessage(psid, title, { quickReply: payload, ...(timestamp ? { timestamp } : {}) });
  }

  /** The member presses a button (a postback). */
  postback(psid: string, title: string, payload: string): Promise<WebhookResult> {
    const mid = this.newMid();
    return this.event(psid, { postback: { mid, title, payload } }, undefined, mid);
  }

  /** The page's own message coming back as an echo (Meta sends these when echoes are subscribed). */
  echo(psid: string, text: string): Promise<WebhookResult> {
    const mid = this.newMid();
    return this.post(
      this.envelope([
        {
          sender: { id: this.pageId },
          recipient: { id: psid },
          timestamp: Date.now(),
          message: { mid, text, is_echo: true, app_id: 1234 },
        },
      ]),
      { mid },
    );
  }

  /** Posts a raw body; `signature` undefined signs it with the app secret, null sends none. */
  async post(
    body: unknown,
    options: { signature?: string | null; mid?: string } = {},
  ): Promise<WebhookResult> {
    if (!this.webhookUrl) throw new Error('set webhookUrl before the member writes');
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signature =
      options.signature === undefined
        ? `sha256=${createHmac('sha256', this.options.appSecret).update(raw).digest('hex')}`
        : options.signature;
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body: raw,
    });
    return { status: response.status, body: await response.text(), mid: options.mid ?? '' };
  }

  /** The body Meta would send for one member event (for tests that tamper with it). */
  envelope(messaging: unknown[]): Record<string, unknown> {
    return { object: 'page', entry: [{ id: this.pageId, time: Date.now(), messaging }] };
  }

  private event(
    psid: string,
    content: Record<string, unknown>,
    timestamp: number | undefined,
    mid: string,
  ): Promise<WebhookResult> {
    const at = timestamp ?? Date.now();
    this.lastWrote.set(psid, Math.max(this.lastWrote.get(psid) ?? 0, at));
    return this.post(
      this.envelope([{ sender: { id: psid }, recipient: { id: this.pageId }, timestamp: at, ...content }]),
      { mid },
    );
  }

  private newMid(): string {
    return `m_${randomBytes(12).toString('base64url')}`;
  }

  // ---- the Graph API -------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const authorization = request.headers.authorization ?? '';
    const bearer = authorization.startsWith('Bearer ');
    const token = bearer ? authorization.slice('Bearer '.length) : url.searchParams.get('access_token');
    const path = url.pathname.startsWith(`/${VERSION}/`)
      ? url.pathname.slice(VERSION.length + 1)
      : url.pathname;
    const answer = (status: number, body: unknown) => {
      this.requests.push({ method, path, status, bearer, tokenInUrl: url.searchParams.has('access_token') });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string, subcode?: number) =>
      answer(status, {
        error: {
          message,
          type: code === 190 ? 'OAuthException' : 'OAuthException',
          code,
          ...(subcode ? { error_subcode: subcode } : {}),
          fbtrace_id: `A${randomBytes(8).toString('hex')}`,
        },
      });

    if (!url.pathname.startsWith(`/${VERSION}/`))
      return error(400, 2500, `Unknown path components: ${url.pathname}`);
    if (this.tokenRevoked || token !== this.options.pageAccessToken)
      return error(400, 190, 'Error validating access token: The session has been invalidated.', 460);
    const route: GraphRoute | null =
      method === 'POST' && path === '/me/messages'
        ? 'send'
        : method === 'GET' && path === '/me'
          ? 'me'
          : method === 'GET'
            ? 'profile'
            : null;
    const failure = this.failures.find((f) => f.route === route && f.left > 0);
    if (failure) {
      failure.left -= 1;
      const f = failure.failure;
      if (f.code === undefined)
        return answer(f.status, { error: { message: f.message ?? 'Internal error' } });
      return error(f.status, f.code, f.message ?? `(#${f.code}) error`, f.subcode);
    }
    if (route === 'me') return answer(200, { id: this.pageId, name: this.pageName });
    if (route === 'profile') {
      const user = this.users.get(path.slice(1));
      if (!user) return error(400, 100, 'Unsupported get request.', 33);
      const fields = (url.searchParams.get('fields') ?? 'id').split(',');
      const profile: Record<string, string> = { id: user.psid };
      for (const field of fields) {
        const value = (user as unknown as Record<string, string>)[field];
        if (value !== undefined) profile[field] = value;
      }
      return answer(200, profile);
    }
    if (route !== 'send') return error(400, 100, `Unsupported ${method} request.`);

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, 100, '(#100) The parameter recipient is required');
    }
    const psid = (body.recipient as { id?: string } | undefined)?.id;
    if (!psid) return error(400, 100, '(#100) The parameter recipient is required');
    if (!this.users.has(psid)) return error(400, 100, '(#100) No matching user found', 2018001);
    if (this.unavailable.has(psid))
      return error(400, 551, "(#551) This person isn't available right now.", 1545041);
    const messagingType = body.messaging_type;
    const tag = typeof body.tag === 'string' ? body.tag : null;
    if (messagingType !== 'RESPONSE' && messagingType !== 'UPDATE' && messagingType !== 'MESSAGE_TAG')
      return error(400, 100, '(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    if (messagingType === 'MESSAGE_TAG' && tag !== 'HUMAN_AGENT')
      return error(400, 100, '(#100) Param tag must be one of {CONFIRMED_EVENT_UPDATE, …, HUMAN_AGENT}');
    const elapsed = Date.now() - (this.lastWrote.get(psid) ?? 0);
    const allowed = messagingType === 'MESSAGE_TAG' ? 7 * 24 * hourMs : 24 * hourMs;
    if (elapsed > allowed)
      return error(
        400,
        10,
        '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
        2018278,
      );
    const message = body.message as SendCall['message'] | undefined;
    if (!message || typeof message.text !== 'string' || message.text.length === 0)
      return error(400, 100, '(#100) Must send either message or sender action');
    if ([...message.text].length > 2000)
      return error(400, 100, '(#100) Length of param message[text] must be less than or equal to 2000');
    const quick = message.quick_replies ?? [];
    if (quick.length > 13)
      return error(400, 100, '(#100) param message[quick_replies] must have at most 13 elements');
    for (const q of quick)
      if ([...q.title].length > 20)
        return error(400, 100, '(#100) Title of quick reply must be at most 20 characters');
    this.seq += 1;
    const id = `m_sent_${this.seq}_${randomBytes(6).toString('hex')}`;
    this.sent.push({ id, psid, messaging_type: messagingType, tag, message });
    return answer(200, { recipient_id: psid, message_id: id });
  }
}
