import { z } from 'zod';
import { emailAddressHint, emailAddressPattern } from './core/agents/email-address.ts';

/**
 * The only reader of `process.env`: one validated, typed configuration object.
 * Every variable is listed in the README with its default.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

// `prefault`, never `default`: a default goes through the same checks as a value that is set.
const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).prefault(3000),
    HOST: z.string().min(1).prefault('0.0.0.0'),
    SWITCHBOARD_DATA_DIR: z.string().min(1).prefault('./data'),
    DATABASE_URL: z
      .string()
      .regex(
        /^(postgres(ql)?:\/\/|sqlite:|file:|:memory:|\.|\/)/,
        'must be postgres://…, sqlite:<path> or a file path',
      )
      .optional(),
    /** Set: instances share realtime events through Redis (many instances); unset: one process. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/[^/\s]/, 'must be redis://host:port or rediss://…')
      .optional(),
    /** Pub/sub channels ignore Redis database numbers: deployments sharing one Redis need prefixes of their own. */
    SWITCHBOARD_REDIS_PREFIX: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores')
      .prefault('switchboard'),
    SWITCHBOARD_PUBLIC_URL: z.url().optional(),
    SWITCHBOARD_ADMIN_EMAIL: z
      .string()
      .trim()
      .regex(emailAddressPattern, emailAddressHint)
      .prefault('admin@localhost'),
    SWITCHBOARD_ADMIN_PASSWORD: z.string().min(8, 'must have at least 8 characters').optional(),
    SWITCHBOARD_SAMPLE_KB: bool.prefault('true'),
    SWITCHBOARD_RESERVATION_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).prefault(60),
    SWITCHBOARD_PRESENCE_GRACE_SECONDS: z.coerce.number().int().min(3).max(3600).prefault(30),
    /** The longest wait between two delivery attempts of one outbound message (the back-off's cap). */
    SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).prefault(60),
    /** Outbound messages delivered at once by one instance, each to a different conversation. */
    SWITCHBOARD_OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).prefault(16),
    /** How long an outbound message may wait before `/healthz` says its channel's delivery is degraded. */
    SWITCHBOARD_DELIVERY_STALL_SECONDS: z.coerce.number().int().min(1).max(86_400).prefault(60),
    SWITCHBOARD_COOKIE_SECURE: bool.prefault('false'),
    SWITCHBOARD_TRUST_PROXY: bool.prefault('false'),
    /** Bearer token a Prometheus scraper sends to read `/metrics` (otherwise admins only). */
    SWITCHBOARD_METRICS_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
    SWITCHBOARD_VA_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
    SWITCHBOARD_BOT_URL: z.url({ protocol: /^https?$/ }).optional(),
    SWITCHBOARD_BOT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).prefault(5000),
    // Your own language model (off without a URL): any OpenAI-compatible API.
    SWITCHBOARD_LLM_URL: z.url({ protocol: /^https?$/ }).optional(),
    SWITCHBOARD_LLM_MODEL: z.string().trim().min(1).optional(),
    SWITCHBOARD_EMBEDDINGS_MODEL: z.string().trim().min(1).optional(),
    SWITCHBOARD_LLM_API_KEY: z.string().min(1).optional(),
    SWITCHBOARD_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).prefault(10_000),
    SWITCHBOARD_EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).prefault(3_000),
    /** Cosine similarity at which an article counts as not matching at all (depends on the embeddings model). */
    SWITCHBOARD_EMBEDDINGS_MIN_SIMILARITY: z.coerce.number().min(-1).max(0.99).prefault(0.5),
    // Web-chat flood limits (per client address unless said otherwise).
    SWITCHBOARD_WEBCHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).prefault(30),
    SWITCHBOARD_WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .prefault(120),
    SWITCHBOARD_WEBCHAT_HANDOFFS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).prefault(10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).prefault('info'),
    // Discord connector (off without a token).
    DISCORD_TOKEN: z.string().min(1).optional(),
    DISCORD_GUILD_IDS: z
      .string()
      .regex(/^\s*\d+(\s*,\s*\d+)*\s*,?\s*$/, 'must be comma-separated server (guild) ids')
      .optional(),
    DISCORD_API_URL: z.url().optional(),
    DISCORD_BUG_CHANNEL: z.string().min(1).prefault('bug-report'),
    DISCORD_FEATURE_CHANNEL: z.string().min(1).prefault('feature-request'),
    DISCORD_SUPPORT_CHANNEL: z.string().min(1).prefault('customer-service'),
    /** Roles (names or ids, comma-separated) that may post in the announcements channel `/setup` creates. */
    DISCORD_ADMIN_ROLES: z.string().optional(),
    /** Gateway shards of the bot across all instances (unset: Discord's recommendation from GET /gateway/bot). */
    DISCORD_SHARD_COUNT: z.coerce.number().int().min(1).max(4096).optional(),
    /** How often the announcement scheduler looks for due feeds and posts. */
    SWITCHBOARD_ANNOUNCEMENT_TICK_MS: z.coerce.number().int().min(10).max(600_000).prefault(5_000),
    /** Let feed sources point at loopback and private addresses (a feed on the brand's own network). */
    SWITCHBOARD_FEEDS_ALLOW_PRIVATE: bool.prefault('false'),
    /** The X API v2 base URL (X announcement sources). */
    X_API_URL: z.url({ protocol: /^https?$/ }).prefault('https://api.x.com'),
    /** The shortest poll interval an X source may have: the timeline endpoint allows few requests per 15 minutes. */
    SWITCHBOARD_X_MIN_POLL_SECONDS: z.coerce.number().int().min(1).max(86_400).prefault(60),
    /** Where the default flow hands conversations to: Switchboard's own desktop, or Twilio Flex. */
    SWITCHBOARD_HANDOFF_TARGET: z.enum(['switchboard', 'flex']).prefault('switchboard'),
    // Twilio (off without an account sid): the Flex bridge, SMS and WhatsApp.
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
    TWILIO_API_KEY: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, 'must be SK followed by 32 hex digits')
      .optional(),
    TWILIO_API_SECRET: z.string().min(16, 'must have at least 16 characters').optional(),
    TWILIO_FLEX_WORKSPACE_SID: z
      .string()
      .regex(/^WS[0-9a-fA-F]{32}$/, 'must be WS followed by 32 hex digits')
      .optional(),
    TWILIO_FLEX_WORKFLOW_SID: z
      .string()
      .regex(/^WW[0-9a-fA-F]{32}$/, 'must be WW followed by 32 hex digits')
      .optional(),
    TWILIO_CONVERSATIONS_SERVICE_SID: z
      .string()
      .regex(/^IS[0-9a-fA-F]{32}$/, 'must be IS followed by 32 hex digits')
      .optional(),
    TWILIO_SMS_FROM: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 form, e.g. +15551234567')
      .optional(),
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits')
      .optional(),
    TWILIO_WHATSAPP_FROM: z
      .string()
      .regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'must be whatsapp: and a phone number, e.g. whatsapp:+15551234567')
      .optional(),
    /** Base URL standing in for `https://<subdomain>.twilio.com` (a local Twilio in tests). */
    TWILIO_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Facebook Messenger (off without a page access token).
    MESSENGER_PAGE_ACCESS_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
    MESSENGER_APP_SECRET: z.string().min(16, 'must have at least 16 characters').optional(),
    MESSENGER_VERIFY_TOKEN: z.string().min(8, 'must have at least 8 characters').optional(),
    /** Base URL standing in for `https://graph.facebook.com` (a local Graph API in tests). */
    MESSENGER_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** The page has the human agent permission: agent replies up to 7 days after the member's last message. */
    MESSENGER_HUMAN_AGENT_TAG: bool.prefault('false'),
  })
  .superRefine((e, ctx) => {
    const need = (when: boolean, variable: keyof typeof e, message: string) => {
      if (when && e[variable] === undefined) ctx.addIssue({ code: 'custom', path: [variable], message });
    };
    const twilio = e.TWILIO_ACCOUNT_SID !== undefined;
    need(
      twilio,
      'TWILIO_AUTH_TOKEN',
      'is required with TWILIO_ACCOUNT_SID: Twilio signs its webhooks with it',
    );
    need(e.TWILIO_API_KEY !== undefined, 'TWILIO_API_SECRET', 'is required with TWILIO_API_KEY');
    need(e.TWILIO_API_SECRET !== undefined, 'TWILIO_API_KEY', 'is required with TWILIO_API_SECRET');
    const flex = e.SWITCHBOARD_HANDOFF_TARGET === 'flex' || e.TWILIO_FLEX_WORKSPACE_SID !== undefined;
    need(flex, 'TWILIO_ACCOUNT_SID', 'is required for the Flex bridge');
    need(
      flex,
      'TWILIO_FLEX_WORKSPACE_SID',
      'is required for the Flex bridge (SWITCHBOARD_HANDOFF_TARGET=flex)',
    );
    need(
      flex,
      'TWILIO_FLEX_WORKFLOW_SID',
      'is required for the Flex bridge (SWITCHBOARD_HANDOFF_TARGET=flex)',
    );
    const llm = e.SWITCHBOARD_LLM_URL !== undefined;
    for (const v of [
      'SWITCHBOARD_LLM_MODEL',
      'SWITCHBOARD_EMBEDDINGS_MODEL',
      'SWITCHBOARD_LLM_API_KEY',
    ] as const)
      need(e[v] !== undefined, 'SWITCHBOARD_LLM_URL', `is required with ${v}: the model's endpoint`);
    if (llm && e.SWITCHBOARD_LLM_MODEL === undefined && e.SWITCHBOARD_EMBEDDINGS_MODEL === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['SWITCHBOARD_LLM_MODEL'],
        message: 'or SWITCHBOARD_EMBEDDINGS_MODEL is required with SWITCHBOARD_LLM_URL: which model to use',
      });
    for (const sender of ['TWILIO_SMS_FROM', 'TWILIO_MESSAGING_SERVICE_SID', 'TWILIO_WHATSAPP_FROM'] as const)
      need(e[sender] !== undefined, 'TWILIO_ACCOUNT_SID', `is required with ${sender}`);
    const messenger = [
      'MESSENGER_PAGE_ACCESS_TOKEN',
      'MESSENGER_APP_SECRET',
      'MESSENGER_VERIFY_TOKEN',
    ] as const;
    if (messenger.some((v) => e[v] !== undefined))
      for (const v of messenger)
        need(true, v, 'is required for Facebook Messenger (all three MESSENGER_ variables)');
  });

