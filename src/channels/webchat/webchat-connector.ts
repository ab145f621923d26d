import { randomUUID } from 'node:crypto';
import type {} from '@fastify/rate-limit';
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { forbidden, invalid, notFound, rateLimited, unauthorized, unavailable } from '../../core/errors.ts';
import type { OutboundMessage, WebchatVisitor } from '../../core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { WebchatVisitorRepository } from '../../core/ports/repositories.ts';
import { newVisitorToken, visitorIdOfHash, visitorTokenHash } from './visitor-token.ts';
import { type VisitorMessage, visitorMessageExternalId, type WebchatHistory } from './webchat-history.ts';

export interface WebchatConnectorOptions {
  /** Path prefix of the visitor endpoints. */
  prefix: string;
  /** New visitor sessions per client address per minute. */
  sessionsPerMinute: number;
  /** Messages per visitor per minute. */
  messagesPerMinute: number;
  /** Messages per client address per minute, whatever the visitor (many tokens, one client). */
  addressMessagesPerMinute: number;
  /** Conversations handed to a person (cases) from one client address per hour. */
  handoffsPerHour: number;
  /** Longest message a visitor may send. */
  maxTextLength: number;
  /** Live connections one visitor may hold (tabs). */
  socketsPerVisitor: number;
  /** A live connection that has not sent its token by then is closed. */
  authTimeoutMs: number;
}

export const defaultWebchatConnectorOptions: WebchatConnectorOptions = {
  prefix: '/api/v1/webchat',
  sessionsPerMinute: 20,
  messagesPerMinute: 30,
  addressMessagesPerMinute: 120,
  handoffsPerHour: 10,
  maxTextLength: 4_000,
  socketsPerVisitor: 5,
  authTimeoutMs: 10_000,
};

export const webchatTokenHeader = 'x-webchat-token';

const visitorActions = /^(handoff|resolved|rate:[1-5])$/;
const sessionBody = z.strictObject({ name: z.string().trim().max(80).optional() }).optional();
const messageBody = z.strictObject({
  text: z.string().max(20_000).default(''),
  action: z.string().regex(visitorActions, 'unknown action').optional(),
  clientMessageId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
  name: z.string().trim().max(80).optional(),
});
const authFrame = z.object({ type: z.literal('auth'), token: z.string().max(200) });

export interface WebchatConnectorDeps {
  history: WebchatHistory;
  /** The visitors the server issued tokens to (their hashes) and which of them are blocked. */
  visitors: WebchatVisitorRepository;
  /**
   * Carries outbound messages to the instance holding the visitor's live connection (with many instances,
   * the one whose dispatcher delivers a message is often not the one the visitor is connected to).
   * Without it, messages reach this instance's connections only.
   */
  bus?: EventBus;
  now?: () => Date;
}

const hourMs = 3_600_000;
const visitorIdParams = z.strictObject({
  visitorId: z.string().regex(/^wv_[0-9a-f]{40}$/, 'not a visitor id'),
});

/**
 * The web-chat channel: a browser widget talks to these public endpoints, each scoped by a visitor token
 * (issued and known by the server) to the visitor's own conversation. Inbound messages go to the core like any channel's; outbound
 * ones are pushed to the visitor's open WebSockets and read back from history after a reload.
 */
export class WebchatConnector implements ChannelConnector {
  readonly channel = 'webchat';
  private readonly options: WebchatConnectorOptions;
  private handler: InboundHandler | null = null;
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private unsubscribe: (() => void) | null = null;
  /** Per client address: when its visitors were handed to a person within the last hour. */
  private readonly handoffs = new Map<string, number[]>();
  /** Per client address: messages being processed that may still hand off (the cap counts them too). */
  private readonly pending = new Map<string, number>();
  private readonly history: WebchatHistory;
  private readonly visitors: WebchatVisitorRepository;
  private readonly bus: EventBus | null;
  private readonly now: () => Date;

