import { createHash } from 'node:crypto';
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIChannel,
  type APIEmbed,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Guild,
  type Interaction,
  type Message,
  MessageFlags,
  type ModalSubmitInteraction,
  Options,
  Partials,
  type RESTPostAPIChannelMessageJSONBody,
  type RepliableInteraction,
  Routes,
  type User,
} from 'discord.js';
import { z } from 'zod';
import { type SimilarCase, similarCases } from '../../core/cases/similar-cases.ts';
import type { ContactCenter } from '../../core/contact-center.ts';
import { ContactService } from '../../core/contacts/contact-service.ts';
import { DomainError } from '../../core/errors.ts';
import { actionFor } from '../../core/flows/flow-runner.ts';
import { baseLanguage, detectLanguage } from '../../core/knowledge/language-detector.ts';
import type { Case, MemberNotice, MessageAction, OutboundMessage } from '../../core/model.ts';
import { postMessageOnce } from '../../core/outbox/post-message.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type InboundMessage,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import { inTransaction } from '../../core/unit-of-work.ts';
import { commandNames, MANAGE_GUILD, QUESTION_MAX, switchboardCommands } from './discord-commands.ts';
import { DiscordErrorCode, discordCode, toConnectorError } from './discord-errors.ts';
import { customIds, parseCustomId, renderOutbound } from './discord-message-renderer.ts';
import { bugModal, featureModal, parseBugReport, parseFeatureRequest } from './discord-modals.ts';
import {
  DiscordSetup,
  formatSetupReport,
  loadGuildSetup,
  type SetupChannelKey,
  type SetupReport,
} from './discord-setup.ts';
import { type DiscordTextKey, t } from './discord-texts.ts';
import {
  type GatewayLeaseOptions,
  GatewayLeases,
  instanceOwner,
  type ShardHealth,
} from './gateway-leases.ts';
import type { SharedRestLimiter } from './shared-rest-limiter.ts';

export interface DiscordLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export interface DiscordConnectorOptions {
  /** The bot token; without it the connector is off. */
  token: string;
  /** Servers to register guild commands in; empty registers global commands. */
  guildIds: string[];
  /** REST base URL override (discord.js `rest.api`, e.g. `http://127.0.0.1:4000/api`); the gateway URL comes from `GET /gateway/bot`. */
  apiUrl: string | null;
  /** The channel (id or name) where bug reports are posted, in each server. */
  bugReportChannel: string;
  featureRequestChannel: string;
  /** Where private threads are opened for members whose DMs are closed. */
  customerServiceChannel: string;
  /** Makes relative knowledge-base links absolute. */
  publicUrl: string | null;
  /** How long start() waits for the gateway's READY. */
  readyTimeoutMs: number;
  /** Roles (names or ids) that `/setup` lets post in the announcements channel besides the bot. */
  adminRoles: string[];
  /** How long one REST request may take; discord.js itself does not retry, the outbox does. */
  restTimeoutMs: number;
  /** Discord's REST limits kept with the bot's other instances (Redis) and 429s counted; null: per process. */
  restLimiter: SharedRestLimiter | null;
  /** Gateway shards of the bot across all instances; null: Discord's recommendation (`GET /gateway/bot`). */
  shardCount: number | null;
  /** Shard leases: how long they last, how often they are renewed and looked for, single-instance start. */
  gateway: Partial<GatewayLeaseOptions>;
  /** This instance's name as a lease owner (default: host, process id and a random part). */
  instanceName: string;
  log: DiscordLog;
}

const silent: DiscordLog = { info: () => {}, warn: () => {}, error: () => {} };

export const defaultDiscordConnectorOptions: DiscordConnectorOptions = {
  token: '',
  guildIds: [],
  apiUrl: null,
  bugReportChannel: 'bug-report',
  featureRequestChannel: 'feature-request',
  customerServiceChannel: 'customer-service',
  publicUrl: null,
  readyTimeoutMs: 30_000,
  adminRoles: [],
  restTimeoutMs: 10_000,
  restLimiter: null,
  shardCount: null,
  gateway: {},
  instanceName: '',
  log: silent,
};

/** The connector's health, with each gateway shard's state (`standby`: another instance holds it). */
export interface DiscordHealth extends ConnectorHealth {
  shards?: ShardHealth[];
}

/** The gateway session this instance holds for its shards. */
interface GatewaySession {
  client: Client;
  shards: number[];
  /** Aborted when the session must end before it was ready (lease lost, stop). */
  abort: AbortController;
}

const gatewayBotSchema = z.object({ shards: z.number().int().positive() });
/** A gateway that could not be opened is given back and tried again after this, doubling up to a minute. */
const OPEN_RETRY_MS = 5_000;
const OPEN_RETRY_MAX_MS = 60_000;

/** What the connector needs of the core besides `receive`: cases (bug reports, votes), events, settings. */
export type DiscordCore = Pick<ContactCenter, 'cases' | 'bus' | 'store' | 'clock'>;

/** Where a Discord conversation's replies go: the DM (or fallback thread) and the member. */
const addressSchema = z.object({ channelId: z.string().min(1), userId: z.string().min(1).optional() });

interface ThreadRecord {
  threadId: string;
  guildId: string;
  /** The member was added and told where they are; until then, opening is finished on the next send. */
  ready: boolean;
}

interface CasePost {
  channelId: string;
  messageId: string;
  guildId: string;
}

const settingKeys = {
  thread: (userId: string) => `discord:thread:${userId}`,
  threadOwner: (threadId: string) => `discord:thread-owner:${threadId}`,
  guild: (userId: string) => `discord:guild:${userId}`,
  casePost: (caseId: string) => `discord:case-post:${caseId}`,
  liveButtons: (member: string) => `discord:live-buttons:${member}`,
  delivery: (key: string) => `discord:delivery:${key}`,
};

/** The parts of a split message already posted, kept until the last one is, so a retry or restart goes on. */
interface DeliveryProgress {
  parts: number;
  lastId: string | null;
  lastChannelId: string | null;
}

/**
 * Discord's idempotency key for one part of one outgoing message (at most 25 characters): with
 * `enforce_nonce`, a resend whose first response was lost returns the message already created.
 */
export function deliveryNonce(key: string, part: number): string {
  return `${createHash('sha256').update(key).digest('base64url').slice(0, 20)}.${part}`;
}

/** The member's latest conversation message that carries buttons: the only one whose buttons still work. */
interface LiveButtons {
  channelId: string;
  messageId: string;
  components: ButtonRow[];
}

const CHANNEL = 'discord';
/** Closed conversations active this recently are caught up too: their member may have written again. */
const CATCH_UP_WINDOW_MS = 7 * 24 * 60 * 60_000;
const PRIVATE_THREAD = 12;
const GUILD_TEXT = 0;
const ANNOUNCEMENT_CHANNEL = 5;

/**
 * The Discord channel: slash commands (`/helpme`, `/agent`, `/bug`, `/new_feature`), the virtual agent and
 * live agents in DMs (or a private thread when a member's DMs are closed), buttons, bug reports and feature
 * requests with upvotes, and a DM to the reporter when their case's status changes.
 */