/** Every variable Switchboard reads (deployment files are checked against it). */
export const environmentVariables: readonly string[] = Object.keys(schema.shape);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redis: { url: string; prefix: string } | null;
  publicUrl: string;
  admin: { email: string; password: string | undefined };
  sampleKnowledgeBase: boolean;
  reservationTimeoutMs: number;
  /** An available agent with no live desktop for this long becomes away. */
  presenceGraceMs: number;
  /** The cap of the outbox's retry back-off. */
  outboxMaxRetryDelayMs: number;
  /** Deliveries in flight at once on this instance, each to a different conversation. */
  outboxConcurrency: number;
  /** `/healthz` reports a channel's delivery degraded when its oldest waiting message waited longer than this. */
  deliveryStallMs: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  /** `/metrics` for scrapers that send it as a bearer token; null: signed-in admins only. */
  metricsToken: string | null;
  confidenceThreshold: number | undefined;
  /** A brand's own conversational bot, asked before the knowledge base (which answers when it fails). */
  externalBot: { url: string; timeoutMs: number } | null;
  /** Null: no language model (the knowledge base answers with articles, as without one). */
  llm: LlmConfig | null;
  /** Web-chat limits: messages per visitor and per address per minute, hand-offs per address per hour. */
  webchat: { messagesPerMinute: number; addressMessagesPerMinute: number; handoffsPerHour: number };
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  discord: {
    token: string | undefined;
    guildIds: string[];
    apiUrl: string | undefined;
    bugReportChannel: string;
    featureRequestChannel: string;
    customerServiceChannel: string;
    adminRoles: string[];
    shardCount: number | undefined;
  };
  announcements: {
    tickMs: number;
    allowPrivateFeeds: boolean;
    /** X sources: the API's base URL and the shortest poll interval allowed. */
    x: { apiUrl: string; minPollIntervalSeconds: number };
  };
  /** Where the default flow hands conversations to (`flex` needs `twilio.flex`). */
  handoffTarget: 'switchboard' | 'flex';
  /** Null: no Twilio account configured (no Flex bridge, SMS or WhatsApp). */
  twilio: TwilioConfig | null;
  /** Null: Facebook Messenger is off. */
  messenger: MessengerConfig | null;
}