  constructor(deps: WebchatConnectorDeps, options: Partial<WebchatConnectorOptions> = {}) {
    this.history = deps.history;
    this.visitors = deps.visitors;
    this.bus = deps.bus ?? null;
    this.now = deps.now ?? (() => new Date());
    this.options = { ...defaultWebchatConnectorOptions, ...options };
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
    this.unsubscribe ??=
      this.bus?.subscribe((event) => {
        if (event.type === 'channel.push' && event.channel === this.channel) this.push(event.to, event.frame);
      }) ?? null;
  }

  async stop(): Promise<void> {
    this.handler = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const set of this.sockets.values())
      for (const socket of set) socket.close(1001, 'server shutting down');
    this.sockets.clear();
  }

  health(): ConnectorHealth {
    return this.handler
      ? { status: 'connected', detail: null }
      : { status: 'disabled', detail: 'not started' };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const visitorId = message.address.visitorId;
    if (typeof visitorId !== 'string') throw new ConnectorError('web-chat address has no visitorId', false);
    // A visitor is reachable only in their chat: a notice outside a conversation has nowhere to go.
    if (message.conversationId === null)
      throw new ConnectorError('web chat delivers messages of a conversation only', false);
    const id = message.messageId ?? randomUUID();
    const wire: VisitorMessage = {
      id,
      conversationId: message.conversationId,
      authorKind: message.authorKind,
      authorName: message.authorKind === 'agent' ? message.authorName : null,
      text: message.text,
      attachments: message.attachments.map((a) => ({ ...a })),
      articles: message.articles.map(({ id: articleId, title, url, excerpt }) => ({
        id: articleId,
        title,
        url,
        excerpt,
      })),
      actions: message.actions,
      createdAt: new Date().toISOString(),
    };
    // A visitor who is not connected (to any instance, or while the bus is cut off) reads it from history
    // when they come back: delivery succeeded.
    await this.toVisitor(visitorId, { type: 'message', message: wire });
    return { externalId: `webchat:${id}` };
  }

  /** A frame for the visitor's live connections, on whichever instance holds them. */
  private async toVisitor(visitorId: string, frame: Record<string, unknown>): Promise<void> {
    if (this.bus)
      await this.bus.publish({ type: 'channel.push', channel: this.channel, to: visitorId, frame });
    else this.push(visitorId, frame);
  }

  /** Sends a frame to the visitor's live connections on this instance; `blocked` also ends them. */
  private push(visitorId: string, frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    for (const socket of this.sockets.get(visitorId) ?? []) {
      if (socket.readyState === socket.OPEN) socket.send(text);
      if (frame.type === 'blocked') socket.close(4003, 'blocked');
    }
  }

  /** Declares the visitor endpoints and the admin's block routes; mount it through `buildApp`'s `registerRoutes`. */
  routes(app: FastifyInstance): void {
    const { prefix } = this.options;
    const perMinute = (max: number) => ({ max, timeWindow: 60_000 });
    // Two limits on one route: per address (many made-up visitors from one client) and per visitor.
    const addressLimit = app.createRateLimit({
      max: this.options.addressMessagesPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `webchat-address:${request.ip}`,
    });
    const visitorLimit = app.createRateLimit({
      max: this.options.messagesPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `webchat-visitor:${visitorTokenHash(request.headers[webchatTokenHeader])}`,
    });
    const limit = async (check: typeof addressLimit, request: FastifyRequest, who: string) => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded)
        throw rateLimited(`too many messages from ${who}; try again in ${result.ttlInSeconds} s`, {
          retryAfterSeconds: result.ttlInSeconds,
        });
    };

    app.post(
      `${prefix}/sessions`,
      { config: { role: 'public', rateLimit: perMinute(this.options.sessionsPerMinute) } },
      async (request, reply) => {
        parse(sessionBody, request.body);
        const token = newVisitorToken();
        const tokenHash = visitorTokenHash(token) as string;
        const visitor: WebchatVisitor = {
          id: visitorIdOfHash(tokenHash),
          tokenHash,
          createdAt: this.now().toISOString(),
          blockedAt: null,
          blockedBy: null,
        };
        await this.visitors.create(visitor);
        return reply.code(201).send({ token, visitorId: visitor.id });
      },
    );

    app.get(
      `${prefix}/messages`,
      { config: { role: 'public', rateLimit: perMinute(120) } },
      async (request) => {
        const visitor = await this.visitorOf(request);
        const messages = await this.history.messagesOf(visitor.id);
        return { blocked: visitor.blockedAt !== null, messages };
      },
    );

    app.post(`${prefix}/messages`, { config: { role: 'public' } }, async (request, reply) => {
      await limit(addressLimit, request, 'your address');
      const visitor = await this.visitorOf(request);
      if (visitor.blockedAt) throw blockedError();
      await limit(visitorLimit, request, 'this visitor');
      const body = parse(messageBody, request.body ?? {});
      const text = body.text.trim();
      if (!text && !body.action) throw invalid('a message needs text or an action', { field: 'text' });
      if (text.length > this.options.maxTextLength)
        throw invalid(`a message has at most ${this.options.maxTextLength} characters`, { field: 'text' });
      const handler = this.handler;
      if (!handler) throw unavailable('web chat is not running');
      const address = request.ip;
      // A rating or "this solved it" never hands off; anything else said to the bot may.
      const mayHandOff =
        !/^(rate:|resolved$)/.test(body.action ?? '') && !(await this.history.withPerson(visitor.id));
      if (mayHandOff) this.checkHandoffCap(address);
      if (mayHandOff) this.pending.set(address, (this.pending.get(address) ?? 0) + 1);
      try {
        await handler({
          channel: this.channel,
          // The widget's own id makes a retried POST a no-op.
          externalId: visitorMessageExternalId(visitor.id, body.clientMessageId ?? randomUUID()),
          contact: { externalId: visitor.id, name: body.name || `Visitor ${visitor.id.slice(3, 9)}` },
          address: { visitorId: visitor.id },
          text,
          ...(body.action ? { action: body.action } : {}),
        });
        if (mayHandOff && (await this.history.withPerson(visitor.id)))
          this.handoffs.set(address, [...this.recentHandoffs(address), this.now().getTime()]);
      } finally {
        if (mayHandOff) {
          const left = (this.pending.get(address) ?? 1) - 1;
          if (left > 0) this.pending.set(address, left);
          else this.pending.delete(address);
        }
      }
      return reply.code(202).send({ accepted: true });
    });

    app.get(
      `${prefix}/live`,
      { websocket: true, config: { role: 'public', rateLimit: perMinute(60) } },
      (socket) => this.attach(socket),
    );

    // An admin's view of one visitor (the desktop's contact page) and the block switch.
    app.get(`${prefix}/visitors/:visitorId`, { config: { role: 'admin' } }, async (request) =>
      visitorView(await this.visitorById(request.params)),
    );
    app.put(`${prefix}/visitors/:visitorId/block`, { config: { role: 'admin' } }, async (request) => {
      const visitor = await this.visitorById(request.params);
      const blocked: WebchatVisitor = visitor.blockedAt
        ? visitor
        : { ...visitor, blockedAt: this.now().toISOString(), blockedBy: request.principal?.agent.id ?? null };
      await this.visitors.update(blocked);
      // Open chats learn it at once, on every instance; their next message would be refused anyway.
      await this.toVisitor(visitor.id, { type: 'blocked' });
      return visitorView(blocked);
    });
    app.delete(`${prefix}/visitors/:visitorId/block`, { config: { role: 'admin' } }, async (request) => {
      const visitor = await this.visitorById(request.params);
      const unblocked: WebchatVisitor = { ...visitor, blockedAt: null, blockedBy: null };
      await this.visitors.update(unblocked);
      return visitorView(unblocked);
    });
  }

  /** Hand-offs from this address in the last hour, oldest first. */
  private recentHandoffs(address: string): number[] {
    const since = this.now().getTime() - hourMs;
    const recent = (this.handoffs.get(address) ?? []).filter((at) => at > since);
    if (recent.length > 0) this.handoffs.set(address, recent);
    else this.handoffs.delete(address);
    return recent;
  }

  private checkHandoffCap(address: string): void {
    const recent = this.recentHandoffs(address);
    if (recent.length + (this.pending.get(address) ?? 0) < this.options.handoffsPerHour) return;
    const retryAfterSeconds = recent[0] ? Math.ceil((recent[0] + hourMs - this.now().getTime()) / 1000) : 60;
    throw rateLimited(
      `too many chats from your address were handed to a person in the last hour; try again in ${Math.ceil(retryAfterSeconds / 60)} min`,
      { retryAfterSeconds },
    );
  }

  /** A live connection: the first frame carries the token; then it only receives. */
  private attach(socket: WebSocket): void {
    let visitorId: string | null = null;
    let authenticating = false;
    const timer = setTimeout(() => socket.close(4001, 'no token'), this.options.authTimeoutMs);
    socket.on('message', (data) => {
      if (visitorId || authenticating) return;
      authenticating = true;
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        frame = null;
      }
      const parsed = authFrame.safeParse(frame);
      const hash = parsed.success ? visitorTokenHash(parsed.data.token) : null;
      clearTimeout(timer);
      void (hash ? this.visitors.findByTokenHash(hash) : Promise.resolve(undefined))
        .catch(() => undefined)
        .then((visitor) => {
          if (socket.readyState !== socket.OPEN) return;
          if (!visitor) {
            socket.close(4001, 'unknown visitor token');
            return;
          }
          if (visitor.blockedAt) {
            socket.close(4003, 'blocked');
            return;
          }
          const set = this.sockets.get(visitor.id) ?? new Set<WebSocket>();
          if (set.size >= this.options.socketsPerVisitor) {
            socket.close(4008, 'too many connections');
            return;
          }
          visitorId = visitor.id;
          set.add(socket);
          this.sockets.set(visitor.id, set);
          socket.send(JSON.stringify({ type: 'ready' }));
        });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!visitorId) return;
      const set = this.sockets.get(visitorId);
      set?.delete(socket);
      if (set?.size === 0) this.sockets.delete(visitorId);
    });
    socket.on('error', () => socket.terminate());
  }

  /** The visitor the request's token was issued to; a made-up or forgotten token is refused. */
  private async visitorOf(request: FastifyRequest): Promise<WebchatVisitor> {
    const header = request.headers[webchatTokenHeader];
    if (header === undefined)
      throw unauthorized(`send the visitor token in the ${webchatTokenHeader} header`);
    const hash = visitorTokenHash(header);
    const visitor = hash ? await this.visitors.findByTokenHash(hash) : undefined;
    if (!visitor)
      throw unauthorized(
        `unknown visitor token: this server did not issue it; start a new chat with POST ${this.options.prefix}/sessions`,
      );
    return visitor;
  }

  private async visitorById(params: unknown): Promise<WebchatVisitor> {
    const { visitorId } = parse(visitorIdParams, params);
    const visitor = await this.visitors.get(visitorId);
    if (!visitor) throw notFound('web-chat visitor', visitorId);
    return visitor;
  }
}

const blockedError = () =>
  forbidden('this chat has been closed by the team: messages from you are no longer accepted');

const visitorView = (v: WebchatVisitor) => ({
  id: v.id,
  createdAt: v.createdAt,
  blocked: v.blockedAt !== null,
  blockedAt: v.blockedAt,
  blockedBy: v.blockedBy,
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, {
      field: issue?.path.join('.') || 'body',
    });
  }
  return result.data;
}
