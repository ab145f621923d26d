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
const schema = z.object({
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
  SWITCHBOARD_COOKIE_SECURE: bool.prefault('false'),
  SWITCHBOARD_TRUST_PROXY: bool.prefault('false'),
  /** Bearer token a Prometheus scraper sends to read `/metrics` (otherwise admins only). */
  SWITCHBOARD_METRICS_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
  SWITCHBOARD_VA_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  SWITCHBOARD_BOT_URL: z.url({ protocol: /^https?$/ }).optional(),
  SWITCHBOARD_BOT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).prefault(5000),
  // Web-chat flood limits (per client address unless said otherwise).
  SWITCHBOARD_WEBCHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).prefault(30),
  SWITCHBOARD_WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).prefault(120),
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
  cookieSecure: boolean;
  trustProxy: boolean;
  /** `/metrics` for scrapers that send it as a bearer token; null: signed-in admins only. */
  metricsToken: string | null;
  confidenceThreshold: number | undefined;
  /** A brand's own conversational bot, asked before the knowledge base (which answers when it fails). */
  externalBot: { url: string; timeoutMs: number } | null;
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
  announcements: { tickMs: number; allowPrivateFeeds: boolean };
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
    },
  };
}
