import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import {
  AnnouncementService,
  type AnnouncementServiceOptions,
} from './announcements/announcement-service.ts';
import { DiscordAnnouncementPoster } from './announcements/discord-announcement-poster.ts';
import { HttpBotVirtualAgent } from './bots/http-bot-virtual-agent.ts';
import { DiscordConnector } from './channels/discord/discord-connector.ts';
import { WebchatConnector } from './channels/webchat/webchat-connector.ts';
import { storeWebchatHistory } from './channels/webchat/webchat-history.ts';
import type { Config } from './config.ts';
import { ContactCenter } from './core/contact-center.ts';
import { KnowledgeVirtualAgent } from './core/knowledge/knowledge-virtual-agent.ts';
import type { ChannelConnector } from './core/ports/channel-connector.ts';
import { type Clock, systemClock } from './core/ports/clock.ts';
import type { DomainEvent, EventBus } from './core/ports/event-bus.ts';
import { buildApp } from './http/app.ts';
import { ScryptPasswordHasher } from './http/auth/scrypt-password-hasher.ts';
import { announcementRoutes } from './http/routes/announcement-routes.ts';
import { desktopStaticRoutes } from './http/static.ts';
import { importKnowledgeBase } from './knowledge/import-knowledge-base.ts';
import { FetchHttpClient } from './net/fetch-http-client.ts';
import { InProcessEventBus } from './pubsub/in-process-event-bus.ts';
import { RedisEventBus } from './pubsub/redis-event-bus.ts';
import { Bm25SearchIndex } from './search/bm25-search-index.ts';
import { openStore } from './storage/kysely-store.ts';

/** The sample knowledge base loaded into an empty installation. */
export const sampleKnowledgeBaseDir = fileURLToPath(new URL('../kb/sample', import.meta.url));

export interface Switchboard {
  center: ContactCenter;
  app: FastifyInstance;
  logger: Logger;
  /** Announcement sources, feeds, the signed webhook and scheduled posts. */
  announcements: AnnouncementService;
  /** Starts the connectors, the background work and the HTTP server; resolves with the listening URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface SwitchboardOverrides {
  logger?: Logger;
  connectors?: ChannelConnector[];
  /** Where the one-time admin password is shown (default: stdout). */
  announce?: (text: string) => void;
  /** Announcement scheduler tuning (tests use short intervals). */
  announcements?: Partial<AnnouncementServiceOptions>;
  /** The announcement scheduler's clock (tests move a manual clock to make a scheduled post due). */
  announcementClock?: Clock;
}

/**
 * The composition root: the only place that picks concrete adapters (SQLite or PostgreSQL, the
 * in-process event bus, the BM25 search index, the knowledge-base virtual agent, the connectors).
 */