export class DiscordConnector implements ChannelConnector {
  readonly channel = CHANNEL;
  /** Bug reports' and feature requests' status changes reach their reporter in a DM. */
  readonly notices = true;
  readonly options: DiscordConnectorOptions;
  /** The client with caches: the gateway session's while this instance holds one, else the REST client. */
  private client: Client | null = null;
  /** REST for every instance, with or without a gateway session (the outbox sends from all of them). */
  private restClient: Client | null = null;
  private gateway: GatewaySession | null = null;
  private leases: GatewayLeases | null = null;
  private readonly shardStates = new Map<number, { status: ShardHealth['status']; detail: string | null }>();
  /** Opening and closing the gateway, one after another. */
  private gatewayWork: Promise<void> = Promise.resolve();
  /** Why the gateway could not be opened here last time (cleared once it is). */
  private gatewayProblem: string | null = null;
  private openFailures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  readonly owner: string;
  private state: ConnectorHealth;
  private onInbound: InboundHandler | null = null;
  private readonly contacts: ContactService;
  private unsubscribe: (() => void) | null = null;
  /** Threads being opened by this instance, so that concurrent sends to one member open one. */
  private readonly opening = new Map<string, Promise<ThreadRecord>>();
  /** Each member's messages still being handled, so that the next one waits its turn. */
  private readonly handling = new Map<string, Promise<void>>();
  /** The running catch-up after a new gateway session; the next one waits for it. */
  private catchingUp: Promise<void> = Promise.resolve();
  /**
   * For each new session whose catch-up has not yet read where to start: the ids of the messages that arrived
   * live meanwhile. They came after the gap, so they must not mark where the gap ends.
   */
  private readonly arrivedLive = new Set<Set<string>>();
  /** The last `/helpme` or `/agent` of each member, to tell them where the conversation went. */
  private readonly pendingReplies = new Map<string, { interaction: RepliableInteraction; at: number }>();

  constructor(
    private readonly core: DiscordCore,
    options: Partial<DiscordConnectorOptions> = {},
  ) {
    this.options = { ...defaultDiscordConnectorOptions, ...options };
    this.owner = this.options.instanceName || instanceOwner();
    this.contacts = new ContactService(core.store, core.clock);
    this.state = this.options.token
      ? { status: 'connecting', detail: 'not started' }
      : { status: 'disabled', detail: 'no token' };
  }

  health(): DiscordHealth {
    const leases = this.leases;
    if (!leases || this.state.status === 'disabled') return { ...this.state };
    const shards: ShardHealth[] = [
      ...leases.heldShards().map((id) => {
        const state = this.shardStates.get(id) ?? {
          status: 'connecting' as const,
          detail: 'taking the shard',
        };
        return {
          id,
          status: state.status,
          owner: this.owner,
          ...(state.detail ? { detail: state.detail } : {}),
        };
      }),
      ...leases
        .elsewhere()
        .map((shard) =>
          shard.status === 'connecting' && this.gatewayProblem
            ? { id: shard.id, status: 'error' as const, detail: this.gatewayProblem }
            : shard,
        ),
    ].sort((a, b) => a.id - b.id);
    const failing = shards.find((s) => s.status === 'error');
    const waiting = shards.find((s) => s.status === 'connecting');
    if (failing) return { status: 'error', detail: failing.detail ?? `shard ${failing.id} failing`, shards };
    if (waiting) return { status: 'connecting', detail: waiting.detail ?? null, shards };
    const here = shards.filter((s) => s.status === 'connected').length;
    return {
      status: 'connected',
      detail: here === 0 ? 'gateway held by another instance; sending through REST' : null,
      shards,
    };
  }

  /** The discord.js client, once started (for diagnostics and tests). */
  get discord(): Client | null {
    return this.client;
  }

  /**
   * Starts REST at once and takes the gateway shards no other instance holds (all of them for a single
   * instance). When this instance took shards, resolves once their gateway session is ready, as before.
   */
  async start(onInbound: InboundHandler): Promise<void> {
    this.onInbound = onInbound;
    if (!this.options.token) {
      this.state = { status: 'disabled', detail: 'no token' };
      return;
    }
    this.state = { status: 'connecting', detail: null };
    const restClient = this.newClient(null);
    // REST without a gateway session: the token a login would set.
    restClient.token = this.options.token;
    restClient.rest.setToken(this.options.token);
    this.restClient = restClient;
    this.client = restClient;
    await this.startLeases();
  }

