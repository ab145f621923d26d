import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultError, TwilioApiError } from './twilio-api-error.ts';
import {
  type ConversationEvent,
  type ConversationRecord,
  type ConversationState,
  type EventSource,
  type MediaRecord,
  type MessageStatus,
  type MessagingBinding,
  newSid,
  parseAttributes,
  TwilioFakeState,
} from './twilio-fake-state.ts';
import {
  FormParams,
  handleRest,
  messageEventParams,
  participantEventParams,
  type RestContext,
  stateEventParams,
} from './twilio-rest-routes.ts';

export interface TwilioFakeOptions {
  /** Default: a fixed `AC` + 32 hex. */
  accountSid?: string;
  /** Default: a fixed 32-character token. Webhooks the fake sends are signed with it. */
  authToken?: string;
  /** API key pairs the REST API also accepts (Basic auth with the key sid and secret). */
  apiKeys?: { sid: string; secret: string }[];
}

const defaults = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'f4ke7w1l10au7h70ken0123456789abc',
  serviceSid: 'IS0123456789abcdef0123456789abcdef',
  workspaceSid: 'WS0123456789abcdef0123456789abcdef',
  workflowSid: 'WW0123456789abcdef0123456789abcdef',
  /** The number a messaging service sends from (status callbacks name it as `From`). */
  messagingServiceNumber: '+15005550006',
  flexAgent: 'flex-agent',
} as const;

/** One webhook the fake sent (or a test posted through it), with Switchboard's answer. */
export interface WebhookDelivery {
  url: string;
  params: Record<string, string>;
  /** Switchboard's HTTP status; 0 when the request did not get an answer (connection refused). */
  status: number;
  body: string;
}

export interface FakeParticipant {
  sid: string;
  identity: string | null;
  attributes: unknown;
  messagingBinding: MessagingBinding | null;
}

export interface FakeMessage {
  sid: string;
  index: number;
  author: string;
  body: string | null;
  attributes: unknown;
  participantSid: string | null;
  media: { sid: string; contentType: string; filename: string | null; size: number }[] | null;
  /** `API`: through the REST API (Switchboard); `SDK`: a Flex agent. */
  source: EventSource;
  /** Sent with `X-Twilio-Webhook-Enabled: true`. */
  webhookEnabled: boolean;
  createdAt: Date;
}

export interface FakeWebhook {
  sid: string;
  target: 'webhook' | 'trigger' | 'studio';
  url: string | null;
  method: 'GET' | 'POST';
  filters: string[];
}

export interface FakeConversation {
  sid: string;
  serviceSid: string;
  state: ConversationState;
  attributes: unknown;
  friendlyName: string | null;
  uniqueName: string | null;
  participants: FakeParticipant[];
  messages: FakeMessage[];
  webhooks: FakeWebhook[];
  createdAt: Date;
}

export interface FakeInteraction {
  sid: string;
  channel: Record<string, unknown>;
  routing: Record<string, unknown>;
  /** The interaction channel (`UO…`) and the TaskRouter task (`WT…`) Flex made for it. */
  channelSid: string;
  taskSid: string;
  createdAt: Date;
}

export interface FakeSentMessage {
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
}

export interface FakeInboundMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
}

export interface RecordedTwilioRequest {
  method: string;
  /** Without the query string, e.g. `/conversations/v1/Conversations/CH…/Messages`. */
  path: string;
  status: number;
  /** The form body (POST) or the query (GET, DELETE); repeated names as arrays. */
  params: Record<string, string | string[]>;
  webhookEnabled: boolean;
  /** Which credential authenticated it; null when refused. */
  credential: 'auth-token' | 'api-key' | null;
}

export interface TwilioFault {
  status: 401 | 403 | 429 | 500 | 503;
  /** How many matching requests fail (default: all until `heal()`). */
  count?: number;
  /** Only requests whose path matches, e.g. `/Messages/`. */
  path?: RegExp;
  /** Only requests with this method. */
  method?: 'GET' | 'POST' | 'DELETE';
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
}

export interface FlexMedia {
  contentType: string;
  filename?: string;
  size?: number;
}

interface SentWebhook {
  method: 'GET' | 'POST';
  signature: string | null;
  idempotencyToken: string;
}

/** Keywords Twilio's opt-out handling acts on for SMS (the webhook still arrives, with `OptOutType`). */
const optOutKeywords = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];
const optInKeywords = ['START', 'YES', 'UNSTOP'];
const helpKeywords = ['HELP', 'INFO'];

