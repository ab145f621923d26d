import {
  type APIChannel,
  type APIMessage,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  Options,
  Partials,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js';
import { z } from 'zod';
import type { ContactCenter } from '../../core/contact-center.ts';
import { ContactService } from '../../core/contacts/contact-service.ts';
import type { OutboundMessage } from '../../core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import { catchUp } from './catch-up.ts';
import { switchboardCommands } from './discord-commands.ts';
import { ANNOUNCEMENT_CHANNEL, CHANNEL, type DiscordContext } from './discord-context.ts';
import { DiscordDelivery } from './discord-delivery.ts';
import { toConnectorError } from './discord-errors.ts';
import { DiscordSetup, loadGuildSetup, type SetupReport } from './discord-setup.ts';
import { t } from './discord-texts.ts';
import {
  type GatewayLeaseOptions,
  GatewayLeases,
  instanceOwner,
  type ShardHealth,
} from './gateway-leases.ts';
import { onButton } from './handlers/buttons.ts';
import { onDirectMessage } from './handlers/direct-messages.ts';
import { onModalSubmit } from './handlers/modals.ts';
import { onSlashCommand } from './handlers/slash-commands.ts';
import { onThreadMessage } from './handlers/thread-messages.ts';
import { logUnsupported, replyEphemeral, replyError } from './interaction-replies.ts';
import { DiscordMemberContexts, type MemberContextsOptions } from './member-contexts.ts';
import { memberLanguage } from './member-language.ts';
import { PendingReplies } from './pending-replies.ts';
import type { SharedRestLimiter } from './shared-rest-limiter.ts';
import { SupportThreads } from './support-threads.ts';

export { deliveryNonce } from './discord-context.ts';

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
  /** How long a member fetched for a DM (their roles) is kept before it is fetched again. */
  memberContexts: Partial<MemberContextsOptions>;
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
  memberContexts: {},
};

/** The connector's health, with each gateway shard's state (`standby`: another instance holds it). */
/** A server the bot is in, as the desktop's server list shows it. */
export interface DiscordServer {
  id: string;
  name: string;
  memberCount: number | null;
  /** Whether `/setup` has been run in this server (its official channels are stored). */
  setUp: boolean;
}

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

/**
 * The Discord channel: slash commands (`/helpme`, `/agent`, `/bug`, `/new_feature`), the virtual agent and
 * live agents in DMs (or a private thread when a member's DMs are closed), buttons, bug reports and feature
 * requests with upvotes, and a DM to the reporter when their case's status changes.
 */
export class DiscordConnector implements ChannelConnector {
  readonly channel = CHANNEL;
  /** Bug reports' and feature requests' status changes reach their reporter in a DM. */
  readonly notices = true;
  readonly casePosts = true;
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
  private unsubscribe: (() => void) | null = null;
  /** What the handlers share (see DiscordContext). */
  private readonly ctx: DiscordContext;
  private readonly delivery: DiscordDelivery;
  /** Each member's messages still being handled, so that the next one waits its turn. */
  private readonly handling = new Map<string, Promise<void>>();
  /** The running catch-up after a new gateway session; the next one waits for it. */
  private catchingUp: Promise<void> = Promise.resolve();
  /**
   * For each new session whose catch-up has not yet read where to start: the ids of the messages that arrived
   * live meanwhile. They came after the gap, so they must not mark where the gap ends.
   */
  private readonly arrivedLive = new Set<Set<string>>();
  private readonly pendingReplies = new PendingReplies();

