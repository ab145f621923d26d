import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { ConnectorHealth } from '../core/ports/channel-connector.ts';
import { UploadStore } from '../storage/upload-store.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { credentialStands, installAuthentication, principalOf } from './auth/authentication.ts';
import { errorHandler, HttpError, notFoundHandler } from './error-handler.ts';
import type { HttpCenter } from './http-center.ts';
import { defaultHttpConfig, type HttpConfig } from './http-config.ts';
import { lazySchemaCompilers } from './lazy-schema-compilers.ts';
import { HttpMetrics } from './metrics.ts';
import { opsRoutes } from './ops-routes.ts';
import { RealtimeHub } from './realtime.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import type { ApiInstance, RouteDeps } from './routes/api-instance.ts';
import { articleRoutes } from './routes/article-routes.ts';
import { botOutcomeRoutes } from './routes/bot-outcome-routes.ts';
import { botTextRoutes } from './routes/bot-text-routes.ts';
import { cannedResponseRoutes } from './routes/canned-response-routes.ts';
import { caseRoutes } from './routes/case-routes.ts';
import { channelRoutes } from './routes/channel-routes.ts';
import { contactRoutes } from './routes/contact-routes.ts';
import { conversationRoutes } from './routes/conversation-routes.ts';
import { exportRoutes } from './routes/export-routes.ts';
import { flowRoutes } from './routes/flow-routes.ts';
import { idleConversationRoutes } from './routes/idle-conversation-routes.ts';
import { monitorRoutes } from './routes/monitor-routes.ts';
import { noticeRoutes } from './routes/notice-routes.ts';
import { outboxRoutes } from './routes/outbox-routes.ts';
import { proposalRoutes } from './routes/proposal-routes.ts';
import { queueRoutes } from './routes/queue-routes.ts';
import { reservationRoutes } from './routes/reservation-routes.ts';
import { retentionRoutes } from './routes/retention-routes.ts';
import { searchRoutes } from './routes/search-routes.ts';
import { slaRoutes } from './routes/sla-routes.ts';
import { statsRoutes } from './routes/stats-routes.ts';
import { transcriptRoutes } from './routes/transcript-routes.ts';
import { uploadApiRoutes, uploadFileRoutes } from './routes/upload-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import { errorSchema } from './schemas.ts';
import { zodSerializerCompiler, zodSwaggerTransform, zodValidatorCompiler } from './zod-type-provider.ts';

export interface BuildAppOptions {
  center: HttpCenter;
  /** A pino logger to log through (secrets are redacted on top of it); `false` for none. Default: pino at info. */
  logger?: Logger | false;
  config?: Partial<HttpConfig>;
  /** Connector states, for `/healthz`, `/metrics` and `GET /api/v1/channels`. */
  connectorsHealth?: () => Record<string, ConnectorHealth>;
  /**
   * Lets connectors add their webhook routes (in their own encapsulated scope: they may add content
   * parsers). Every route must declare `config: { role: 'public' }` or a role, or startup fails.
   */
  registerRoutes?: (app: FastifyInstance) => void | Promise<void>;
  /** Where agents' attachments are kept (`<dataDir>/uploads`); without it there is no upload route. */
  uploadDir?: string;
  /** The level of the per-request log lines (default `info`; `debug` keeps a terminal readable). */
  requestLogLevel?: 'info' | 'debug';
}

/** Fastify's per-request lines one level down (`debug`); a failed response is still an error line. */
class DebugRequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export const apiPrefix = '/api/v1';
export const docsPrefix = '/api/docs';

/** Never logged, whatever a handler or plugin decides to log. */
const redact = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    'headers.authorization',
    'headers.cookie',
    'body.password',
    'password',
    'token',
  ],
  censor: '[redacted]',
};