export interface LlmConfig {
  /** Base URL of an OpenAI-compatible API (`…/v1` or the server's root). */
  url: string;
  /** Sent as a bearer token (`api-key` for Azure OpenAI); never logged. */
  apiKey: string | null;
  /** Null: no grounded answers or written summaries. */
  chatModel: string | null;
  /** Null: keyword retrieval only. */
  embeddingsModel: string | null;
  timeoutMs: number;
  embeddingsTimeoutMs: number;
  minSimilarity: number;
}

export interface TwilioConfig {
  accountSid: string;
  /** Always the key that webhooks are verified with; also the REST credential unless an API key is set. */
  authToken: string;
  apiKey: { sid: string; secret: string } | null;
  /** Stands in for `https://<subdomain>.twilio.com` (`<apiUrl>/<subdomain>/<path>`); null: Twilio itself. */
  apiUrl: string | null;
  /** Null: the account's default Conversations service. */
  conversationsServiceSid: string | null;
  /** Null: no Flex bridge. */
  flex: { workspaceSid: string; workflowSid: string } | null;
  /** Null: no SMS channel. */
  sms: { from: string } | { messagingServiceSid: string } | null;
  /** `whatsapp:+…`; null: no WhatsApp channel. */
  whatsappFrom: string | null;
}