  constructor(
    private readonly core: DiscordCore,
    options: Partial<DiscordConnectorOptions> = {},
  ) {
    this.options = { ...defaultDiscordConnectorOptions, ...options };
    this.owner = this.options.instanceName || instanceOwner();
    const shared: Omit<DiscordContext, 'threads'> = {
      core,
      options: this.options,
      members: new DiscordMemberContexts(this.options.log, this.options.memberContexts),
      contacts: new ContactService(core.store, core.clock),
      pendingReplies: this.pendingReplies,
      inbound: () => this.onInbound,
      client: () => this.client,
      rest: () => this.rest(),
      languageOf: (userId, locale, text) => memberLanguage(core.store, userId, locale, text),
      setupGuild: (guildId) => this.setupGuild(guildId),
    };
    this.ctx = { ...shared, threads: new SupportThreads(shared) };
    this.delivery = new DiscordDelivery(this.ctx);
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
        .then(() =>
          this.guard('catch-up', () =>
            catchUp(this.ctx, client, live, (message) =>
              this.inOrder(message.author.id, () => this.guard('message', () => this.onMessage(message))),
            ),
          ),
        )
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

  send(message: OutboundMessage): Promise<SendResult> {
    return this.delivery.send(message);
  }

  /** REST through the connector's own client: it works on every instance, with or without a gateway session. */
  private rest() {
    const client = this.restClient;
    if (!client?.token) throw new ConnectorError('the Discord connector is not connected', true);
    return client.rest;
  }

  // ---- inbound: one handler per message source and interaction kind (see handlers/) ----------

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
    if (!message.guildId) await onDirectMessage(this.ctx, message);
    else if (message.channel.isThread()) await onThreadMessage(this.ctx, message);
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    const log = this.options.log;
    if (interaction.isAutocomplete()) {
      // No command offers suggestions; an empty list tells Discord so instead of a "loading options failed".
      logUnsupported(log, interaction, interaction.commandName);
      await interaction.respond([]);
      return;
    }
    if (!interaction.isRepliable()) {
      logUnsupported(log, interaction, null);
      return;
    }
    const language = () => this.ctx.languageOf(interaction.user.id, interaction.locale);
    try {
      if (interaction.isChatInputCommand()) await onSlashCommand(this.ctx, interaction);
      else if (interaction.isButton()) await onButton(this.ctx, interaction);
      else if (interaction.isModalSubmit()) await onModalSubmit(this.ctx, interaction);
      else {
        // A context-menu command, a select menu: nothing Switchboard registered or sends.
        logUnsupported(log, interaction, interaction.isCommand() ? interaction.commandName : null);
        await replyEphemeral(interaction, t('errorNotSupported', await language()));
      }
    } catch (error) {
      await replyError(log, interaction, error, await language().catch(() => 'en'));
    }
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
    return (await this.serverDetails()).map(({ id, name }) => ({ id, name }));
  }

  /**
   * The servers the bot is in, by name, with their member count (Discord's, null when it gave none) and
   * whether `/setup` was run there (its channels are stored for that server).
   */
  async serverDetails(): Promise<DiscordServer[]> {
    let guilds: { id: string; name: string; memberCount: number | null }[] = [
      ...(this.client?.guilds.cache.values() ?? []),
    ].map((g) => ({ id: g.id, name: g.name, memberCount: g.memberCount ?? null }));
    // An instance without the gateway session has no cache: Discord lists the bot's servers over REST.
    if (!this.gateway && this.restClient)
      guilds = z
        .array(
          z.object({
            id: z.string(),
            name: z.string(),
            approximate_member_count: z.number().int().optional(),
          }),
        )
        .parse(
          await this.rest().get(Routes.userGuilds(), { query: new URLSearchParams({ with_counts: 'true' }) }),
        )
        .map((g) => ({ id: g.id, name: g.name, memberCount: g.approximate_member_count ?? null }));
    const wanted = new Set(this.options.guildIds);
    const servers: DiscordServer[] = [];
    for (const g of guilds.filter((g) => wanted.size === 0 || wanted.has(g.id)))
      servers.push({ ...g, setUp: (await loadGuildSetup(this.core.store.settings, g.id)) !== null });
    return servers.sort((a, b) => a.name.localeCompare(b.name));
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
