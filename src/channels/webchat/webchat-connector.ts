import { randomUUID } from 'node:crypto';
import type {} from '@fastify/rate-limit';
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { MessageAction, OutboundMessage } from '../../core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import { HttpError } from '../../http/error-handler.ts';
import { newVisitorToken, visitorIdOf } from './visitor-token.ts';
import type { VisitorMessage, WebchatHistory } from './webchat-history.ts';

export interface WebchatConnectorOptions {
  /** Path prefix of the visitor endpoints. */
  prefix: string;
  /** New visitor sessions per client address per minute. */
  sessionsPerMinute: number;
  /** Messages per visitor per minute. */
  messagesPerMinute: number;
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

/**
 * The web-chat channel: a browser widget talks to these public endpoints, each scoped by an opaque visitor
 * token to the visitor's own conversation. Inbound messages go to the core like any channel's; outbound
 * ones are pushed to the visitor's open WebSockets and read back from history after a reload.
 */
export class WebchatConnector implements ChannelConnector {
  readonly channel = 'webchat';
  private readonly options: WebchatConnectorOptions;
  private handler: InboundHandler | null = null;
  private readonly sockets = new Map<string, Set<WebSocket>>();
  /** Buttons of recent outbound messages, which the stored Message does not keep. */
  private readonly actions = new Map<string, MessageAction[]>();

  constructor(
    private readonly history: WebchatHistory,
    options: Partial<WebchatConnectorOptions> = {},
  ) {
    this.options = { ...defaultWebchatConnectorOptions, ...options };
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
  }

  async stop(): Promise<void> {
    this.handler = null;
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
    const id = message.messageId ?? randomUUID();
    if (message.actions.length > 0) {
      this.actions.set(id, message.actions);
      // Only the latest buttons matter to a visitor; keep the map small.
      if (this.actions.size > 1_000) this.actions.delete(this.actions.keys().next().value as string);
    }
    const wire: VisitorMessage = {
      id,
      conversationId: message.conversationId,
      authorKind: message.authorKind,
      authorName: message.authorKind === 'agent' ? message.authorName : null,
      text: message.text,
      attachments: message.attachments.map((a) => ({ ...a })),
      articles: message.articles.map(({ id: articleId, title, url }) => ({ id: articleId, title, url })),
      actions: message.actions,
      createdAt: new Date().toISOString(),
    };
    // A visitor who is not connected reads it from history when they come back: delivery succeeded.
    const frame = JSON.stringify({ type: 'message', message: wire });
    for (const socket of this.sockets.get(visitorId) ?? [])
      if (socket.readyState === socket.OPEN) socket.send(frame);
    return { externalId: `webchat:${id}` };
  }

  /** Declares the visitor endpoints; mount it through `buildApp`'s `registerRoutes`. */
  routes(app: FastifyInstance): void {
    const { prefix } = this.options;
    const perMinute = (max: number, key?: (request: FastifyRequest) => string) => ({
      max,
      timeWindow: 60_000,
      ...(key ? { keyGenerator: key } : {}),
    });
    const visitorKey = (request: FastifyRequest) =>
      visitorIdOf(request.headers[webchatTokenHeader]) ?? request.ip;

    app.post(
      `${prefix}/sessions`,
      { config: { role: 'public', rateLimit: perMinute(this.options.sessionsPerMinute) } },
      async (request, reply) => {
        parse(sessionBody, request.body);
        const token = newVisitorToken();
        return reply.code(201).send({ token, visitorId: visitorIdOf(token) });
      },
    );

    app.get(
      `${prefix}/messages`,
      { config: { role: 'public', rateLimit: perMinute(120, visitorKey) } },
      async (request) => {
        const visitorId = this.visitorOf(request);
        const messages = await this.history.messagesOf(visitorId);
        return { messages: messages.map((m) => ({ ...m, actions: this.actions.get(m.id) ?? m.actions })) };
      },
    );

    app.post(
      `${prefix}/messages`,
      { config: { role: 'public', rateLimit: perMinute(this.options.messagesPerMinute, visitorKey) } },
      async (request, reply) => {
        const visitorId = this.visitorOf(request);
        const body = parse(messageBody, request.body ?? {});
        const text = body.text.trim();
        if (!text && !body.action) throw new HttpError(400, 'invalid', 'a message needs text or an action');
        if (text.length > this.options.maxTextLength)
          throw new HttpError(
            400,
            'invalid',
            `a message has at most ${this.options.maxTextLength} characters`,
          );
        const handler = this.handler;
        if (!handler) throw new HttpError(503, 'unavailable', 'web chat is not running');
        await handler({
          channel: this.channel,
          // The widget's own id makes a retried POST a no-op.
          externalId: `${visitorId}:${body.clientMessageId ?? randomUUID()}`,
          contact: { externalId: visitorId, name: body.name || `Visitor ${visitorId.slice(3, 9)}` },
          address: { visitorId },
          text,
          ...(body.action ? { action: body.action } : {}),
        });
        return reply.code(202).send({ accepted: true });
      },
    );

    app.get(
      `${prefix}/live`,
      { websocket: true, config: { role: 'public', rateLimit: perMinute(60) } },
      (socket) => this.attach(socket),
    );
  }

  /** A live connection: the first frame carries the token; then it only receives. */
  private attach(socket: WebSocket): void {
    let visitorId: string | null = null;
    const timer = setTimeout(() => socket.close(4001, 'no token'), this.options.authTimeoutMs);
    socket.on('message', (data) => {
      if (visitorId) return;
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        frame = null;
      }
      const parsed = authFrame.safeParse(frame);
      const id = parsed.success ? visitorIdOf(parsed.data.token) : null;
      clearTimeout(timer);
      if (!id) {
        socket.close(4001, 'invalid token');
        return;
      }
      const set = this.sockets.get(id) ?? new Set<WebSocket>();
      if (set.size >= this.options.socketsPerVisitor) {
        socket.close(4008, 'too many connections');
        return;
      }
      visitorId = id;
      set.add(socket);
      this.sockets.set(id, set);
      socket.send(JSON.stringify({ type: 'ready' }));
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

  private visitorOf(request: FastifyRequest): string {
    const visitorId = visitorIdOf(request.headers[webchatTokenHeader]);
    if (!visitorId)
      throw new HttpError(401, 'unauthorized', `send the visitor token in the ${webchatTokenHeader} header`);
    return visitorId;
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HttpError(400, 'invalid', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