/**
 * A local Twilio for the tests: Conversations, Flex Interactions and the Messages API over HTTP on 127.0.0.1,
 * spoken to by the real `twilio` SDK through `TWILIO_API_URL`, and webhooks signed as Twilio signs them.
 */
export class TwilioFake {
  readonly accountSid: string;
  readonly authToken: string;
  readonly workspaceSid: string = defaults.workspaceSid;
  readonly workflowSid: string = defaults.workflowSid;
  /** The account's default Conversations service (requests without `/Services/IS…/`). */
  readonly defaultServiceSid: string = defaults.serviceSid;

  private readonly state = new TwilioFakeState();
  private readonly apiKeys: readonly { sid: string; secret: string }[];
  private readonly recorded: RecordedTwilioRequest[] = [];
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly sent = new WeakMap<WebhookDelivery, SentWebhook>();
  private readonly inbound: FakeInboundMessage[] = [];
  private readonly agents = new Map<string, string>();
  private faults: (TwilioFault & { remaining: number })[] = [];
  /** Webhooks fired by REST changes go out one after another, after the answer, as Twilio's do. */
  private restDeliveries: Promise<unknown> = Promise.resolve();
  private baseUrl = '';

  private constructor(
    private readonly server: Server,
    options: TwilioFakeOptions,
  ) {
    this.accountSid = options.accountSid ?? defaults.accountSid;
    this.authToken = options.authToken ?? defaults.authToken;
    this.apiKeys = options.apiKeys ?? [];
  }

  static async start(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
    const server = createServer();
    const fake = new TwilioFake(server, options);
    server.on('request', (request, response) => void fake.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The `TWILIO_API_URL` value. */
  get url(): string {
    return this.baseUrl;
  }

  env(): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.accountSid,
      TWILIO_AUTH_TOKEN: this.authToken,
      TWILIO_API_URL: this.url,
      TWILIO_FLEX_WORKSPACE_SID: this.workspaceSid,
      TWILIO_FLEX_WORKFLOW_SID: this.workflowSid,
    };
  }