/**
 * The HTTP server: REST API under `/api/v1`, the realtime WebSocket, OpenAPI and docs, health and metrics.
 * Returned ready to `listen()` (or `inject()`), not listening.
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const config: HttpConfig = { ...defaultHttpConfig, ...options.config };
  const { center } = options;
  const connectorsHealth = options.connectorsHealth ?? (() => ({}));
  const uploads = options.uploadDir === undefined ? null : new UploadStore(options.uploadDir);

  const common = {
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    // A request id set by a proxy is kept, so that its logs and ours correlate.
    requestIdHeader: 'x-request-id',
    // `/agents/` is `/agents`; ids up to the 128 characters the schemas accept reach them (and get a 400
    // naming the field when wrong) instead of the router's bare 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    // Errors raised before routing (bad URL, overlong parameter) get the same JSON error body.
    frameworkErrors: errorHandler,
    // JSON schemas (a few routes; most take zod) compiled on a route's first request, not at start-up.
    schemaController: { compilersFactory: lazySchemaCompilers() },
    ...(options.requestLogLevel === 'debug' ? { logController: new DebugRequestLogController() } : {}),
  } as const;
  const app = (
    options.logger === false
      ? Fastify({ ...common, logger: false })
      : options.logger
        ? Fastify({ ...common, loggerInstance: options.logger.child({}, { redact }) })
        : Fastify({ ...common, logger: { level: 'info', redact } })
  ) as FastifyInstance;

  const realtime = new RealtimeHub(center.bus, (principal) => credentialStands(center, principal), {
    // Pings answered count as heartbeats too, so they come at least as often as presence needs them.
    heartbeatMs: Math.min(config.realtimeHeartbeatMs, center.presence.options.heartbeatMs),
    clientHeartbeatMs: center.presence.options.heartbeatMs,
    alive: (agentId, connected) =>
      center.presence.heartbeat(agentId, connected).catch((error: unknown) => {
        // The socket stays open and the next heartbeat tries again; the failure is still worth a line.
        app.log.warn({ err: error, agentId }, 'presence heartbeat not recorded');
      }),
    viewing: (agentId, conversationId) =>
      center.monitor.reportViewing(agentId, conversationId).catch((error: unknown) => {
        app.log.warn({ err: error, agentId, conversationId }, 'viewed conversation not recorded');
      }),
    viewingEnded: (agentId, conversationId) =>
      center.monitor.endViewing(agentId, conversationId).catch((error: unknown) => {
        app.log.warn({ err: error, agentId, conversationId }, 'viewed conversation not cleared');
      }),
  });
  const metrics = new HttpMetrics(center, connectorsHealth, () => realtime.size);
  const unsubscribeMetrics = center.bus.subscribe((event) => metrics.observe(event));
  app.addHook('onClose', async () => {
    unsubscribeMetrics();
    realtime.close();
  });

  // Before any route: every route must declare its role.
  installAuthentication(app, { center, config, publicPrefixes: [docsPrefix] });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', async (request, reply) => {
    // A refused WebSocket upgrade (401, 403) leaves a raw socket that no HTTP server tracks: end it,
    // or it lingers (and keeps `close()` waiting). The websocket plugin only cleans up upgrades it saw.
    if (request.headers.upgrade?.toLowerCase() === 'websocket' && reply.statusCode >= 400) {
      request.raw.socket.destroy();
    }
    metrics.requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  void app.register(fastifyHelmet, {
    // The desktop and the docs are served from here; nothing is framed or loaded cross-origin.
    contentSecurityPolicy: { useDefaults: true },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  void app.register(fastifyCookie);
  void app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `too many attempts; try again in ${context.after}`),
  });
  void app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchboard API',
        version: '1',
        description:
          'The REST API of Switchboard, a self-hosted contact center for Discord communities. ' +
          'Authenticate with the `sb_session` cookie (POST /api/v1/auth/login; state-changing requests then ' +
          'need the `X-Switchboard-CSRF: 1` header) or with `Authorization: Bearer sb_…` API tokens. ' +
          'Realtime events: WebSocket at /api/v1/realtime.',
      },
      servers: config.publicUrl ? [{ url: config.publicUrl }] : [],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sb_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: zodSwaggerTransform(errorSchema),
  });
  if (config.docs) void app.register(fastifySwaggerUi, { routePrefix: docsPrefix, staticCSP: true });

  void app.register(async (scope) => opsRoutes(scope, { center, config, metrics, connectorsHealth }));

  const deps: RouteDeps = { center, config, realtime, connectorsHealth };
  void app.register(
    async (scope) => {
      scope.setValidatorCompiler(zodValidatorCompiler);
      scope.setSerializerCompiler(zodSerializerCompiler);
      const api = scope as unknown as ApiInstance;
      for (const routes of [
        authRoutes,
        agentRoutes,
        contactRoutes,
        conversationRoutes,
        outboxRoutes,
        reservationRoutes,
        caseRoutes,
        queueRoutes,
        articleRoutes,
        proposalRoutes,
        cannedResponseRoutes,
        flowRoutes,
        statsRoutes,
        botOutcomeRoutes,
        channelRoutes,
        webhookRoutes,
        noticeRoutes,
        searchRoutes,
        transcriptRoutes,
        exportRoutes,
        retentionRoutes,
        botTextRoutes,
        idleConversationRoutes,
        monitorRoutes,
        slaRoutes,
      ]) {
        routes(api, deps);
      }
      scope.get('/realtime', { websocket: true, config: { role: 'agent' } }, (socket, request) => {
        realtime.add(socket, principalOf(request));
      });
      // Its own scope: only this route parses multipart bodies.
      if (uploads)
        await scope.register(async (child) => uploadApiRoutes(child as unknown as ApiInstance, uploads));
    },
    { prefix: apiPrefix },
  );

  if (uploads) void app.register(async (scope) => uploadFileRoutes(scope, uploads));

  if (options.registerRoutes) {
    const register = options.registerRoutes;
    void app.register(async (scope) => register(scope));
  }
  return app;
}