export interface MessengerConfig {
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  /** Base URL of the Graph API (`https://graph.facebook.com` unless a test points it elsewhere). */
  apiUrl: string;
  /** The page may tag agent replies `HUMAN_AGENT` (7 days after the member's last message instead of 24 h). */
  humanAgentTag: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.SWITCHBOARD_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.SWITCHBOARD_REDIS_PREFIX } : null,
    publicUrl: (e.SWITCHBOARD_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    admin: { email: e.SWITCHBOARD_ADMIN_EMAIL, password: e.SWITCHBOARD_ADMIN_PASSWORD },
    sampleKnowledgeBase: e.SWITCHBOARD_SAMPLE_KB,
    reservationTimeoutMs: e.SWITCHBOARD_RESERVATION_TIMEOUT_SECONDS * 1000,
    presenceGraceMs: e.SWITCHBOARD_PRESENCE_GRACE_SECONDS * 1000,
    outboxMaxRetryDelayMs: e.SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS * 1000,
    outboxConcurrency: e.SWITCHBOARD_OUTBOX_CONCURRENCY,
    deliveryStallMs: e.SWITCHBOARD_DELIVERY_STALL_SECONDS * 1000,
    webchat: {
      messagesPerMinute: e.SWITCHBOARD_WEBCHAT_MESSAGES_PER_MINUTE,
      addressMessagesPerMinute: e.SWITCHBOARD_WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE,
      handoffsPerHour: e.SWITCHBOARD_WEBCHAT_HANDOFFS_PER_HOUR,
    },
    cookieSecure: e.SWITCHBOARD_COOKIE_SECURE,
    trustProxy: e.SWITCHBOARD_TRUST_PROXY,
    metricsToken: e.SWITCHBOARD_METRICS_TOKEN ?? null,
    confidenceThreshold: e.SWITCHBOARD_VA_CONFIDENCE_THRESHOLD,
    externalBot: e.SWITCHBOARD_BOT_URL
      ? { url: e.SWITCHBOARD_BOT_URL, timeoutMs: e.SWITCHBOARD_BOT_TIMEOUT_MS }
      : null,
    llm: e.SWITCHBOARD_LLM_URL
      ? {
          url: e.SWITCHBOARD_LLM_URL,
          apiKey: e.SWITCHBOARD_LLM_API_KEY ?? null,
          chatModel: e.SWITCHBOARD_LLM_MODEL ?? null,
          embeddingsModel: e.SWITCHBOARD_EMBEDDINGS_MODEL ?? null,
          timeoutMs: e.SWITCHBOARD_LLM_TIMEOUT_MS,
          embeddingsTimeoutMs: e.SWITCHBOARD_EMBEDDINGS_TIMEOUT_MS,
          minSimilarity: e.SWITCHBOARD_EMBEDDINGS_MIN_SIMILARITY,
        }
      : null,
    logLevel: e.LOG_LEVEL,
    discord: {
      token: e.DISCORD_TOKEN,
      guildIds: (e.DISCORD_GUILD_IDS ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
      apiUrl: e.DISCORD_API_URL?.replace(/\/$/, ''),
      bugReportChannel: e.DISCORD_BUG_CHANNEL,
      featureRequestChannel: e.DISCORD_FEATURE_CHANNEL,
      customerServiceChannel: e.DISCORD_SUPPORT_CHANNEL,
      adminRoles: (e.DISCORD_ADMIN_ROLES ?? '')
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
      shardCount: e.DISCORD_SHARD_COUNT,
    },
    announcements: {
      tickMs: e.SWITCHBOARD_ANNOUNCEMENT_TICK_MS,
      allowPrivateFeeds: e.SWITCHBOARD_FEEDS_ALLOW_PRIVATE,
      x: { apiUrl: e.X_API_URL.replace(/\/$/, ''), minPollIntervalSeconds: e.SWITCHBOARD_X_MIN_POLL_SECONDS },
    },
    handoffTarget: e.SWITCHBOARD_HANDOFF_TARGET,
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            apiKey:
              e.TWILIO_API_KEY && e.TWILIO_API_SECRET
                ? { sid: e.TWILIO_API_KEY, secret: e.TWILIO_API_SECRET }
                : null,
            apiUrl: e.TWILIO_API_URL?.replace(/\/$/, '') ?? null,
            conversationsServiceSid: e.TWILIO_CONVERSATIONS_SERVICE_SID ?? null,
            flex:
              e.TWILIO_FLEX_WORKSPACE_SID && e.TWILIO_FLEX_WORKFLOW_SID
                ? { workspaceSid: e.TWILIO_FLEX_WORKSPACE_SID, workflowSid: e.TWILIO_FLEX_WORKFLOW_SID }
                : null,
            sms: e.TWILIO_MESSAGING_SERVICE_SID
              ? { messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID }
              : e.TWILIO_SMS_FROM
                ? { from: e.TWILIO_SMS_FROM }
                : null,
            whatsappFrom: e.TWILIO_WHATSAPP_FROM ?? null,
          }
        : null,
    messenger:
      e.MESSENGER_PAGE_ACCESS_TOKEN && e.MESSENGER_APP_SECRET && e.MESSENGER_VERIFY_TOKEN
        ? {
            pageAccessToken: e.MESSENGER_PAGE_ACCESS_TOKEN,
            appSecret: e.MESSENGER_APP_SECRET,
            verifyToken: e.MESSENGER_VERIFY_TOKEN,
            apiUrl: (e.MESSENGER_API_URL ?? 'https://graph.facebook.com').replace(/\/$/, ''),
            humanAgentTag: e.MESSENGER_HUMAN_AGENT_TAG,
          }
        : null,
  };
}
