import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  AnnouncementService,
  type AnnouncementServiceOptions,
} from './announcements/announcement-service.ts';
import { DiscordAnnouncementPoster } from './announcements/discord-announcement-poster.ts';
import type { DiscordConnector } from './channels/discord/discord-connector.ts';
import { discordServerRoutes } from './channels/discord/discord-server-routes.ts';
import type { SharedRestLimiter } from './channels/discord/shared-rest-limiter.ts';
import type { FlexConnector } from './channels/flex/flex-connector.ts';
import type { MessengerConnector } from './channels/messenger/messenger-connector.ts';
import { WebchatConnector } from './channels/webchat/webchat-connector.ts';
import { storeWebchatHistory } from './channels/webchat/webchat-history.ts';
import type { Config } from './config.ts';
import { ContactCenter } from './core/contact-center.ts';
import { detectHandoff } from './core/knowledge/handoff-detector.ts';
import { ExtractiveHandoffSummarizer } from './core/knowledge/handoff-summary.ts';
import { KnowledgeVirtualAgent } from './core/knowledge/knowledge-virtual-agent.ts';
import type { ChannelConnector } from './core/ports/channel-connector.ts';
import { type Clock, systemClock } from './core/ports/clock.ts';
import type { DomainEvent, EventBus } from './core/ports/event-bus.ts';
import { RetentionService } from './core/retention/retention-service.ts';
import type { WebhookOptions } from './core/webhooks/webhook-service.ts';
import { createLogger } from './create-logger.ts';
import { buildApp } from './http/app.ts';
import { ScryptPasswordHasher } from './http/auth/scrypt-password-hasher.ts';
import { announcementRoutes } from './http/routes/announcement-routes.ts';
import { desktopStaticRoutes } from './http/static.ts';
import { FetchHttpClient } from './net/fetch-http-client.ts';
import { FetchWebhookSender } from './net/fetch-webhook-sender.ts';
import { InProcessEventBus } from './pubsub/in-process-event-bus.ts';
import { FusedSearchIndex } from './search/fused-search-index.ts';
import { openStore } from './storage/kysely-store.ts';
import { UploadStoreRemover } from './storage/upload-remover.ts';

/** The sample knowledge base loaded into an empty installation. */
export const sampleKnowledgeBaseDir = fileURLToPath(new URL('../kb/sample', import.meta.url));

export interface Switchboard {
  center: ContactCenter;
  app: FastifyInstance;
  logger: Logger;
  /** Announcement sources, feeds, the signed webhook and scheduled posts. */
  announcements: AnnouncementService;
  /** The retention setting's periodic job (tests run a pass with `runOnce`). */
  retention: RetentionService;
  /** Starts the connectors, the background work and the HTTP server; resolves with the listening URL. */
  start(): Promise<string>;
  /** Resolves once the work start-up leaves running has finished (the knowledge base's learned view trained). */
  settled(): Promise<void>;
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
  /** The contact center's clock: SLA clocks, time-outs, presence (tests move a manual clock to make a breach due). */
  clock?: Clock;
  /**
   * Create the first admin and load the sample knowledge base, and tell how to sign in (default: true,
   * as `switchboard start`). The CLI's other commands pass false: only the server sets an installation up.
   */
  bootstrap?: boolean;
  /** Outbound webhook retries and disabling (tests use short back-offs). */
  webhooks?: Partial<WebhookOptions>;
}

/** A person reads stdout (a terminal): readable log lines, and the per-request lines only at `debug`. */
const readableLogs = process.stdout.isTTY === true;

/**
 * The composition root: the only place that picks concrete adapters (SQLite or PostgreSQL, the
 * in-process event bus, the BM25 search index, the knowledge-base virtual agent, the connectors).
 * What only some installations use (Redis, Discord, Twilio, Messenger, a language model, an external bot)
 * is imported when configured, so that a process does not load, compile and hold SDKs it never calls.
 */