  async close(): Promise<void> {
    await this.settled();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Resolves once the webhooks that REST changes fired have all been answered. */
  async settled(): Promise<void> {
    let current: Promise<unknown>;
    do {
      current = this.restDeliveries;
      await current;
    } while (current !== this.restDeliveries);
  }

  // --- what Switchboard did -----------------------------------------------------------------------------

  conversations(): FakeConversation[] {
    return [...this.state.conversations.values()].map(snapshot);
  }

  conversation(sid: string): FakeConversation {
    return snapshot(this.record(sid));
  }

  interactions(): FakeInteraction[] {
    return [...this.state.interactions.values()].map((i) => ({
      sid: i.sid,
      channel: structuredClone(i.channel),
      routing: structuredClone(i.routing),
      channelSid: i.channelSid,
      taskSid: i.taskSid,
      createdAt: i.createdAt,
    }));
  }

  sentMessages(): FakeSentMessage[] {
    return [...this.state.sentMessages.values()].map((m) => ({ ...m, mediaUrls: [...m.mediaUrls] }));
  }

  inboundMessages(): FakeInboundMessage[] {
    return this.inbound.map((m) => ({ ...m, mediaUrls: [...m.mediaUrls] }));
  }

  requests(): RecordedTwilioRequest[] {
    return [...this.recorded];
  }

  /** Every webhook the fake sent or posted, in order, with Switchboard's answers. */
  webhookDeliveries(): WebhookDelivery[] {
    return [...this.deliveries];
  }

  // --- test controls ------------------------------------------------------------------------------------

  /** A Flex agent accepts the task: joins the conversation (`onParticipantAdded`). */
  async flexAgentJoins(
    conversationSid: string,
    identity: string = defaults.flexAgent,
  ): Promise<WebhookDelivery[]> {
    const conversation = this.open(conversationSid);
    if (conversation.participants.some((p) => p.identity === identity))
      throw new Error(`${identity} is already in conversation ${conversationSid}`);
    const participant = this.state.addParticipant(conversation, {
      identity,
      attributes: '{}',
      binding: null,
      roleSid: null,
    });
    this.agents.set(conversationSid, identity);
    return this.fire(
      conversation,
      'onParticipantAdded',
      participantEventParams(this.context, conversation, participant, 'API'),
    );
  }

  /** A Flex agent writes in the conversation from the Flex UI (`onMessageAdded`, `Source=SDK`). */
  async flexAgentSends(
    conversationSid: string,
    body: string,
    options: { author?: string; media?: FlexMedia[] } = {},
  ): Promise<{ messageSid: string; deliveries: WebhookDelivery[] }> {
    const conversation = this.open(conversationSid);
    const media: MediaRecord[] | null = options.media
      ? options.media.map((m) => ({
          sid: newSid('ME'),
          contentType: m.contentType,
          filename: m.filename ?? null,
          size: m.size ?? 0,
        }))
      : null;
    const message = this.state.addMessage(conversation, {
      author: options.author ?? this.agents.get(conversationSid) ?? defaults.flexAgent,
      body,
      attributes: '{}',
      media,
      source: 'SDK',
      webhookEnabled: true,
    });
    const deliveries = await this.fire(
      conversation,
      'onMessageAdded',
      messageEventParams(this.context, conversation, message, 'SDK'),
    );
    return { messageSid: message.sid, deliveries };
  }

  /** The Flex agent wraps up: the conversation is closed (`onConversationStateUpdated`, active → closed). */
  async flexAgentCloses(conversationSid: string): Promise<WebhookDelivery[]> {
    const conversation = this.open(conversationSid);
    const from = conversation.state;
    conversation.state = 'closed';
    conversation.updatedAt = new Date();
    return this.fire(
      conversation,
      'onConversationStateUpdated',
      stateEventParams(this.context, conversation, from, 'API'),
    );
  }

  /**
   * An SMS or WhatsApp message (`from` starting `whatsapp:`) arrives at `to`: Twilio's incoming-message
   * webhook to `webhookUrl`. SMS opt-out keywords opt the sender out (or in) as Twilio does, with `OptOutType`.
   */
  async inboundMessage(input: {
    to: string;
    from: string;
    body: string;
    mediaUrls?: string[];
    mediaContentTypes?: string[];
    webhookUrl: string;
    profileName?: string;
    messagingServiceSid?: string;
  }): Promise<{ messageSid: string; delivery: WebhookDelivery }> {
    const mediaUrls = input.mediaUrls ?? [];
    const sid = newSid(mediaUrls.length > 0 ? 'MM' : 'SM');
    const whatsapp = input.from.startsWith('whatsapp:');
    const params: Record<string, string> = {
      MessageSid: sid,
      SmsSid: sid,
      SmsMessageSid: sid,
      AccountSid: this.accountSid,
      From: input.from,
      To: input.to,
      Body: input.body,
      NumMedia: String(mediaUrls.length),
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    if (input.messagingServiceSid) params.MessagingServiceSid = input.messagingServiceSid;
    mediaUrls.forEach((url, i) => {
      params[`MediaUrl${i}`] = url;
      params[`MediaContentType${i}`] = input.mediaContentTypes?.[i] ?? contentTypeOf(url);
    });
    if (whatsapp) {
      params.WaId = input.from.slice('whatsapp:+'.length);
      if (input.profileName !== undefined) params.ProfileName = input.profileName;
    } else {
      const keyword = input.body.trim().toUpperCase();
      if (optOutKeywords.includes(keyword)) {
        this.state.optedOut.add(input.from);
        params.OptOutType = 'STOP';
      } else if (optInKeywords.includes(keyword)) {
        this.state.optedOut.delete(input.from);
        params.OptOutType = 'START';
      } else if (helpKeywords.includes(keyword)) params.OptOutType = 'HELP';
    }
    this.inbound.push({ sid, to: input.to, from: input.from, body: input.body, mediaUrls: [...mediaUrls] });
    const delivery = await this.send(input.webhookUrl, params, 'POST');
    return { messageSid: sid, delivery };
  }

  /** The carrier reports on a message sent through the Messages API: its `StatusCallback` is called. */
  async deliveryStatus(
    messageSid: string,
    status: 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered',
    options: { errorCode?: number } = {},
  ): Promise<WebhookDelivery> {
    const message = this.state.sentMessages.get(messageSid);
    if (!message) throw new Error(`no message ${messageSid} was sent through the Messages API`);
    if (!message.statusCallback) throw new Error(`message ${messageSid} was sent without a StatusCallback`);
    const failed = status === 'failed' || status === 'undelivered';
    message.status = status;
    message.errorCode = options.errorCode ?? (failed ? 30008 : null);
    message.from ??= message.to.startsWith('whatsapp:')
      ? `whatsapp:${defaults.messagingServiceNumber}`
      : defaults.messagingServiceNumber;
    message.updatedAt = new Date();
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: status,
      SmsStatus: status,
      To: message.to,
      From: message.from,
    };
    if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
    if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
    if (message.to.startsWith('whatsapp:')) params.ChannelPrefix = 'whatsapp';
    return this.send(message.statusCallback, params, 'POST');
  }

  /** The same request again, signature and idempotency token included (Twilio retrying). */
  async redeliver(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const sent = this.sent.get(delivery);
    if (!sent) throw new Error('redeliver takes a delivery the fake made');
    return this.send(delivery.url, delivery.params, sent.method, sent);
  }

  /**
   * Posts form parameters to a URL as Twilio would: signed with the auth token, or with `token`, or with the
   * given `signature`, or without the header (`signature: null`).
   */
  async post(
    url: string,
    params: Record<string, string>,
    options: { signature?: string | null; token?: string } = {},
  ): Promise<WebhookDelivery> {
    const signature =
      options.signature === undefined ? this.sign(url, params, options.token) : options.signature;
    return this.send(url, params, 'POST', {
      method: 'POST',
      signature,
      idempotencyToken: idempotencyToken(),
    });
  }

  /** `X-Twilio-Signature`: base64 HMAC-SHA1 of the URL followed by each parameter's name and value, by name. */
  sign(url: string, params: Record<string, string>, token: string = this.authToken): string {
    const data = Object.keys(params)
      .sort()
      .reduce((acc, key) => acc + key + params[key], url);
    return createHmac('sha1', token).update(Buffer.from(data, 'utf-8')).digest('base64');
  }

  /** The number has texted STOP: the Messages API refuses it (21610) until `optIn`. */
  optOut(address: string): void {
    this.state.optedOut.add(address);
  }

  optIn(address: string): void {
    this.state.optedOut.delete(address);
  }

  /** The next matching REST requests are answered with `status` in Twilio's error shape. */
  fail(input: TwilioFault): void {
    this.faults.push({ ...input, remaining: input.count ?? Number.POSITIVE_INFINITY });
  }

  heal(): void {
    this.faults = [];
  }

  // --- HTTP ---------------------------------------------------------------------------------------------

  private get context(): RestContext {
    return {
      state: this.state,
      accountSid: this.accountSid,
      defaultServiceSid: this.defaultServiceSid,
      workspaceSid: this.workspaceSid,
      workflowSid: this.workflowSid,
      emit: () => {
        throw new Error('events from a REST request are fired by handle()');
      },
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', this.baseUrl);
    const method = (request.method ?? 'GET').toUpperCase();
    const params =
      method === 'POST'
        ? FormParams.parse(Buffer.concat(chunks).toString('utf-8'))
        : new FormParams([...url.searchParams]);
    const webhookEnabled = String(request.headers['x-twilio-webhook-enabled']).toLowerCase() === 'true';
    const credential = this.credential(request.headers.authorization);
    const events: {
      conversation: ConversationRecord;
      event: ConversationEvent;
      params: Record<string, string>;
    }[] = [];
    let status: number;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      const fault = this.takeFault(method, url.pathname);
      if (fault) throw faultError(fault.status, fault.retryAfterSeconds);
      if (!credential) throw faultError(401);
      const result = handleRest(
        { method, path: url.pathname, params, webhookEnabled },
        {
          ...this.context,
          emit: (conversation, event, eventParams) =>
            events.push({ conversation, event, params: eventParams }),
        },
      );
      status = result.status;
      body = result.body;
    } catch (error) {
      // A bug in the fake answers 500 with its message rather than hanging the SDK.
      const answer =
        error instanceof TwilioApiError
          ? error
          : new TwilioApiError(
              500,
              20500,
              `local Twilio failed: ${error instanceof Error ? error.stack : error}`,
            );
      status = answer.status;
      body = answer.body();
      headers = { ...answer.headers };
    }
    this.recorded.push({
      method,
      path: url.pathname,
      status,
      params: params.record(),
      webhookEnabled,
      credential: status === 401 ? null : credential,
    });
    response.on('finish', () => {
      for (const e of events) {
        this.restDeliveries = this.restDeliveries.then(() => this.fire(e.conversation, e.event, e.params));
      }
    });
    if (body === undefined) {
      response.writeHead(status, headers).end();
      return;
    }
    response.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private credential(header: string | undefined): RecordedTwilioRequest['credential'] {
    const match = /^Basic (.+)$/.exec(header ?? '');
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf-8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user === this.accountSid && password === this.authToken) return 'auth-token';
    if (this.apiKeys.some((k) => k.sid === user && k.secret === password)) return 'api-key';
    return null;
  }

  private takeFault(method: string, path: string): TwilioFault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
    if (fault) fault.remaining -= 1;
    return fault;
  }