export async function createSwitchboard(
  config: Config,
  overrides: SwitchboardOverrides = {},
): Promise<Switchboard> {
  const logger =
    overrides.logger ??
    pino({
      level: config.logLevel,
      redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '[redacted]' },
    });
  const store = await openStore({ url: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ engine: store.engine }, 'database ready');
  const onHandlerError = (error: unknown, event: DomainEvent) =>
    logger.error({ err: error, event: event.type }, 'event handler failed');
  // REDIS_URL makes this one of many instances: events reach the sockets of every instance.
  const busLog = logger.child({ component: 'event-bus' });
  const redisBus = config.redis
    ? await RedisEventBus.connect({
        url: config.redis.url,
        prefix: config.redis.prefix,
        onHandlerError,
        log: {
          info: (context, message) => busLog.info(context, message),
          warn: (context, message) => busLog.warn(context, message),
          error: (context, message) => busLog.error(context, message),
        },
      }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      })
    : null;
  if (redisBus) logger.info({ channel: redisBus.channel }, 'event bus ready: Redis');
  const bus: EventBus = redisBus ?? new InProcessEventBus(onHandlerError);
  const searchIndex = new Bm25SearchIndex();
  const knowledgeAgent = new KnowledgeVirtualAgent(searchIndex, store.articles, {
    articleUrl: (article) => `${config.publicUrl}/kb/${encodeURIComponent(article.id)}`,
    ...(config.confidenceThreshold !== undefined ? { confidenceThreshold: config.confidenceThreshold } : {}),
  });
  const bot = config.externalBot;
  const virtualAgent = bot
    ? new HttpBotVirtualAgent({
        url: bot.url,
        timeoutMs: bot.timeoutMs,
        fallback: knowledgeAgent,
        onError: (error) =>
          logger.warn(
            { kind: error.kind, status: error.status, reason: error.message },
            'external bot failed; the knowledge base answered',
          ),
      })
    : knowledgeAgent;
  const center = new ContactCenter(
    {
      store,
      bus,
      clock: systemClock,
      hasher: new ScryptPasswordHasher(),
      searchIndex,
      virtualAgent,
      http: new FetchHttpClient(),
      log: { warn: (context, message) => logger.warn(context, message) },
    },
    {
      router: { reservationTimeoutMs: config.reservationTimeoutMs },
      // Desktops beat three times per grace time, so one lost beat does not turn a present agent away.
      presence: { graceMs: config.presenceGraceMs, heartbeatMs: Math.floor(config.presenceGraceMs / 3) },
    },
  );
  for (const connector of overrides.connectors ?? []) center.addConnector(connector);
  // Web chat needs no third party: it is always on.
  const webchat = new WebchatConnector(
    { history: storeWebchatHistory(store), visitors: store.webchatVisitors },
    config.webchat,
  );
  center.addConnector(webchat);
  let discordConnector: DiscordConnector | null = null;
  if (config.discord.token) {
    const discordLog = logger.child({ channel: 'discord' });
    discordConnector = new DiscordConnector(center, {
      token: config.discord.token,
      guildIds: config.discord.guildIds,
      apiUrl: config.discord.apiUrl ?? null,
      bugReportChannel: config.discord.bugReportChannel,
      featureRequestChannel: config.discord.featureRequestChannel,
      customerServiceChannel: config.discord.customerServiceChannel,
      adminRoles: config.discord.adminRoles,
      publicUrl: config.publicUrl,
      log: {
        info: (context, message) => discordLog.info(context, message),
        warn: (context, message) => discordLog.warn(context, message),
        error: (context, message) => discordLog.error(context, message),
      },
    });
    center.addConnector(discordConnector);
  } else {
    logger.info('Discord connector off: DISCORD_TOKEN is not set');
  }

  const announcementLog = logger.child({ feature: 'announcements' });
  const announcements = new AnnouncementService(
    store,
    new DiscordAnnouncementPoster(discordConnector, store.settings),
    overrides.announcementClock ?? systemClock,
    {
      tickMs: config.announcements.tickMs,
      log: {
        info: (context, message) => announcementLog.info(context, message),
        warn: (context, message) => announcementLog.warn(context, message),
      },
      ...overrides.announcements,
      feed: { allowPrivate: config.announcements.allowPrivateFeeds, ...overrides.announcements?.feed },
    },
  );

  await bootstrap(
    center,
    config,
    logger,
    overrides.announce ?? ((text) => process.stdout.write(`${text}\n`)),
  );
  const indexed = await center.articles.reindex();
  logger.info({ articles: indexed }, 'knowledge base indexed');

  const app = buildApp({
    center,
    logger,
    config: {
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
      metricsToken: config.metricsToken,
    },
    uploadDir: path.join(config.dataDir, 'uploads'),
    connectorsHealth: () =>
      Object.fromEntries([...center.connectors.values()].map((c) => [c.channel, c.health()] as const)),
    registerRoutes: async (scope) => {
      webchat.routes(scope);
      announcementRoutes(scope, announcements);
      await scope.register(async (web) => desktopStaticRoutes(web, { articles: store.articles }));
    },
  });

  return {
    center,
    app,
    logger,
    announcements,
    async start() {
      for (const connector of center.connectors.values()) {
        await connector.start(async (message) => {
          await center.conversations.receive(message);
        });
      }
      center.start();
      announcements.start();
      return app.listen({ port: config.port, host: config.host });
    },
    async stop() {
      await app.close();
      await announcements.stop();
      for (const connector of center.connectors.values()) await connector.stop();
      await center.stop();
      await bus.close();
      await store.close();
    },
  };
}

/** First start: the admin agent (password printed once when generated) and the sample knowledge base. */
async function bootstrap(
  center: ContactCenter,
  config: Config,
  logger: Logger,
  announce: (text: string) => void,
) {
  // Hand-offs have a queue to go to, listed (and choosable in Admin → Queues) before the first one.
  await center.queues.ensureDefault();
  if ((await center.store.agents.list()).length === 0) {
    const generated = config.admin.password === undefined;
    const password = config.admin.password ?? randomBytes(12).toString('base64url');
    await center.agents.create({ email: config.admin.email, name: 'Administrator', role: 'admin', password });
    logger.info({ email: config.admin.email }, 'first admin agent created');
    if (generated) {
      announce(
        [
          '',
          '  Switchboard: the first admin agent was created.',
          `    email:    ${config.admin.email}`,
          `    password: ${password}`,
          '  This password is shown only once. Sign in and change it.',
          '',
        ].join('\n'),
      );
    }
  }
  if (config.sampleKnowledgeBase && (await center.store.articles.count()) === 0) {
    const result = await importKnowledgeBase(sampleKnowledgeBaseDir, center.articles);
    logger.info(
      { created: result.created, folder: path.relative(process.cwd(), sampleKnowledgeBaseDir) },
      'sample knowledge base loaded',
    );
  }
}