  private async startLeases(): Promise<void> {
    const restClient = this.restClient;
    if (!restClient) return;
    let shardCount: number;
    try {
      shardCount =
        this.options.shardCount ??
        gatewayBotSchema.parse(await restClient.rest.get(Routes.gatewayBot())).shards;
    } catch (error) {
      // Discord being unreachable must not stop the rest of Switchboard; health() says why, and it tries again.
      const reason = error instanceof Error ? error.message : String(error);
      this.state = { status: 'error', detail: reason };
      this.options.log.error({ err: error }, 'Discord connector could not connect');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.restClient === restClient) void this.startLeases();
      }, OPEN_RETRY_MS);
      this.retryTimer.unref?.();
      return;
    }
    if (this.restClient !== restClient) return;
    this.state = { status: 'connecting', detail: null };
    const leases = new GatewayLeases(
      this.core.store.leases,
      this.owner,
      shardCount,
      { gained: () => this.syncGateway(), lost: (shard, reason) => this.onShardLost(shard, reason) },
      this.options.log,
      this.options.gateway,
    );
    this.leases = leases;
    await leases.start();
    await this.gatewayWork;
  }

  /** Brings the gateway session in line with the shards held: one session for all of them, or none. */
  private syncGateway(): void {
    this.gatewayWork = this.gatewayWork
      .then(async () => {
        const leases = this.leases;
        if (!leases) return;
        const wanted = leases.heldShards();
        const current = this.gateway;
        if (current && current.shards.join() === wanted.join()) return;
        if (current) await this.closeGateway('the shards held here changed');
        if (wanted.length > 0) await this.openGateway(wanted, leases.shardCount);
      })
      .catch((error: unknown) => this.options.log.error({ err: error }, 'Discord gateway not opened'));
  }

  /** A lease this instance can no longer prove it holds: its session closes now, not after the queue. */
  private onShardLost(shard: number, reason: string): void {
    if (this.gateway?.shards.includes(shard)) void this.closeGateway(reason);
    this.syncGateway();
  }

  private async openGateway(shards: number[], shardCount: number): Promise<void> {
    const client = this.newClient({ shards, shardCount });
    const session: GatewaySession = { client, shards, abort: new AbortController() };
    this.gateway = session;
    this.client = client;
    for (const shard of shards)
      this.shardStates.set(shard, { status: 'connecting', detail: 'opening the gateway' });
    this.watch(client);
    try {
      const aborted = new Promise<never>((_, reject) =>
        session.abort.signal.addEventListener('abort', () => reject(session.abort.signal.reason), {
          once: true,
        }),
      );
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no READY within ${this.options.readyTimeoutMs} ms`)),
          this.options.readyTimeoutMs,
        );
        client.once(Events.ClientReady, () => {
          clearTimeout(timer);
          resolve();
        });
        session.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      });
      // A failed login ends the wait at once; READY's own time-out, later, must not go unobserved.
      ready.catch(() => {});
      await Promise.race([Promise.all([client.login(this.options.token), ready]), aborted]);
      if (this.gateway !== session) return;
      // Commands are registered once per tenure of shard 0, not by every instance. A refusal is logged:
      // the gateway session is still good for DMs and the commands registered before.
      if (shards.includes(0))
        await this.registerCommands(client).catch((error: unknown) =>
          this.options.log.error({ err: error }, 'Discord commands not registered'),
        );
      if (this.gateway !== session) return;
      this.openFailures = 0;
      this.gatewayProblem = null;
      this.options.log.info(
        { user: client.user?.tag, guilds: client.guilds.cache.size, shards, shardCount, owner: this.owner },
        'Discord connector connected',
      );
    } catch (error) {
      if (this.gateway !== session) return; // closed meanwhile: the lease was lost or the connector stopped
      const reason = error instanceof Error ? error.message : String(error);
      this.gatewayProblem = reason;
      this.options.log.error({ err: error, shards }, 'Discord connector could not connect');
      await this.closeGateway(reason);
      // Another instance may do better; this one tries again later.
      const retryMs = Math.min(OPEN_RETRY_MAX_MS, OPEN_RETRY_MS * 2 ** this.openFailures);
      this.openFailures += 1;
      for (const shard of shards) await this.leases?.giveUp(shard, retryMs);
    }
  }

  /** Ends this instance's gateway session (its shards' events go to whoever holds them next). */
  private async closeGateway(reason: string): Promise<void> {
    const session = this.gateway;
    if (!session) return;
    this.gateway = null;
    if (this.client === session.client) this.client = this.restClient;
    for (const shard of session.shards) this.shardStates.delete(shard);
    session.abort.abort(new Error(reason));
    this.options.log.info({ shards: session.shards, reason }, 'Discord gateway closed on this instance');
    await session.client.destroy().catch(() => {});
  }

  /** A discord.js client: REST only (null), or the gateway session for some shards. */
  private newClient(sharding: { shards: number[]; shardCount: number } | null): Client {
    return new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ],
      partials: [Partials.Channel],
      // Only new messages and interactions are handled, and users are fetched when needed: discord.js need not
      // keep every message and every member who ever wrote (memory would grow with the history).
      makeCache: Options.cacheWithLimits({
        ...Options.DefaultMakeCacheSettings,
        MessageManager: 0,
        UserManager: { maxSize: 1_000, keepOverLimit: (user) => user.id === user.client.user?.id },
      }),
      rest: this.restOptions(),
      ...(sharding ?? {}),
    });
  }

  /** The REST options of every discord.js client the connector makes. */
  private restOptions() {
    return {
      // Only the outbox retries: discord.js's own retries (3 by default) would multiply each of its attempts.
      retries: 0,
      timeout: this.options.restTimeoutMs,
      ...(this.options.apiUrl ? { api: this.options.apiUrl } : {}),
      // The limiter keeps Discord's global limit (and, with Redis, every limit for all instances together).
      ...(this.options.restLimiter ? this.options.restLimiter.restOptions(this.options.restTimeoutMs) : {}),
    };
  }

  /** The gateway events of one session; state changes count only while it is this instance's session. */
  private watch(client: Client): void {
    const current = () => this.gateway?.client === client;
    const setShard = (shard: number, status: ShardHealth['status'], detail: string | null) => {
      if (current()) this.shardStates.set(shard, { status, detail });
    };
    client.on(Events.MessageCreate, (message) => {
      for (const live of this.arrivedLive) live.add(message.id);
      void this.inOrder(message.author.id, () => this.guard('message', () => this.onMessage(message)));
    });
    client.on(
      Events.InteractionCreate,
      (interaction) => void this.guard('interaction', () => this.onInteraction(interaction)),
    );
    client.on(Events.ShardDisconnect, (event, shard) => {
      if (!current()) return;
      setShard(shard, 'error', `gateway closed (${event.code})`);
      this.options.log.error(
        { shard, code: event.code },
        'Discord gateway closed for good; not reconnecting',
      );
    });
    client.on(Events.ShardReconnecting, (shard) => {
      if (!current()) return;
      setShard(shard, 'connecting', 'reconnecting to the gateway');
      this.options.log.info({ shard }, 'Discord gateway reconnecting');
    });
    client.on(Events.ShardResume, (shard, replayedEvents) => {
      setShard(shard, 'connected', null);
      this.options.log.info({ shard, resumed: true, replayedEvents }, 'Discord gateway session resumed');
    });
    const watched = new Set<number>();
    client.on(Events.ShardReady, (shard) => {
      if (!current()) return;
      setShard(shard, 'connected', null);
      // discord.js reports a recoverable close only on the shard itself (with its code).
      const ws = client.ws.shards.get(shard);
      if (ws && !watched.has(shard)) {
        watched.add(shard);
        ws.on('close', (event: { code: number }) =>
          this.options.log.warn({ shard, code: event.code }, 'Discord gateway connection closed'),
        );
      }
      // A new session (first start, takeover from another instance, failed resume, op 9, close 1000/4007):
      // what was sent meanwhile is not replayed by Discord, so it is read back from the conversations' channels.
      this.options.log.info({ shard, resumed: false }, 'Discord gateway: new session, catching up');
      const live = new Set<string>();
      this.arrivedLive.add(live);
      this.catchingUp = this.catchingUp
        .then(() => this.guard('catch-up', () => this.catchUp(client, live)))
        .catch(() => {})
        .finally(() => this.arrivedLive.delete(live));
    });
    client.on(Events.ShardError, (error) => this.options.log.warn({ err: error }, 'Discord gateway error'));
    client.on(Events.Error, (error) => this.options.log.error({ err: error }, 'Discord client error'));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.onInbound = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const leases = this.leases;
    this.leases = null;
    await leases?.stop();
    // The session closes before its leases are given back: the next holder never overlaps with it.
    await this.closeGateway('stopping');
    await this.gatewayWork;
    await leases?.release();
    const restClient = this.restClient;
    this.restClient = null;
    this.client = null;
    await restClient?.destroy().catch(() => {});
    this.shardStates.clear();
    this.gatewayProblem = null;
    this.openFailures = 0;
    this.pendingReplies.clear();
    this.state = this.options.token
      ? { status: 'disabled', detail: 'stopped' }
      : { status: 'disabled', detail: 'no token' };
  }

  // ---- outbound ------------------------------------------------------------------------------

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.notice) return this.sendNotice(message, message.notice);
    const parsed = addressSchema.safeParse(message.address);
    if (!parsed.success)
      throw new ConnectorError(
        `conversation ${message.conversationId} has no Discord address (${JSON.stringify(message.address)})`,
        false,
      );
    const address = { channelId: parsed.data.channelId, userId: parsed.data.userId ?? null };
    const bodies = renderOutbound(message, { publicUrl: this.options.publicUrl });
    if (bodies.length === 0) return { externalId: null };
    const key = message.messageId ?? `${message.conversationId}:${message.text}`;
    const member = address.userId ?? address.channelId;
    const progressKey = settingKeys.delivery(key);
    const progress: DeliveryProgress = (await this.core.store.settings.get<DeliveryProgress>(
      progressKey,
    )) ?? {
      parts: 0,
      lastId: null,
      lastChannelId: null,
    };
    // Before the member sees the new message, the buttons of the previous one stop working.
    if (progress.parts === 0) await this.disableLiveButtons(member);
    for (let i = progress.parts; i < bodies.length; i++) {
      const body = bodies[i];
      if (!body) continue;
      const sent = await this.postToMember(
        address,
        { ...body, nonce: deliveryNonce(key, i), enforce_nonce: true },
        `deliver ${message.conversationId} (part ${i + 1} of ${bodies.length})`,
      );
      progress.parts = i + 1;
      progress.lastId = sent.id;
      progress.lastChannelId = sent.channel_id;
      // Only a split message has parts to remember; a single one is covered by its nonce.
      if (i + 1 < bodies.length) await this.core.store.settings.set(progressKey, progress);
    }
    if (bodies.length > 1) await this.core.store.settings.set(progressKey, null);
    if (progress.lastId && progress.lastChannelId)
      await this.rememberLiveButtons(member, {
        channelId: progress.lastChannelId,
        messageId: progress.lastId,
        components: (bodies.at(-1)?.components ?? []) as ButtonRow[],
      });
    return { externalId: progress.lastId };
  }

  /**
   * The conversation moves on (a new answer, a hand-off, a typed choice or rating): the buttons of the
   * member's previous message are disabled, so that a choice already made, or no longer on offer, cannot
   * be pressed. A failure is only logged: the new message matters more than the old buttons.
   */
  private async disableLiveButtons(member: string): Promise<void> {
    const key = settingKeys.liveButtons(member);
    try {
      const live = await this.core.store.settings.get<LiveButtons>(key);
      if (!live) return;
      await this.rest()
        .patch(Routes.channelMessage(live.channelId, live.messageId), {
          body: { components: disableRows(live.components) },
        })
        .catch((error: unknown) => {
          // 10008: the message is gone, and its buttons with it.
          if (discordCode(error) !== DiscordErrorCode.UnknownMessage) throw error;
        });
      await this.core.store.settings.set(key, null);
    } catch (error) {
      this.options.log.warn({ err: error, member }, 'buttons of the previous message not disabled');
    }
  }

  /** The new message's buttons, if it has any, are the member's live ones. */
  private async rememberLiveButtons(member: string, latest: LiveButtons): Promise<void> {
    if (latest.components.length === 0) return;
    await this.core.store.settings
      .set(settingKeys.liveButtons(member), latest)
      .catch((error: unknown) =>
        this.options.log.warn({ err: error, member, messageId: latest.messageId }, 'live buttons not kept'),
      );
  }

  /**
   * Posts in the member's DM, or in their private support thread once Discord refused a DM (50007);
   * maps every failure to a ConnectorError the outbox can act on.
   */
  private async postToMember(
    address: { channelId: string; userId: string | null },
    body: RESTPostAPIChannelMessageJSONBody,
    context: string,
  ): Promise<APIMessage> {
    const rest = this.rest();
    const { userId } = address;
    const thread = userId ? await this.threadFor(userId) : null;
    const channelId = thread?.threadId ?? address.channelId;
    try {
      return (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
    } catch (error) {
      const code = discordCode(error);
      if (code === DiscordErrorCode.CannotSendMessagesToThisUser && userId && !thread) {
        const opened = await this.openThreadFor(userId);
        try {
          return (await rest.post(Routes.channelMessages(opened.threadId), { body })) as APIMessage;
        } catch (retryError) {
          throw toConnectorError(retryError, `${context} (thread ${opened.threadId})`);
        }
      }
      if (code === DiscordErrorCode.UnknownChannel && thread && userId) {
        // The thread was deleted: forget it, so the next attempt tries the DM (and a new thread) again.
        await this.forgetThread(userId, thread.threadId);
        throw new ConnectorError(`${context}: support thread ${thread.threadId} is gone`, true);
      }
      throw toConnectorError(error, `${context} (channel ${channelId})`);
    }
  }

  /** REST through the connector's own client: it works on every instance, with or without a gateway session. */
  private rest() {
    const client = this.restClient;
    if (!client?.token) throw new ConnectorError('the Discord connector is not connected', true);
    return client.rest;
  }

  // ---- the fallback thread for members whose DMs are closed ------------------------------------

  /**
   * The member's support thread, read from the store (not kept in memory), so that every instance sees a
   * thread another one opened or forgot at once.
   */
  private async threadFor(userId: string): Promise<ThreadRecord | null> {
    const record = await this.storedThread(userId);
    if (record && !record.ready) return this.openThreadFor(userId);
    return record;
  }

  private async storedThread(userId: string): Promise<ThreadRecord | null> {
    return (await this.core.store.settings.get<ThreadRecord>(settingKeys.thread(userId))) ?? null;
  }

  /** Opens (once per member, even under concurrent sends) a private thread in the customer-service channel. */
  private openThreadFor(userId: string): Promise<ThreadRecord> {
    const running = this.opening.get(userId);
    if (running) return running;
    const work = this.doOpenThread(userId).finally(() => this.opening.delete(userId));
    this.opening.set(userId, work);
    return work;
  }

  private async doOpenThread(userId: string): Promise<ThreadRecord> {
    const rest = this.rest();
    const language = await this.languageOf(userId, null);
    let record = await this.storedThread(userId);
    if (!record) {
      const guild = await this.guildOf(userId);
      // An instance without a gateway session knows no server: the one holding the gateway opens the thread
      // (its dispatcher takes the message on a later attempt), so this is worth retrying, not a refusal.
      const standby = (this.client?.guilds.cache.size ?? 0) === 0;
      if (!guild)
        throw new ConnectorError(
          standby
            ? `cannot DM user ${userId}; this instance holds no gateway session to find their server and open a thread`
            : `cannot DM user ${userId} and no server is known to open a thread in`,
          standby,
        );
      const parent = await this.officialChannel(
        guild,
        'customer-service',
        this.options.customerServiceChannel,
      );
      if (!parent)
        throw new ConnectorError(
          `cannot DM user ${userId} and server ${guild.id} has no "${this.options.customerServiceChannel}" channel`,
          false,
        );
      const user = await this.client?.users.fetch(userId).catch(() => null);
      const name = t('threadName', language, { member: user?.username ?? userId }).slice(0, 100);
      try {
        const thread = (await rest.post(Routes.threads(parent), {
          body: { name, type: PRIVATE_THREAD, invitable: false, auto_archive_duration: 10080 },
        })) as APIChannel;
        record = { threadId: thread.id, guildId: guild.id, ready: false };
      } catch (error) {
        throw toConnectorError(error, `open a support thread for ${userId} in ${parent}`);
      }
      await this.saveThread(userId, record);
    }
    try {
      await rest.put(Routes.threadMembers(record.threadId, userId));
      // Its nonce is the thread's: a retry after a lost answer (or another instance finishing the same
      // opening) does not welcome the member twice.
      await rest.post(Routes.channelMessages(record.threadId), {
        body: {
          content: t('threadWelcome', language, { member: `<@${userId}>` }),
          allowed_mentions: { users: [userId] },
          nonce: deliveryNonce(`thread-welcome:${record.threadId}`, 0),
          enforce_nonce: true,
        },
      });
    } catch (error) {
      throw toConnectorError(error, `add ${userId} to support thread ${record.threadId}`);
    }
    record = { ...record, ready: true };
    await this.saveThread(userId, record);
    const pending = this.pendingReplies.get(userId);
    if (pending) {
      this.pendingReplies.delete(userId);
      await pending.interaction
        .editReply({ content: t('continueInThread', language, { thread: `<#${record.threadId}>` }) })
        .catch((error: unknown) =>
          this.options.log.warn({ err: error, userId }, 'could not tell the member where the thread is'),
        );
    }
    this.options.log.info(
      { userId, threadId: record.threadId },
      'DMs closed: opened a private support thread',
    );
    return record;
  }

  private async saveThread(userId: string, record: ThreadRecord): Promise<void> {
    await this.core.store.transaction(async (tx) => {
      await tx.settings.set(settingKeys.thread(userId), record);
      await tx.settings.set(settingKeys.threadOwner(record.threadId), userId);
    });
  }

  private async forgetThread(userId: string, threadId: string): Promise<void> {
    await this.core.store.transaction(async (tx) => {
      await tx.settings.set(settingKeys.thread(userId), null);
      await tx.settings.set(settingKeys.threadOwner(threadId), null);
    });
  }

  /** Whose support thread this is (null for any other thread), from the store like `threadFor`. */
  private async threadOwner(threadId: string): Promise<string | null> {
    return (await this.core.store.settings.get<string>(settingKeys.threadOwner(threadId))) ?? null;
  }

  /** The server to open a member's thread in: where they last used a command, else any shared server. */
  private async guildOf(userId: string): Promise<Guild | null> {
    const client = this.client;
    if (!client) return null;
    const known = await this.core.store.settings.get<string>(settingKeys.guild(userId));
    const cached = known ? client.guilds.cache.get(known) : undefined;
    if (cached) return cached;
    const candidates = this.options.guildIds.length
      ? this.options.guildIds.map((id) => client.guilds.cache.get(id)).filter((g): g is Guild => !!g)
      : [...client.guilds.cache.values()];
    for (const guild of candidates) {
      const member = await guild.members.fetch(userId).catch(() => null);
      if (member) return guild;
    }
    return null;
  }

  private async rememberGuild(userId: string, guildId: string | null): Promise<void> {
    if (!guildId) return;
    const key = settingKeys.guild(userId);
    if ((await this.core.store.settings.get<string>(key)) !== guildId)
      await this.core.store.settings.set(key, guildId);
  }

  /** The channel `/setup` stored for this server, else the configured one (by id or name). */
  private async officialChannel(
    guild: Guild,
    key: SetupChannelKey,
    fallback: string,
  ): Promise<string | null> {
    const setup = await loadGuildSetup(this.core.store.settings, guild.id);
    const stored = setup?.channels[key];
    if (stored && guild.channels.cache.has(stored)) return stored;
    return this.findChannel(guild, fallback);
  }

  /** A text channel of the server by id or by name. */
  private findChannel(guild: Guild, idOrName: string): string | null {
    const byId = guild.channels.cache.get(idOrName);
    if (byId) return byId.id;
    return guild.channels.cache.find((c) => c.name === idOrName && c.type === GUILD_TEXT)?.id ?? null;
  }

  // ---- inbound -------------------------------------------------------------------------------

  /**
   * One member's messages are handled one after another, in the order Discord sent them, so that a quick
   * second message is stored and answered after the first. Interactions do not wait: they must be
   * answered within 3 seconds.
   */
  private inOrder(userId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.handling.get(userId) ?? Promise.resolve();
    const current = previous.then(work);
    this.handling.set(userId, current);
    return current.finally(() => {
      if (this.handling.get(userId) === current) this.handling.delete(userId);
    });
  }

  /** Runs an event handler; a failure is logged with its context, never thrown into discord.js. */
  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.log.error({ err: error, what }, 'Discord event not handled');
    }
  }

  private async onMessage(message: Message): Promise<void> {
    if (message.author.bot || message.system || !this.onInbound) return;
    const userId = message.author.id;
    let address: Record<string, unknown>;
    if (!message.guildId) {
      address = { channelId: message.channelId, userId };
    } else if (message.channel.isThread() && (await this.threadOwner(message.channelId)) === userId) {
      // The member's private support thread (their DMs are closed): the same conversation continues.
      address = { channelId: message.channelId, userId, threadId: message.channelId };
    } else {
      return;
    }
    const text = message.content;
    const attachments = [...message.attachments.values()].map((a) => ({
      url: a.url,
      name: a.name,
      ...(a.contentType ? { contentType: a.contentType } : {}),
    }));
    await this.onInbound({
      channel: CHANNEL,
      externalId: message.id,
      contact: profileOf(message.author, null),
      address,
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
      receivedAt: message.createdAt.toISOString(),
    });
    if (!text.trim()) await this.answerWithoutText(message.id, userId, attachments.length > 0);
  }

  /**
   * Reads back, oldest first, what members wrote in the channels of open and recently active conversations
   * after the last message stored for each, and hands it to the core like a live message (the core keeps
   * one copy per Discord message id, so a message that also arrived live is not stored twice).
   */
  private async catchUp(client: Client, arrivedLive: ReadonlySet<string>): Promise<void> {
    const store = this.core.store;
    const since = new Date(this.core.clock.now().getTime() - CATCH_UP_WINDOW_MS).toISOString();
    const [open, recent] = await Promise.all([
      store.conversations.list({ channel: CHANNEL, state: ['bot', 'queued', 'assigned', 'wrapping'] }),
      store.conversations.list({ channel: CHANNEL, activeSince: since }),
    ]);
    const lastSeen = new Map<string, bigint>();
    for (const conversation of [...open, ...recent]) {
      const parsed = addressSchema.safeParse(conversation.address);
      if (!parsed.success) continue;
      const channelId = parsed.data.channelId;
      for (const message of await store.messages.listByConversation(conversation.id)) {
        // Where the gap ends is the member's last message received before it: the bot's messages (sent by any
        // instance, also during the gap) and what arrived live in this session come after messages still unread.
        if (message.authorKind !== 'contact' || (message.externalId && arrivedLive.has(message.externalId)))
          continue;
        const id = snowflake(message.externalId);
        if (id !== null && id > (lastSeen.get(channelId) ?? 0n)) lastSeen.set(channelId, id);
      }
    }
    let read = 0;
    for (const [channelId, last] of lastSeen) {
      if (this.client !== client) return;
      const channel = await client.channels.fetch(channelId).catch((error: unknown) => {
        this.options.log.warn({ err: error, channelId }, 'catch-up: channel not readable');
        return null;
      });
      if (!channel?.isTextBased()) continue;
      let after = last;
      for (;;) {
        const page = await channel.messages.fetch({ after: after.toString(), limit: 100, cache: false });
        const messages = [...page.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
        for (const message of messages) {
          after = BigInt(message.id);
          if (message.author.bot) continue;
          // Already stored (it arrived live): skipped, so that nothing it triggers runs twice.
          if (await store.messages.findByExternalId(CHANNEL, message.id)) continue;
          read += 1;
          await this.inOrder(message.author.id, () => this.guard('message', () => this.onMessage(message)));
        }
        if (page.size < 100) break;
      }
    }
    this.options.log.info({ channels: lastSeen.size, messages: read }, 'Discord catch-up done');
  }

  /**
   * A message without text (a file or a sticker) runs no flow in the core, so the member would hear nothing.
   * What to say depends on who has the conversation: the virtual agent cannot read the file, so it says so
   * and offers a person; a waiting member is told the file is kept; with an agent, the file simply appears
   * in the desktop like any message, and a bot remark would only interrupt.
   *
   * The hint is a bot message of the conversation, sent through the outbox (in order with the rest, with
   * retries and a nonce), once per inbound message: keyed by its Discord id, so that the same message
   * handled twice (delivered to two instances, or read back by a catch-up) gets one hint.
   */
  private async answerWithoutText(inboundId: string, userId: string, hasFiles: boolean): Promise<void> {
    const { store, bus, clock } = this.core;
    const contact = await store.contacts.findByIdentity(CHANNEL, userId);
    const conversation = contact && (await store.conversations.findOpen(contact.id, CHANNEL));
    if (!conversation) return;
    const language = conversation.language ?? (contact.locale ? baseLanguage(contact.locale) : null);
    let text: string;
    let actions: MessageAction[] = [];
    if (conversation.state === 'bot') {
      text = t(hasFiles ? 'attachmentOnly' : 'textOnly', language);
      actions = [actionFor('handoff', language)];
    } else if (conversation.state === 'queued' && hasFiles) {
      text = t('attachmentQueued', language);
    } else {
      return;
    }
    await inTransaction(store, bus, (tx, emit) =>
      postMessageOnce(
        tx,
        emit,
        conversation,
        { authorKind: 'bot', text, actions, onceKey: `hint:${inboundId}` },
        clock.now().toISOString(),
      ),
    );
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      // No command offers suggestions; an empty list tells Discord so instead of a "loading options failed".
      this.logUnsupported(interaction, interaction.commandName);
      await interaction.respond([]);
      return;
    }
    if (!interaction.isRepliable()) {
      this.logUnsupported(interaction, null);
      return;
    }
    const language = () => this.languageOf(interaction.user.id, interaction.locale);
    try {
      if (interaction.isChatInputCommand()) await this.onCommand(interaction);
      else if (interaction.isButton()) await this.onButton(interaction);
      else if (interaction.isModalSubmit()) await this.onModal(interaction);
      else {
        // A context-menu command, a select menu: nothing Switchboard registered or sends.
        this.logUnsupported(interaction, interaction.isCommand() ? interaction.commandName : null);
        await this.replyEphemeral(interaction, t('errorNotSupported', await language()));
      }
    } catch (error) {
      await this.replyError(interaction, error, await language().catch(() => 'en'));
    }
  }

  private async onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    switch (interaction.commandName) {
      case commandNames.helpme: {
        const question = (interaction.options.getString('question') ?? '').trim();
        if (question.length > QUESTION_MAX)
          throw new DomainError('invalid', `a question has at most ${QUESTION_MAX} characters`);
        await this.startInDm(interaction, 'start', question);
        return;
      }
      case commandNames.agent:
        await this.startInDm(interaction, 'handoff', '');
        return;
      case commandNames.setup:
        await this.onSetup(interaction);
        return;
      case commandNames.bug:
      case commandNames.newFeature: {
        if (!interaction.inGuild()) {
          await this.replyEphemeral(
            interaction,
            t('errorGuildOnly', await this.languageOf(interaction.user.id, interaction.locale)),
          );
          return;
        }
        const language = await this.languageOf(interaction.user.id, interaction.locale);
        const modal: APIModalInteractionResponseCallbackData =
          interaction.commandName === commandNames.bug ? bugModal(language) : featureModal(language);
        await interaction.showModal(modal);
        return;
      }
      default:
        // A command registered by an older version, or by hand: say so, and leave a trace.
        this.logUnsupported(interaction, interaction.commandName);
        await this.replyEphemeral(
          interaction,
          t('errorUnknownCommand', await this.languageOf(interaction.user.id, interaction.locale), {
            command: interaction.commandName,
          }),
        );
    }
  }

  private logUnsupported(interaction: Interaction, command: string | null): void {
    this.options.log.warn(
      {
        interactionType: interaction.type,
        command,
        guildId: interaction.guildId,
        userId: interaction.user.id,
        interactionId: interaction.id,
      },
      'Discord interaction not supported',
    );
  }

  /** `/setup`: Manage Server only (Discord hides it from others; checked here too, as permissions change). */
  private async onSetup(interaction: ChatInputCommandInteraction): Promise<void> {
    const language = await this.languageOf(interaction.user.id, interaction.locale);
    if (!interaction.inGuild()) {
      await this.replyEphemeral(interaction, t('errorGuildOnly', language));
      return;
    }
    const permissions = interaction.memberPermissions;
    if (!permissions || (permissions.bitfield & MANAGE_GUILD) === 0n) {
      this.options.log.info({ userId: interaction.user.id, guildId: interaction.guildId }, '/setup refused');
      await this.replyEphemeral(interaction, t('setupRefused', language));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const report = await this.setupGuild(interaction.guildId);
    await interaction.editReply({
      content: clip(formatSetupReport(report, undefined, language), 2000),
      allowedMentions: { parse: [] },
    });
  }

  /** Creates or links the server's official channels (see DiscordSetup); the CLI does the same over bare REST. */
  async setupGuild(guildId: string): Promise<SetupReport> {
    const client = this.client;
    const botId = client?.user?.id;
    if (!client || !botId) throw new ConnectorError('the Discord connector is not connected', true);
    const report = await new DiscordSetup(client.rest, botId, this.core.store.settings, {
      adminRoles: this.options.adminRoles,
    }).run(guildId);
    this.options.log.info(
      {
        guildId,
        ok: report.ok,
        problem: report.problem,
        steps: report.steps.map((s) => `${s.item}:${s.outcome}`),
      },
      'Discord server setup',
    );
    return report;
  }

  /** The servers the bot is in (those configured, when `guildIds` names some), by name. */
  async servers(): Promise<{ id: string; name: string }[]> {
    let guilds: { id: string; name: string }[] = [...(this.client?.guilds.cache.values() ?? [])];
    // An instance without the gateway session has no cache: Discord lists the bot's servers over REST.
    if (!this.gateway && this.restClient)
      guilds = z
        .array(z.object({ id: z.string(), name: z.string() }))
        .parse(await this.rest().get(Routes.userGuilds()));
    const wanted = new Set(this.options.guildIds);
    return guilds
      .filter((g) => wanted.size === 0 || wanted.has(g.id))
      .map((g) => ({ id: g.id, name: g.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Posts an announcement in a server channel and, in an announcement channel, publishes it to following
   * servers. A failed publish is logged, not thrown: the post itself is out and must not be sent again.
   */
  async postAnnouncement(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody,
  ): Promise<{ messageId: string; published: boolean }> {
    const rest = this.rest();
    let posted: APIMessage;
    try {
      posted = (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
    } catch (error) {
      throw toConnectorError(error, `post announcement in ${channelId}`);
    }
    const type =
      this.client?.channels.cache.get(channelId)?.type ??
      ((await rest.get(Routes.channel(channelId)).catch(() => null)) as APIChannel | null)?.type;
    if (type !== ANNOUNCEMENT_CHANNEL) return { messageId: posted.id, published: false };
    try {
      await rest.post(Routes.channelMessageCrosspost(channelId, posted.id));
      return { messageId: posted.id, published: true };
    } catch (error) {
      this.options.log.warn({ err: error, channelId, messageId: posted.id }, 'announcement not published');
      return { messageId: posted.id, published: false };
    }
  }

  /** `/helpme` and `/agent`: acknowledge at once, open the DM, and hand the core the request. */
  private async startInDm(
    interaction: ChatInputCommandInteraction,
    action: 'start' | 'handoff',
    text: string,
  ): Promise<void> {
    const onInbound = this.onInbound;
    if (!onInbound) return;
    const userId = interaction.user.id;
    // The 3-second window: defer first, then store and run the flow, then say where to look.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const language = await this.languageOf(userId, interaction.locale, text);
    await this.rememberGuild(userId, interaction.guildId);
    const dm = await interaction.user.createDM();
    this.pendingReplies.set(userId, { interaction, at: Date.now() });
    this.prunePendingReplies();
    const thread = await this.threadFor(userId);
    await onInbound({
      channel: CHANNEL,
      externalId: interaction.id,
      contact: profileOf(interaction.user, interaction.locale),
      address: { channelId: dm.id, userId },
      text,
      action,
    });
    const stillPending = this.pendingReplies.get(userId)?.interaction === interaction;
    if (!stillPending) return; // a thread was opened meanwhile and the reply already says where
    await interaction.editReply({
      content: thread
        ? t('continueInThread', language, { thread: `<#${thread.threadId}>` })
        : t('sentDm', language),
    });
  }

  private prunePendingReplies(): void {
    // Interaction tokens last 15 minutes; older replies can no longer be edited.
    const cutoff = Date.now() - 14 * 60_000;
    for (const [userId, pending] of this.pendingReplies)
      if (pending.at < cutoff) this.pendingReplies.delete(userId);
  }

  private async onButton(interaction: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    if (parsed.kind === 'unknown') {
      const language = await this.languageOf(interaction.user.id, interaction.locale);
      await this.replyEphemeral(interaction, t('errorUnknownButton', language));
      return;
    }
    if (parsed.kind === 'vote') {
      await this.onVote(interaction, parsed.caseId);
      return;
    }
    const onInbound = this.onInbound;
    if (!onInbound) return;
    // Acknowledge by disabling the pressed row, so the same choice cannot be sent twice.
    await interaction.update({ components: disableRow(interaction, interaction.customId) });
    const userId = interaction.user.id;
    const address: Record<string, unknown> = interaction.guildId
      ? { channelId: interaction.channelId, userId, threadId: interaction.channelId }
      : { channelId: interaction.channelId, userId };
    await onInbound({
      channel: CHANNEL,
      externalId: interaction.id,
      contact: profileOf(interaction.user, interaction.locale),
      address,
      text: parsed.action.startsWith('rate:') ? '' : labelOf(interaction, interaction.customId),
      action: parsed.action,
    });
  }

  private async onVote(interaction: ButtonInteraction, caseId: string): Promise<void> {
    const contact = await this.contacts.resolve(CHANNEL, profileOf(interaction.user, interaction.locale));
    const language = await this.languageOf(interaction.user.id, interaction.locale);
    const request = await this.core.cases.get(caseId);
    if (request.contactId === contact.id) {
      // Upvotes say how many others want it; the requester's own is implied.
      await this.replyEphemeral(interaction, t('ownRequest', language, { case: request.number }));
      return;
    }
    const { case: kase, counted } = await this.core.cases.vote(caseId, contact.id, {
      kind: 'contact',
      id: contact.id,
    });
    if (!counted) {
      await this.replyEphemeral(interaction, t('alreadyVoted', language, { case: kase.number }));
      return;
    }
    await interaction.update({ components: [voteRow(kase, this.guildLanguage(interaction.guild))] });
    await interaction
      .followUp({ content: t('voteCounted', language, { case: kase.number }), flags: MessageFlags.Ephemeral })
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'vote confirmation not sent'));
  }

  private async onModal(interaction: ModalSubmitInteraction): Promise<void> {
    const values = modalValues(interaction);
    const text = Object.values(values).join(' ');
    const language = await this.languageOf(interaction.user.id, interaction.locale, text);
    if (interaction.customId !== customIds.bugModal && interaction.customId !== customIds.featureModal) {
      await this.replyEphemeral(interaction, t('errorUnknownButton', language));
      return;
    }
    const parsed =
      interaction.customId === customIds.bugModal ? parseBugReport(values) : parseFeatureRequest(values);
    if (!parsed.ok) {
      const { problem, field, max } = parsed.error;
      await this.replyEphemeral(
        interaction,
        t(problem === 'empty' ? 'errorFieldEmpty' : 'errorFieldTooLong', language, {
          field: t(field, language),
          max: max ?? 0,
        }),
      );
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await this.rememberGuild(interaction.user.id, interaction.guildId);
    const contact = await this.contacts.resolve(CHANNEL, profileOf(interaction.user, interaction.locale));
    const actor = { kind: 'contact' as const, id: contact.id };
    const guild = interaction.guild;
    if (parsed.value.kind === 'bug') {
      const report = parsed.value;
      const kase = await this.core.cases.create(
        { kind: 'bug', subject: report.title, fields: report.fields, contactId: contact.id },
        actor,
      );
      await interaction.editReply({ content: t('bugFiled', language, { case: kase.number }) });
      if (guild) await this.postCase(guild, 'bug-report', kase, interaction.user, []);
      return;
    }
    const request = parsed.value;
    const existing = await this.core.cases.list({ kind: 'feature', limit: 500 });
    const similar = similarCases({ subject: request.title, description: request.description }, existing);
    const kase = await this.core.cases.create(
      {
        kind: 'feature',
        subject: request.title,
        fields: { description: request.description },
        contactId: contact.id,
      },
      actor,
    );
    const links = await this.similarLines(similar);
    await interaction.editReply({
      content: [
        t('featureFiled', language, { case: kase.number }),
        ...(links.length > 0 ? ['', t('similarIntro', language), ...links] : []),
      ].join('\n'),
      allowedMentions: { parse: [] },
    });
    if (guild) await this.postCase(guild, 'feature-request', kase, interaction.user, links);
  }

  /** Posts a bug report or feature request as an embed in its channel (with an Upvote button for features). */
  private async postCase(guild: Guild, key: SetupChannelKey, kase: Case, reporter: User, similar: string[]) {
    const channelRef =
      key === 'bug-report' ? this.options.bugReportChannel : this.options.featureRequestChannel;
    const channelId = await this.officialChannel(guild, key, channelRef);
    if (!channelId) {
      this.options.log.warn(
        { guildId: guild.id, channel: channelRef, case: kase.number },
        'no channel to post the case in',
      );
      return;
    }
    const language = this.guildLanguage(guild);
    const fields: APIEmbed['fields'] = [];
    const labels: [string, DiscordTextKey][] = [
      ['description', kase.kind === 'bug' ? 'fieldWhatHappened' : 'fieldDescription'],
      ['steps', 'fieldSteps'],
      ['expected', 'fieldExpected'],
      ['platform', 'fieldPlatform'],
    ];
    for (const [key, label] of labels) {
      const value = kase.fields[key];
      if (value) fields.push({ name: t(label, language), value: clip(value, 1024) });
    }
    fields.push({ name: t('reporter', language), value: `<@${reporter.id}>`, inline: true });
    if (similar.length > 0)
      fields.push({ name: t('similarTitle', language), value: clip(similar.join('\n'), 1024) });
    const body: RESTPostAPIChannelMessageJSONBody = {
      embeds: [
        {
          title: clip(`#${kase.number} ${kase.subject}`, 256),
          color: kase.kind === 'bug' ? 0xed4245 : 0x57f287,
          fields,
          timestamp: kase.createdAt,
        },
      ],
      allowed_mentions: { parse: [] },
      ...(kase.kind === 'feature' ? { components: [voteRow(kase, language)] } : {}),
    };
    try {
      const posted = (await this.rest().post(Routes.channelMessages(channelId), { body })) as APIMessage;
      const post: CasePost = { channelId, messageId: posted.id, guildId: guild.id };
      await this.core.store.settings.set(settingKeys.casePost(kase.id), post);
      // Agents open the post from the case.
      await this.core.cases.recordPost(kase.id, casePostUrl(post));
    } catch (error) {
      // The case is stored and the member has its number; only the public post is missing.
      this.options.log.warn({ err: error, case: kase.number, channelId }, 'case not posted in its channel');
    }
  }

  private async similarLines(similar: SimilarCase[]): Promise<string[]> {
    const lines: string[] = [];
    for (const { case: kase } of similar) {
      const post = await this.core.store.settings.get<CasePost>(settingKeys.casePost(kase.id));
      const link = post ? ` — ${casePostUrl(post)}` : '';
      lines.push(`#${kase.number} ${clip(kase.subject, 100)} (▲ ${kase.votes})${link}`);
    }
    return lines;
  }

  // ---- notices: case status changes ----------------------------------------------------------

  /**
   * A notice to a member outside any conversation (a bug report's or feature request's new status), from
   * the outbox: rendered in the member's language and posted in their DM (or their support thread when
   * their DMs are closed) with a nonce made from the notice, so that a retry whose first answer was lost,
   * or a crash before it was marked sent, does not post it twice.
   */
  private async sendNotice(message: OutboundMessage, notice: MemberNotice): Promise<SendResult> {
    const userId = message.address.externalId;
    if (typeof userId !== 'string' || !/^\d{1,20}$/.test(userId))
      throw new ConnectorError(`notice ${notice.id} has no Discord user to go to`, false);
    const contact = await this.core.store.contacts.findByIdentity(CHANNEL, userId);
    const language = await this.languageOf(userId, contact?.locale);
    const content = t('statusChanged', language, {
      kind: t(`kind_${notice.case.kind}`, language),
      case: notice.case.number,
      subject: clip(notice.case.subject, 200),
      status: t(`status_${notice.case.status}`, language),
    });
    let dm: APIChannel;
    try {
      dm = (await this.rest().post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    } catch (error) {
      throw toConnectorError(error, `open the DM of ${userId}`);
    }
    const sent = await this.postToMember(
      { channelId: dm.id, userId },
      {
        content,
        allowed_mentions: { parse: [] },
        nonce: deliveryNonce(`notice:${notice.id}`, 0),
        enforce_nonce: true,
      },
      `status of #${notice.case.number}`,
    );
    return { externalId: sent.id };
  }

  // ---- replies and errors --------------------------------------------------------------------

  private async replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
    if (interaction.deferred && !interaction.replied) await interaction.editReply({ content });
    else if (interaction.replied || interaction.deferred)
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }

  /** The one place a failure becomes what the member sees: the Discord twin of src/http/error-handler.ts. */
  private async replyError(
    interaction: RepliableInteraction,
    error: unknown,
    language: string,
  ): Promise<void> {
    const code = discordCode(error);
    const context = {
      err: error,
      interactionId: interaction.id,
      userId: interaction.user.id,
      type: interaction.type,
    };
    if (
      code === DiscordErrorCode.UnknownInteraction ||
      code === DiscordErrorCode.InteractionAlreadyAcknowledged
    ) {
      this.options.log.warn(context, 'interaction could not be answered');
      return;
    }
    let content: string;
    if (error instanceof DomainError) {
      const key: DiscordTextKey = (
        {
          not_found: 'errorNotFound',
          invalid: 'errorInvalid',
          conflict: 'errorConflict',
          forbidden: 'errorForbidden',
          unauthorized: 'errorForbidden',
          rate_limited: 'errorRateLimited',
          unavailable: 'errorGeneric',
        } as const
      )[error.kind];
      content = t(key, language, { detail: error.message });
      this.options.log.info({ ...context, kind: error.kind }, 'interaction refused');
    } else {
      content = t('errorGeneric', language);
      this.options.log.error(context, 'interaction failed');
    }
    await this.replyEphemeral(interaction, content).catch((replyError: unknown) =>
      this.options.log.warn({ ...context, replyError }, 'error reply not sent'),
    );
  }

  // ---- language ------------------------------------------------------------------------------

  /**
   * The member's language, the same one the core answers them in: what they write now, else the language
   * of their latest conversation (the core keeps it from what they wrote; Discord has no Arabic locale),
   * else their own Discord locale, else English. Read from the store, so that every instance and every
   * reply after a restart agrees; never from another member or the server.
   */
  private async languageOf(
    userId: string,
    locale: string | null | undefined,
    text?: string,
  ): Promise<string> {
    const detected = text?.trim() ? detectLanguage(text) : null;
    if (detected && detected.confidence >= 0.5) return detected.language;
    const contact = await this.core.store.contacts.findByIdentity(CHANNEL, userId);
    if (contact) {
      const [latest] = await this.core.store.conversations.list({
        contactId: contact.id,
        channel: CHANNEL,
        limit: 1,
      });
      if (latest?.language) return latest.language;
    }
    const own = locale ?? contact?.locale;
    return own ? baseLanguage(own) : 'en';
  }

  private guildLanguage(guild: Guild | null): string {
    return guild?.preferredLocale ? baseLanguage(guild.preferredLocale) : 'en';
  }

  // ---- commands ------------------------------------------------------------------------------

  private async registerCommands(client: Client): Promise<void> {
    const applicationId = client.application?.id ?? client.user?.id;
    if (!applicationId) throw new Error('READY carried no application id');
    const body = switchboardCommands();
    if (this.options.guildIds.length === 0) {
      await client.rest.put(Routes.applicationCommands(applicationId), { body });
      this.options.log.info({ commands: body.length }, 'Discord global commands registered');
      return;
    }
    for (const guildId of this.options.guildIds) {
      try {
        await client.rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body });
        this.options.log.info({ guildId, commands: body.length }, 'Discord guild commands registered');
      } catch (error) {
        // One server that removed the bot must not keep the others without commands.
        this.options.log.error({ err: error, guildId }, 'Discord guild commands not registered');
      }
    }
  }
}

function profileOf(user: User, locale: string | null): InboundMessage['contact'] {
  return {
    externalId: user.id,
    name: user.globalName ?? user.username,
    avatarUrl: user.displayAvatarURL(),
    ...(locale ? { locale } : {}),
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** Every button of the rows disabled. */
function disableRows(rows: ButtonRow[]): ButtonRow[] {
  return rows.map((row) => ({
    ...row,
    components: row.components.map((b) => ({ ...b, disabled: true })),
  }));
}

/** The message's button rows with the row holding `customId` disabled (the pressed button highlighted). */
function disableRow(interaction: ButtonInteraction, customId: string): ButtonRow[] {
  const rows = interaction.message.components.map((c) => c.toJSON()) as unknown as ButtonRow[];
  return rows
    .filter((row) => row.type === 1)
    .map((row) => {
      const pressed = row.components.some((b) => b.custom_id === customId);
      if (!pressed) return row;
      return {
        ...row,
        components: row.components.map((b) => ({
          ...b,
          disabled: true,
          ...(b.custom_id === customId ? { style: 3 } : {}),
        })),
      };
    });
}

function labelOf(interaction: ButtonInteraction, customId: string): string {
  const rows = interaction.message.components.map((c) => c.toJSON()) as unknown as ButtonRow[];
  for (const row of rows) {
    const button = row.components?.find((b) => b.custom_id === customId);
    if (button?.label) return button.label;
  }
  return '';
}

function voteRow(kase: Case, language: string): ButtonRow {
  return {
    type: 1,
    components: [
      {
        type: 2,
        style: 1,
        label: `${t('upvote', language)} (${kase.votes})`,
        custom_id: customIds.vote(kase.id),
        emoji: { name: '👍' },
      },
    ],
  };
}

/** Text-input values by custom id; fields Discord did not send read as empty. */
function modalValues(interaction: ModalSubmitInteraction): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [customId, field] of interaction.fields.fields) {
    if ('value' in field && typeof field.value === 'string') values[customId] = field.value;
  }
  return values;
}

/** The link that opens a message in Discord (app or browser). */
function casePostUrl(post: CasePost): string {
  return `https://discord.com/channels/${post.guildId}/${post.channelId}/${post.messageId}`;
}

/** A Discord id as a number, or null for ids of other kinds (messages sent by Switchboard have none). */
function snowflake(id: string | null): bigint | null {
  return id && /^\d{1,20}$/.test(id) ? BigInt(id) : null;
}