  private record(sid: string): ConversationRecord {
    const found = this.state.conversations.get(sid);
    if (!found) throw new Error(`no conversation ${sid} in the local Twilio`);
    return found;
  }

  private open(sid: string): ConversationRecord {
    const found = this.record(sid);
    if (found.state === 'closed') throw new Error(`conversation ${sid} is closed`);
    return found;
  }

  /** Sends an event to each of the conversation's webhooks whose filters name it, one after another. */
  private async fire(
    conversation: ConversationRecord,
    event: ConversationEvent,
    params: Record<string, string>,
  ): Promise<WebhookDelivery[]> {
    const out: WebhookDelivery[] = [];
    for (const webhook of conversation.webhooks) {
      if (webhook.target !== 'webhook' || webhook.url === null || !webhook.filters.includes(event)) continue;
      out.push(await this.send(webhook.url, params, webhook.method));
    }
    return out;
  }

  private async send(
    url: string,
    params: Record<string, string>,
    method: 'GET' | 'POST',
    again?: SentWebhook,
  ): Promise<WebhookDelivery> {
    const target = method === 'GET' ? withQuery(url, params) : url;
    const signature = again ? again.signature : this.sign(target, method === 'GET' ? {} : params);
    const sent: SentWebhook = {
      method,
      signature,
      idempotencyToken: again?.idempotencyToken ?? idempotencyToken(),
    };
    const headers: Record<string, string> = {
      'user-agent': 'TwilioProxy/1.1',
      accept: '*/*',
      'i-twilio-idempotency-token': sent.idempotencyToken,
    };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    let status = 0;
    let body = '';
    try {
      const answer = await fetch(target, {
        method,
        headers:
          method === 'POST' ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
        ...(method === 'POST' ? { body: new URLSearchParams(params).toString() } : {}),
        redirect: 'manual',
      });
      status = answer.status;
      body = await answer.text();
    } catch (error) {
      body = `no answer: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
    }
    const delivery: WebhookDelivery = { url, params: { ...params }, status, body };
    this.sent.set(delivery, sent);
    this.deliveries.push(delivery);
    return delivery;
  }
}

function snapshot(c: ConversationRecord): FakeConversation {
  return {
    sid: c.sid,
    serviceSid: c.serviceSid,
    state: c.state,
    attributes: parseAttributes(c.attributes),
    friendlyName: c.friendlyName,
    uniqueName: c.uniqueName,
    participants: c.participants.map((p) => ({
      sid: p.sid,
      identity: p.identity,
      attributes: parseAttributes(p.attributes),
      messagingBinding: p.binding ? { ...p.binding } : null,
    })),
    messages: c.messages.map((m) => ({
      sid: m.sid,
      index: m.index,
      author: m.author,
      body: m.body,
      attributes: parseAttributes(m.attributes),
      participantSid: m.participantSid,
      media: m.media ? m.media.map((x) => ({ ...x })) : null,
      source: m.source,
      webhookEnabled: m.webhookEnabled,
      createdAt: m.createdAt,
    })),
    webhooks: c.webhooks.map((w) => ({
      sid: w.sid,
      target: w.target,
      url: w.url,
      method: w.method,
      filters: [...w.filters],
    })),
    createdAt: c.createdAt,
  };
}

function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  if (query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

const idempotencyToken = (): string => `${newSid('RQ').slice(0, 12)}-${randomUUID()}`;

function contentTypeOf(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    gif: 'image/gif',
    pdf: 'application/pdf',
    mp4: 'video/mp4',
    ogg: 'audio/ogg',
    mp3: 'audio/mpeg',
  };
  return (extension && types[extension]) || 'image/jpeg';
}