export async function createSwitchboard(
  config: Config,
  overrides: SwitchboardOverrides = {},
): Promise<Switchboard> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: readableLogs });
  const databaseLog = logger.child({ component: 'database' });
  const store = await openStore({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    log: { warn: (context, message) => databaseLog.warn(context, message) },
  });
  logger.info({ engine: store.engine }, 'database ready');
  const onHandlerError = (error: unknown, event: DomainEvent) =>
    logger.error({ err: error, event: event.type }, 'event handler failed');
  // REDIS_URL makes this one of many instances: events reach the sockets of every instance.
  const busLog = logger.child({ component: 'event-bus' });
  const redisBus = config.redis
    ? await (await import('./pubsub/redis-event-bus.ts')).RedisEventBus.connect({
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
  // The brand's own model (SWITCHBOARD_LLM_URL): hybrid retrieval, grounded answers, written summaries.
  const model = config.llm
    ? (await import('./llm/language-model.ts')).createLanguageModelParts(config.llm, {
        vectors: new (await import('./storage/article-vector-repository.ts')).KyselyArticleVectorRepository({
          db: store.db,
        }),
        articles: store.articles,
        log: logger.child({ component: 'language-model' }),
      })
    : null;
  const keywordIndex = new FusedSearchIndex({
    onTrained: (info) => logger.debug(info, 'knowledge base learned view trained'),
    onError: (error) =>
      logger.warn({ err: error }, 'knowledge base learned view not trained; BM25 answers alone'),
  });
  const searchIndex = model?.searchIndex(keywordIndex) ?? keywordIndex;
  const knowledgeAgent = new KnowledgeVirtualAgent(searchIndex, store.articles, {
    articleUrl: (article) => `${config.publicUrl}/kb/${encodeURIComponent(article.id)}`,
    ...(config.confidenceThreshold !== undefined ? { confidenceThreshold: config.confidenceThreshold } : {}),
  });
  const answeringAgent = model?.virtualAgent(knowledgeAgent) ?? knowledgeAgent;
  const extractiveSummaries = new ExtractiveHandoffSummarizer({ isHandoffRequest: detectHandoff });
  const bot = config.externalBot;
  const virtualAgent = bot
    ? new (await import('./bots/http-bot-virtual-agent.ts')).HttpBotVirtualAgent({
        url: bot.url,
        timeoutMs: bot.timeoutMs,
        fallback: answeringAgent,
        onError: (error) =>
          logger.warn(
            { kind: error.kind, status: error.status, reason: error.message },
            'external bot failed; the knowledge base answered',
          ),
      })
    : answeringAgent;
  const center = new ContactCenter(
    {
      store,
      bus,
      clock: overrides.clock ?? systemClock,
      hasher: new ScryptPasswordHasher(),
      searchIndex,
      virtualAgent,
      summarizer: model?.summarizer(extractiveSummaries) ?? extractiveSummaries,
      http: new FetchHttpClient(),
      webhookSender: new FetchWebhookSender(),
      log: {
        warn: (context, message) => logger.warn(context, message),
        error: (context, message) => logger.error(context, message),
      },
    },
    {
      router: { reservationTimeoutMs: config.reservationTimeoutMs },
      // Desktops beat three times per grace time, so one lost beat does not turn a present agent away.
      presence: { graceMs: config.presenceGraceMs, heartbeatMs: Math.floor(config.presenceGraceMs / 3) },
      outbox: { maxBackoffMs: config.outboxMaxRetryDelayMs, concurrency: config.outboxConcurrency },
      handoffTarget: config.handoffTarget,
      webhooks: { ...overrides.webhooks },
      publicUrl: config.publicUrl,
    },
  );
  for (const connector of overrides.connectors ?? []) center.addConnector(connector);
  // Web chat needs no third party: it is always on.
  const webchat = new WebchatConnector(
    { history: storeWebchatHistory(store), visitors: store.webchatVisitors, bus },
    config.webchat,
  );
  center.addConnector(webchat);
  let discordConnector: DiscordConnector | null = null;
  let restLimiter: SharedRestLimiter | null = null;
  if (config.discord.token) {
    const discordLog = logger.child({ channel: 'discord' });
    // Discord's REST limits are the bot's, not this process's: with Redis every instance keeps to them together.
    const [{ DiscordConnector }, { SharedRestLimiter }] = await Promise.all([
      import('./channels/discord/discord-connector.ts'),
      import('./channels/discord/shared-rest-limiter.ts'),
    ]);
    restLimiter = new SharedRestLimiter({
      redisUrl: config.redis?.url ?? null,
      ...(config.redis ? { prefix: config.redis.prefix } : {}),
      log: {
        info: (context, message) => discordLog.info(context, message),
        warn: (context, message) => discordLog.warn(context, message),
      },
    });
    await restLimiter.connect();
    discordConnector = new DiscordConnector(center, {
      token: config.discord.token,
      guildIds: config.discord.guildIds,
      apiUrl: config.discord.apiUrl ?? null,
      bugReportChannel: config.discord.bugReportChannel,
      featureRequestChannel: config.discord.featureRequestChannel,
      customerServiceChannel: config.discord.customerServiceChannel,
      adminRoles: config.discord.adminRoles,
      publicUrl: config.publicUrl,
      restLimiter,
      shardCount: config.discord.shardCount ?? null,
      // One process on SQLite without Redis is the only instance: it takes its gateway back at once after a crash.
      gateway: { singleInstance: !config.redis && store.engine === 'sqlite' },
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
  // The Flex bridge: hand-offs to Twilio Flex (the default flow's when SWITCHBOARD_HANDOFF_TARGET=flex).
  let flexConnector: FlexConnector | null = null;
  if (config.twilio?.flex) {
    const flexLog = logger.child({ channel: 'flex' });
    const { FlexConnector } = await import('./channels/flex/flex-connector.ts');
    flexConnector = new FlexConnector({
      twilio: config.twilio,
      flex: config.twilio.flex,
      publicUrl: config.publicUrl,
      bridges: center.bridges,
      log: {
        info: (context, message) => flexLog.info(context, message),
        warn: (context, message) => flexLog.warn(context, message),
      },
    });
    center.addConnector(flexConnector);
  }

  let messenger: MessengerConnector | null = null;
  if (config.messenger) {
    const messengerLog = logger.child({ channel: 'messenger' });
    const { MessengerConnector } = await import('./channels/messenger/messenger-connector.ts');
    messenger = new MessengerConnector(
      {
        store,
        log: {
          info: (context, message) => messengerLog.info(context, message),
          warn: (context, message) => messengerLog.warn(context, message),
        },
      },
      { ...config.messenger, publicUrl: config.publicUrl },
    );
    center.addConnector(messenger);
  }

  // SMS and WhatsApp: a connector per configured sender, sharing Twilio's two webhooks.
  const messagingLog = logger.child({ channel: 'twilio-messaging' });
  const messaging = config.twilio
    ? (await import('./channels/sms/twilio-messaging.ts')).createTwilioMessaging(
        center,
        config.twilio,
        config.publicUrl,
        {
          info: (context, message) => messagingLog.info(context, message),
          warn: (context, message) => messagingLog.warn(context, message),
        },
      )
    : null;
  for (const connector of messaging?.connectors ?? []) center.addConnector(connector);

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
      x: { baseUrl: config.announcements.x.apiUrl, ...overrides.announcements?.x },
      xMinPollIntervalSeconds:
        overrides.announcements?.xMinPollIntervalSeconds ?? config.announcements.x.minPollIntervalSeconds,
      release: (posted, note) => center.cases.release(posted, note),
    },
  );

  if (overrides.bootstrap !== false) {
    // Instances started together on a new database set it up one after the other: the first creates the
    // admin and loads the samples, the others find them.
    await oneAtATime(center, 'bootstrap', () =>
      bootstrap(center, config, logger, overrides.announce ?? ((text) => process.stdout.write(`${text}\n`))),
    );
  }
  const indexed = await center.articles.reindex();
  logger.info({ articles: indexed }, 'knowledge base indexed');

  const app = buildApp({
    center,
    logger,
    requestLogLevel: readableLogs ? 'debug' : 'info',
    config: {
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
      metricsToken: config.metricsToken,
      deliveryStallMs: config.deliveryStallMs,
    },
    uploadDir: path.join(config.dataDir, 'uploads'),
    connectorsHealth: () =>
      Object.fromEntries([...center.connectors.values()].map((c) => [c.channel, c.health()] as const)),
    registerRoutes: async (scope) => {
      webchat.routes(scope);
      messenger?.routes(scope);
      flexConnector?.routes(scope);
      messaging?.routes(scope);
      announcementRoutes(scope, announcements);
      discordServerRoutes(scope, discordConnector);
      await scope.register(async (web) => desktopStaticRoutes(web, { articles: store.articles }));
    },
  });

  const retentionLog = logger.child({ feature: 'retention' });
  const retention = new RetentionService(
    store,
    center.clock,
    new UploadStoreRemover(path.join(config.dataDir, 'uploads')),
    {
      info: (context, message) => retentionLog.info(context, message),
      warn: (context, message) => retentionLog.warn(context, message),
    },
    { owner: `retention-${randomBytes(6).toString('hex')}` },
  );

  return {
    center,
    app,
    logger,
    announcements,
    retention,
    async start() {
      for (const connector of center.connectors.values()) {
        await connector.start(async (message) => {
          await center.inbound.deliver(message);
        });
      }
      center.start();
      announcements.start();
      retention.start();
      warnIfLocalPublicUrl(config.publicUrl, [...center.connectors.keys()], logger);
      return app.listen({ port: config.port, host: config.host });
    },
    settled() {
      return keywordIndex.settled();
    },
    async stop() {
      keywordIndex.close();
      await app.close();
      await announcements.stop();
      await retention.stop();
      for (const connector of center.connectors.values()) await connector.stop();
      await restLimiter?.close();
      await center.stop();
      await model?.stop();
      await bus.close();
      await store.close();
    },
  };
}

/**
 * Runs `work` while holding the named lease, waiting for an instance that holds it to finish (or for its
 * lease to run out, if it died holding it).
 */
async function oneAtATime<T>(center: ContactCenter, name: string, work: () => Promise<T>): Promise<T> {
  const owner = randomBytes(8).toString('hex');
  const ttlMs = 60_000;
  for (;;) {
    const lease = await center.store.leases.acquire({ name, owner, now: new Date().toISOString(), ttlMs });
    if (lease) {
      try {
        return await work();
      } finally {
        await center.store.leases.release(lease);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The setting that records that the sample knowledge base was loaded once (never again after that). */
const sampleKnowledgeBaseSetting = 'bootstrap.sampleKnowledgeBase';

/**
 * Setting an installation up, at every `start`: the first admin agent when there is no admin (its generated
 * password is shown once), how to sign in (always), and the sample knowledge base at the first start
 * that finds the knowledge base empty (once: an admin who deletes the samples does not get them back).
 */
async function bootstrap(
  center: ContactCenter,
  config: Config,
  logger: Logger,
  announce: (text: string) => void,
) {
  // Hand-offs have a queue to go to, listed (and choosable in Admin → Queues) before the first one.
  await center.queues.ensureDefault();
  const agents = await center.store.agents.list();
  const admin =
    agents.find((a) => a.role === 'admin' && a.email === config.admin.email.toLowerCase()) ??
    agents.find((a) => a.role === 'admin');
  const desktop = `${config.publicUrl}/`;
  if (!admin && agents.some((a) => a.email === config.admin.email.toLowerCase())) {
    // The address is taken by an agent who is not an admin (made with `agents create`): never demote or
    // take it over silently.
    logger.warn(
      { email: config.admin.email },
      'no admin agent, and the admin email belongs to another agent',
    );
    announce(
      [
        '',
        `  Switchboard: there is no admin agent, and ${config.admin.email} is already a non-admin agent.`,
        '  Set SWITCHBOARD_ADMIN_EMAIL to another address and start again to create the first admin,',
        '  or create one with `switchboard agents create --role admin …`.',
        '',
      ].join('\n'),
    );
  } else if (!admin) {
    const generated = config.admin.password === undefined;
    const password = config.admin.password ?? randomBytes(12).toString('base64url');
    const created = await center.agents.create({
      email: config.admin.email,
      name: 'Administrator',
      role: 'admin',
      password,
    });
    logger.info({ email: created.email }, 'first admin agent created');
    announce(
      [
        '',
        '  Switchboard: the first admin agent was created.',
        `    desktop:  ${desktop}`,
        `    email:    ${created.email}`,
        generated ? `    password: ${password}` : '    password: the one in SWITCHBOARD_ADMIN_PASSWORD',
        generated ? '  This password is shown only once. Sign in and change it.' : '',
        '',
      ].join('\n'),
    );
  } else {
    announce(
      [
        '',
        `  Switchboard: sign in at ${desktop} as ${admin.email}.`,
        `  Lost the password? Run: switchboard agents reset-password --email ${admin.email}`,
        '',
      ].join('\n'),
    );
  }

  if (config.sampleKnowledgeBase && !(await center.store.settings.get(sampleKnowledgeBaseSetting))) {
    const existing = await center.store.articles.count();
    if (existing === 0) {
      const { importKnowledgeBase } = await import('./knowledge/import-knowledge-base.ts');
      const result = await importKnowledgeBase(sampleKnowledgeBaseDir, center.articles);
      await center.store.settings.set(sampleKnowledgeBaseSetting, {
        loadedAt: new Date().toISOString(),
        created: result.created,
      });
      logger.info(
        { created: result.created, folder: path.relative(process.cwd(), sampleKnowledgeBaseDir) },
        'sample knowledge base loaded',
      );
    } else {
      logger.info(
        { articles: existing },
        'sample knowledge base not loaded: the knowledge base already has articles (SWITCHBOARD_SAMPLE_KB)',
      );
    }
  }
}

/** Loopback, `localhost` and the unspecified address: nobody but this machine can open such links. */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

/** Links sent to members (articles, attachments) carry the public URL: say once when they cannot open it. */
function warnIfLocalPublicUrl(publicUrl: string, channels: string[], logger: Logger) {
  const toMembers = channels.filter((channel) => ['discord', 'webchat', 'messenger'].includes(channel));
  if (toMembers.length === 0 || !isLocalUrl(publicUrl)) return;
  logger.warn(
    { publicUrl },
    `SWITCHBOARD_PUBLIC_URL is ${publicUrl}, a local address: members on ${toMembers.join(' and ')} cannot open the article and attachment links sent to them; set SWITCHBOARD_PUBLIC_URL to an address they can reach`,
  );
}
