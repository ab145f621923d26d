import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ApiApplicationCommand,
  ApiAttachment,
  ApiChannel,
  ApiMessage,
  ApiRole,
  ApiUser,
  JsonObject,
} from './api-objects.ts';
import { DiscordApiError } from './discord-api-error.ts';
import {
  type ChannelRecord,
  ChannelType,
  EmulatorState,
  type ForumTag,
  type GuildRecord,
  type InteractionRecord,
  type InteractionResponse,
  isThread,
  type MessageRecord,
  type ModalRecord,
  type UserRecord,
} from './emulator-state.ts';
import { type GatewayLogEntry, GatewayServer } from './gateway-server.ts';
import { findComponent, type UploadedFile } from './message-payload.ts';
import {
  DEFAULT_BOT_PERMISSIONS,
  hasPermission,
  Permission,
  type PermissionsInput,
  permissionBits,
} from './permissions.ts';
import { type GlobalWindow, RateLimiter, type RateLimitRule } from './rate-limiter.ts';
import { createRestRoutes, type RestRequest, type RestRoute } from './rest-routes.ts';

export interface DiscordEmulatorOptions {
  /** The bot token discord.js logs in with (without the `Bot ` prefix). */
  token: string;
  botUsername: string;
  heartbeatIntervalMs: number;
  /** Privileged intents switched on in the (emulated) developer portal; others close the gateway with 4014. */
  privilegedIntents: { guildMembers: boolean; guildPresences: boolean; messageContent: boolean };
  /** The first interaction callback must arrive within this window, else 10062 (3 s on Discord). */
  interactionResponseWindowMs: number;
  /** Follow-ups and edits work this long after the interaction (15 min on Discord). */
  interactionTokenLifetimeMs: number;
  /** Per-route bucket unless `setRateLimit` says otherwise; generous so ordinary tests never wait. */
  defaultRateLimit: RateLimitRule;
  /** Discord's global limit is 50 requests per second per bot. */
  globalRateLimit: RateLimitRule;
  /** Per-route rules from the start, by `"METHOD /template"` (e.g. `discordRouteRateLimits`); others take the default. */
  routeRateLimits: Readonly<Record<string, RateLimitRule>>;
  /** Events a session keeps for RESUME. */
  replayBufferSize: number;
  /** Gateway shards `GET /gateway/bot` recommends and IDENTIFY accepts; a guild's events go to its shard. */
  shards: number;
}

export const defaultDiscordEmulatorOptions: DiscordEmulatorOptions = {
  token: 'emulator.bot.token',
  botUsername: 'Switchboard',
  heartbeatIntervalMs: 41_250,
  privilegedIntents: { guildMembers: true, guildPresences: false, messageContent: true },
  interactionResponseWindowMs: 3_000,
  interactionTokenLifetimeMs: 15 * 60_000,
  defaultRateLimit: { limit: 50, windowMs: 1_000 },
  globalRateLimit: { limit: 50, windowMs: 1_000 },
  routeRateLimits: {},
  replayBufferSize: 1_000,
  shards: 1,
};

/** One REST request the emulator answered, for assertions such as "no 429 storm". */
export interface RecordedRequest {
  method: string;
  path: string;
  /** `"METHOD /template"`, e.g. `"POST /channels/:channel_id/messages"`; null for unknown routes. */
  route: string | null;
  status: number;
  at: number;
  body: unknown;
}

/** What tests hold for a guild, user or channel; ids are what matter. */
export type UserRef = string | { id: string };
export type GuildRef = string | { id: string };
export type ChannelRef = string | { id: string };
export type MessageRef = string | { id: string };

export interface EmulatedGuild {
  id: string;
  name: string;
  ownerId: string;
  everyoneRoleId: string;
  botRoleId: string;
  /** Channels created with the guild, by name. */
  channels: Record<string, ApiChannel>;
}

export interface ChannelWithOverwrites extends ApiChannel {
  overwrites: Array<{ id: string; type: 0 | 1; allow: bigint; deny: bigint }>;
}

/** What `invokeSlashCommand`, `clickButton` and `submitModal` return: the interaction to read answers of. */
export interface InteractionHandle {
  id: string;
  token: string;
  type: number;
}

export type SlashCommandOptions = Record<string, string | number | boolean>;

/**
 * A file a user attaches to a message: Discord's attachment object, of which only `filename` is required;
 * the emulator fills in the id, the size and the (fake) CDN `url` and `proxy_url` that it does not serve.
 */
export type AttachmentInput = Partial<ApiAttachment> & { filename: string };

/** What a user's message may carry besides its text. */
export interface UserMessageOptions {
  attachments?: AttachmentInput[];
}

/** A request that hangs on a held channel (`holdChannel`). */
export interface HeldRequest {
  route: string;
  /** False once the client gave up (closed the connection). */
  clientWaiting: boolean;
}

/** Options of `failNext`. */
export interface FailNextOptions {
  /** Requests on the route that pass untouched before the failures start ("fail the (skip+1)th next"). */
  skip?: number;
  /**
   * The request is carried out (the message is stored) and only the response is the failure, as when
   * Discord's edge times out after the write: a client that retries without a nonce posts twice.
   */
  afterStoring?: boolean;
}

const idOf = (ref: { id: string } | string): string => (typeof ref === 'string' ? ref : ref.id);
const API_PREFIX = '/api/v10';

/**
 * A Discord API emulator for end-to-end tests: REST under `/api/v10` and a gateway WebSocket on
 * 127.0.0.1, both driven by the real discord.js client; plus methods to act as Discord users and
 * read what the bot did.
 *
 * ```ts
 * const discord = await DiscordEmulator.start();
 * const client = new Client({ intents, rest: { api: `${discord.url}/api` } });
 * await client.login(discord.token);
 * ```
 */
export class DiscordEmulator {
  readonly options: DiscordEmulatorOptions;
  readonly #state: EmulatorState;
  readonly #gateway: GatewayServer;
  readonly #limiter: RateLimiter;
  readonly #routes: Array<RestRoute & { pattern: RegExp; names: string[] }>;
  readonly #server: Server;
  readonly #changes = new EventEmitter();
  readonly #requests: RecordedRequest[] = [];
  readonly #failures = new Map<
    string,
    { skip: number; remaining: number; status: number; afterStoring: boolean }
  >();
  /** While Discord's REST is down (`startOutage`): the status every request gets. */
  #outage: number | null = null;
  /** Channels whose requests hang (`holdChannel`), with the requests waiting on each. */
  readonly #held = new Map<string, Array<HeldRequest & { resume: () => void }>>();
  #port = 0;

  private constructor(options: DiscordEmulatorOptions) {
    this.options = options;
    this.#changes.setMaxListeners(0);
    this.#state = new EmulatorState(options.botUsername, () => this.url);
    this.#state.onChange = () => this.#changes.emit('change');
    this.#state.onMessageCreated = (message) => this.#changes.emit('message', message);
    const privileged =
      (options.privilegedIntents.guildMembers ? 1 << 1 : 0) |
      (options.privilegedIntents.guildPresences ? 1 << 8 : 0) |
      (options.privilegedIntents.messageContent ? 1 << 15 : 0);
    this.#gateway = new GatewayServer({
      token: options.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      allowedPrivilegedIntents: privileged,
      replayBufferSize: options.replayBufferSize,
      shards: options.shards,
      gatewayUrl: () => this.gatewayUrl,
      newSessionId: () => this.#state.ids.next(),
      onChange: () => this.#changes.emit('change'),
      readyPayload: (sessionId, intents, shard) => {
        const guilds = [...this.#state.guilds.values()].filter(
          (g) =>
            g.members.has(this.#state.botId) &&
            (shard === null || this.#gateway.shardOf('GUILD_CREATE', { id: g.id }) === shard),
        );
        return {
          ready: {
            v: 10,
            user: { ...this.#state.bot.user, verified: true, mfa_enabled: false, email: null },
            guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
            session_id: sessionId,
            session_type: 'normal',
            resume_gateway_url: this.gatewayUrl,
            shard: [shard ?? 0, shard === null ? 1 : options.shards],
            application: { id: this.#state.botId, flags: 0 },
            private_channels: [],
            presences: [],
            relationships: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            user_settings: {},
            auth: {},
          },
          // Without the Guilds intent Discord sends no GUILD_CREATE.
          guildCreates: intents & 1 ? guilds.map((g) => this.#state.toApiGuild(g, intents)) : [],
        };
      },
    });
    this.#state.dispatch = (event, build) => this.#gateway.dispatch(event, build);
    this.#limiter = new RateLimiter(options.defaultRateLimit, options.globalRateLimit);
    for (const [route, rule] of Object.entries(options.routeRateLimits))
      this.#limiter.setRouteLimit(route, rule);
    this.#routes = createRestRoutes({
      state: this.#state,
      gatewayUrl: () => this.gatewayUrl,
      baseUrl: () => this.url,
      shards: options.shards,
      interactionResponseWindowMs: options.interactionResponseWindowMs,
      interactionTokenLifetimeMs: options.interactionTokenLifetimeMs,
    }).map((route) => compileRoute(route));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 0, message: `500: ${String(error)}` }));
      });
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/gateway' || path === '/gateway/') this.#gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** Starts an emulator on 127.0.0.1 with a random port. */
  static async start(options: Partial<DiscordEmulatorOptions> = {}): Promise<DiscordEmulator> {
    const emulator = new DiscordEmulator({ ...defaultDiscordEmulatorOptions, ...options });
    await new Promise<void>((resolve, reject) => {
      emulator.#server.once('error', reject);
      emulator.#server.listen(0, '127.0.0.1', () => resolve());
    });
    emulator.#port = (emulator.#server.address() as AddressInfo).port;
    return emulator;
  }

  /** Closes the gateway sockets and the HTTP server (including discord.js's keep-alive connections). */
  async close(): Promise<void> {
    for (const channel of [...this.#held.keys()]) this.releaseChannel(channel);
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#changes.removeAllListeners();
  }

  /** `http://127.0.0.1:port`; give discord.js `rest: { api: \`${url}/api\` }`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  get token(): string {
    return this.options.token;
  }

  get botUser(): ApiUser {
    return this.#state.bot.user;
  }

  /** The application id (the bot user's id, as on Discord). */
  get applicationId(): string {
    return this.#state.botId;
  }

  // ---- world building ------------------------------------------------------------------------

  createUser(
    input: { username?: string; dmsClosed?: boolean; locale?: string; bot?: boolean } = {},
  ): ApiUser {
    return this.#state.createUser(input).user;
  }

  /** Lets a user accept or refuse DMs from the bot (50007 when refused). */
  setDmsClosed(user: UserRef, closed: boolean): void {
    this.#user(user).dmsClosed = closed;
  }

  /**
   * Creates a guild the bot is in (Discord announces it with GUILD_CREATE), with an owner, the bot's
   * managed role holding `botPermissions`, and text/category/announcement channels by name.
   */
  createGuild(
    input: {
      name?: string;
      owner?: UserRef;
      botPermissions?: PermissionsInput;
      everyonePermissions?: PermissionsInput;
      preferredLocale?: string;
      features?: string[];
      textChannels?: string[];
      announcementChannels?: string[];
      categories?: string[];
      /** Forum channels by name, each with the tags members can give posts. */
      forumChannels?: Array<{ name: string; tags?: string[] }>;
    } = {},
  ): EmulatedGuild {
    const owner = input.owner ? this.#user(input.owner) : this.#state.createUser({ username: 'guild-owner' });
    const guild = this.#state.createGuild({
      name: input.name ?? 'Emulated Guild',
      ownerId: owner.user.id,
      botPermissions: permissionBits(input.botPermissions ?? DEFAULT_BOT_PERMISSIONS),
      ...(input.everyonePermissions !== undefined
        ? { everyonePermissions: permissionBits(input.everyonePermissions) }
        : {}),
      ...(input.preferredLocale !== undefined ? { preferredLocale: input.preferredLocale } : {}),
      ...(input.features !== undefined ? { features: input.features } : {}),
    });
    // Channels exist before the bot sees the guild, so they arrive inside GUILD_CREATE.
    const channels: Record<string, ApiChannel> = {};
    const quiet = this.#state.dispatch;
    this.#state.dispatch = () => {};
    try {
      for (const name of input.categories ?? []) {
        channels[name] = this.#state.toApiChannel(
          this.#state.createChannel({ type: ChannelType.GuildCategory, guildId: guild.id, name }),
        );
      }
      for (const name of input.textChannels ?? ['general']) {
        channels[name] = this.#state.toApiChannel(
          this.#state.createChannel({ type: ChannelType.GuildText, guildId: guild.id, name }),
        );
      }
      for (const name of input.announcementChannels ?? []) {
        channels[name] = this.#state.toApiChannel(
          this.#state.createChannel({ type: ChannelType.GuildAnnouncement, guildId: guild.id, name }),
        );
      }
      for (const forum of input.forumChannels ?? []) {
        channels[forum.name] = this.#state.toApiChannel(
          this.#state.createChannel({
            type: ChannelType.GuildForum,
            guildId: guild.id,
            name: forum.name,
            availableTags: (forum.tags ?? []).map((name) => this.#newTag(name)),
          }),
        );
      }
    } finally {
      this.#state.dispatch = quiet;
    }
    this.#state.dispatch('GUILD_CREATE', (intents) =>
      intents & 1 ? this.#state.toApiGuild(guild, intents) : null,
    );
    this.#state.onChange();
    return {
      id: guild.id,
      name: guild.name,
      ownerId: guild.ownerId,
      everyoneRoleId: guild.id,
      botRoleId: guild.botRoleId,
      channels,
    };
  }

  /** Sets what the bot's managed role may do in a guild (e.g. take Manage Channels away to see 50013). */
  setBotPermissions(guild: GuildRef, permissions: PermissionsInput): void {
    const record = this.#guild(guild);
    this.#state.updateRolePermissions(record, record.botRoleId, permissionBits(permissions));
  }

  createRole(
    guild: GuildRef,
    input: { name: string; permissions?: PermissionsInput },
  ): { id: string; name: string } {
    const role = this.#state.createRole(this.#guild(guild), {
      name: input.name,
      permissions: permissionBits(input.permissions ?? 0n),
    });
    return { id: role.id, name: role.name };
  }

  /** Adds a user to a guild (GUILD_MEMBER_ADD with the Guild Members intent). */
  addMember(
    guild: GuildRef,
    user: UserRef,
    input: { roles?: string[]; nick?: string; joinedAt?: string; premiumSince?: string | null } = {},
  ): void {
    this.#state.addMember(
      this.#guild(guild),
      this.#user(user).user.id,
      input.roles ?? [],
      input.nick ?? null,
      {
        ...(input.joinedAt !== undefined ? { joinedAt: input.joinedAt } : {}),
        ...(input.premiumSince !== undefined ? { premiumSince: input.premiumSince } : {}),
      },
    );
  }

  /** Changes a member's roles or boost (GUILD_MEMBER_UPDATE with the Guild Members intent); 10007 if not a member. */
  updateMember(
    guild: GuildRef,
    user: UserRef,
    change: { roles?: string[]; premiumSince?: string | null },
  ): void {
    this.#state.updateMember(this.#guild(guild), this.#user(user).user.id, change);
  }

  /** Creates a guild channel as an admin would in the Discord client (CHANNEL_CREATE to the bot). */
  createChannel(
    guild: GuildRef,
    input: { name: string; type?: number; parentId?: string; topic?: string },
  ): ApiChannel {
    const record = this.#state.createChannel({
      type: input.type ?? ChannelType.GuildText,
      guildId: this.#guild(guild).id,
      name: input.name,
      ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
      ...(input.topic !== undefined ? { topic: input.topic } : {}),
    });
    return this.#state.toApiChannel(record);
  }

  #newTag(name: string): ForumTag {
    return { id: this.#state.ids.next(), name, moderated: false, emoji_id: null, emoji_name: null };
  }

  /** Lowers (or restores) how many active threads a server may have before Discord answers 160006. */
  setMaxActiveThreads(limit: number): void {
    this.#state.maxActiveThreads = limit;
  }

  /** A moderator archives (and optionally locks) a thread in the Discord client (THREAD_UPDATE). */
  setThreadState(thread: ChannelRef, change: { archived?: boolean; locked?: boolean }): void {
    const record = this.#channel(thread);
    if (!isThread(record.type)) throw new Error(`${record.id} is not a thread`);
    if (change.archived !== undefined) record.archived = change.archived;
    if (change.locked !== undefined) record.locked = change.locked;
    this.#state.channelUpdated(record);
  }

  /** A forum's tags by name (the ids posts carry in `applied_tags`). */
  forumTags(forum: ChannelRef): ForumTag[] {
    return this.#channel(forum).availableTags.map((tag) => ({ ...tag }));
  }

  /** The names of the tags a forum post carries. */
  postTags(post: ChannelRef): string[] {
    const thread = this.#channel(post);
    const forum = this.#channel(thread.parentId ?? '');
    return thread.appliedTags.flatMap((id) => forum.availableTags.find((t) => t.id === id)?.name ?? []);
  }

  // ---- acting as users -----------------------------------------------------------------------

  /**
   * A member opens a post in a forum: THREAD_CREATE (a public thread owned by them, with the tags chosen)
   * then MESSAGE_CREATE of its first message, whose id is the thread's, as on Discord.
   */
  createForumPost(
    user: UserRef,
    forum: ChannelRef,
    input: { title: string; content: string; tags?: string[] },
  ): { thread: ApiChannel; message: ApiMessage } {
    const author = this.#user(user);
    const parent = this.#channel(forum);
    if (parent.type !== ChannelType.GuildForum) throw new Error(`${parent.id} is not a forum`);
    const guild = this.#guild(parent.guildId ?? '');
    if (!guild.members.has(author.user.id))
      throw new Error(`user ${author.user.id} is not a member of ${guild.id}`);
    if (
      !hasPermission(
        this.#state.permissionsOf(guild, author.user.id, parent),
        Permission.ViewChannel | Permission.SendMessages,
      )
    )
      throw new Error(`user ${author.user.id} cannot post in ${parent.id}`);
    const tags = (input.tags ?? []).map((name) => {
      const tag = parent.availableTags.find((t) => t.name === name);
      if (!tag) throw new Error(`forum ${parent.id} has no tag ${name}`);
      return tag.id;
    });
    const thread = this.#state.createChannel({
      type: ChannelType.PublicThread,
      guildId: guild.id,
      name: input.title,
      parentId: parent.id,
      ownerId: author.user.id,
      appliedTags: tags,
    });
    thread.threadMembers.add(author.user.id);
    const message = this.#state.createMessage(thread, {
      id: thread.id,
      authorId: author.user.id,
      content: input.content,
    });
    return { thread: this.#state.toApiChannel(thread), message: message.data };
  }

  /**
   * A user writes to the bot in DMs: MESSAGE_CREATE over the gateway (Direct Messages intent), optionally
   * with files (`{ attachments: [{ filename: 'screenshot.png', content_type: 'image/png' }] }`).
   */
  sendDm(user: UserRef, content: string, options: UserMessageOptions = {}): ApiMessage {
    const record = this.#user(user);
    const channel = this.#state.dmChannelWith(record.user.id);
    const attachments = this.#attachments(channel.id, content, options);
    return this.#state.createMessage(channel, { authorId: record.user.id, content, attachments }).data;
  }

  /** A user writes in a guild channel or thread (they must be a member who can send there). */
  sendGuildMessage(
    user: UserRef,
    channel: ChannelRef,
    content: string,
    options: UserMessageOptions = {},
  ): ApiMessage {
    const author = this.#user(user);
    const target = this.#channel(channel);
    const guild = this.#guild(target.guildId ?? '');
    if (!guild.members.has(author.user.id))
      throw new Error(`user ${author.user.id} is not a member of ${guild.id}`);
    const perms = this.#state.permissionsOf(guild, author.user.id, target);
    const send = isThread(target.type) ? Permission.SendMessagesInThreads : Permission.SendMessages;
    if (!hasPermission(perms, Permission.ViewChannel | send)) {
      throw new Error(`user ${author.user.id} cannot send messages in ${target.id}`);
    }
    if (target.type === ChannelType.PrivateThread && !target.threadMembers.has(author.user.id)) {
      throw new Error(`user ${author.user.id} is not a member of private thread ${target.id}`);
    }
    if (isThread(target.type) && target.locked && !hasPermission(perms, Permission.ManageThreads))
      throw new Error(`thread ${target.id} is locked`);
    if (isThread(target.type) && target.archived) {
      // A member writing in an archived (unlocked) thread reopens it, as on Discord.
      target.archived = false;
      this.#state.channelUpdated(target);
    }
    const attachments = this.#attachments(target.id, content, options);
    return this.#state.createMessage(target, { authorId: author.user.id, content, attachments }).data;
  }

  /**
   * Calls `listener` with every message created from now on, by users or the bot (for benchmarks, which
   * must not poll); returns the function that stops it.
   */
  onMessage(listener: (message: ApiMessage) => void): () => void {
    this.#changes.on('message', listener);
    return () => this.#changes.off('message', listener);
  }

  /**
   * A user runs a registered slash command: INTERACTION_CREATE type 2. `name` may carry a
   * subcommand (`"case open"`); `options` are values by option name, typed from the registration.
   */
  invokeSlashCommand(
    user: UserRef,
    guild: GuildRef | null,
    channel: ChannelRef,
    name: string,
    options: SlashCommandOptions = {},
    locale?: string,
  ): InteractionHandle {
    const invoker = this.#user(user);
    const target = this.#channel(channel);
    const guildRecord = guild === null ? null : this.#guild(guild);
    const [commandName = '', ...path] = name.split(' ');
    const command = this.#findCommand(commandName, guildRecord);
    if (!command)
      throw new Error(`no slash command "${commandName}" is registered for ${guildRecord?.id ?? 'DMs'}`);
    const { options: apiOptions, resolved } = this.#buildOptions(command, path, options);
    const data: JsonObject = {
      id: command.id,
      name: command.name,
      type: command.type,
      ...(apiOptions.length > 0 ? { options: apiOptions } : {}),
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
      ...(resolved ? { resolved } : {}),
    };
    return this.#interact(2, invoker, guildRecord, target, data, locale, null);
  }

  /**
   * A user types in an option of a registered slash command: INTERACTION_CREATE type 4, the option
   * being typed marked `focused`. Answered with callback 8 (choices) only.
   */
  invokeAutocomplete(
    user: UserRef,
    guild: GuildRef | null,
    channel: ChannelRef,
    name: string,
    focused: { name: string; value: string },
    locale?: string,
  ): InteractionHandle {
    const invoker = this.#user(user);
    const target = this.#channel(channel);
    const guildRecord = guild === null ? null : this.#guild(guild);
    const command = this.#findCommand(name, guildRecord);
    if (!command) throw new Error(`no slash command "${name}" is registered for ${guildRecord?.id ?? 'DMs'}`);
    const data: JsonObject = {
      id: command.id,
      name: command.name,
      type: command.type,
      options: [{ name: focused.name, type: 3, value: focused.value, focused: true }],
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    };
    return this.#interact(4, invoker, guildRecord, target, data, locale, null);
  }

  /**
   * Any INTERACTION_CREATE as Discord would send it (`type` and `data` as given, nothing checked against
   * registrations), for what the bot did not register or does not know: a stale command, a context menu.
   */
  invokeInteraction(
    user: UserRef,
    guild: GuildRef | null,
    channel: ChannelRef,
    type: number,
    data: JsonObject,
    locale?: string,
  ): InteractionHandle {
    const guildRecord = guild === null ? null : this.#guild(guild);
    return this.#interact(type, this.#user(user), guildRecord, this.#channel(channel), data, locale, null);
  }

  /** A user clicks a button on a message the bot sent: INTERACTION_CREATE type 3. */
  clickButton(user: UserRef, message: MessageRef, customId: string, locale?: string): InteractionHandle {
    const invoker = this.#user(user);
    const record = this.#message(message);
    const button = findComponent(record.data.components, customId);
    if (button?.type !== 2) throw new Error(`message ${record.data.id} has no button "${customId}"`);
    if (button.disabled === true) throw new Error(`button "${customId}" is disabled`);
    if (record.ephemeral) {
      const owner = record.interactionId
        ? this.#state.interactions.get(record.interactionId)?.userId
        : undefined;
      if (owner !== invoker.user.id) throw new Error('only the interaction user sees this ephemeral message');
    }
    const target = this.#channel(record.data.channel_id);
    const guild = target.guildId ? this.#guild(target.guildId) : null;
    const data: JsonObject = { custom_id: customId, component_type: 2 };
    return this.#interact(3, invoker, guild, target, data, locale, record);
  }

  /**
   * A user submits a modal the bot showed them (callback type 9): INTERACTION_CREATE type 5.
   * `fields` are text-input values by custom id.
   */
  submitModal(
    user: UserRef,
    customId: string,
    fields: Record<string, string>,
    locale?: string,
  ): InteractionHandle {
    const invoker = this.#user(user);
    const key = `${invoker.user.id}:${customId}`;
    const shown = this.#state.modals.get(key);
    if (!shown) throw new Error(`no modal "${customId}" was shown to user ${invoker.user.id}`);
    const components = submittedComponents(shown.modal, fields);
    this.#state.modals.delete(key);
    const origin = shown.interaction;
    const target = this.#channel(origin.channelId);
    const guild = origin.guildId ? this.#guild(origin.guildId) : null;
    const source = origin.sourceMessageId ? (this.#state.messages.get(origin.sourceMessageId) ?? null) : null;
    return this.#interact(5, invoker, guild, target, { custom_id: customId, components }, locale, source);
  }

  // ---- readers -------------------------------------------------------------------------------

  /** Messages in a channel, oldest first; ephemeral interaction replies only when asked for. */
  messagesIn(channel: ChannelRef, options: { includeEphemeral?: boolean } = {}): ApiMessage[] {
    return this.#state
      .channelMessageRecords(idOf(channel), options.includeEphemeral ?? false)
      .map((m) => m.data);
  }

  /** Both directions of the DM between the bot and a user, oldest first. */
  dmMessages(user: UserRef): ApiMessage[] {
    const userId = idOf(user);
    for (const channel of this.#state.channels.values()) {
      if (channel.type === ChannelType.DM && channel.recipientIds.includes(userId))
        return this.messagesIn(channel.id);
    }
    return [];
  }

  /** A message by id as it is now (edits applied); undefined once deleted. */
  message(messageId: string): ApiMessage | undefined {
    const record = this.#state.messages.get(messageId);
    return record && !record.deleted ? record.data : undefined;
  }

  /** The bytes of a file the bot uploaded, by its attachment's URL. */
  uploaded(url: string): Buffer | undefined {
    return this.#state.uploads.get(url);
  }

  /** What the bot did with an interaction: callback, edits of the original, follow-ups, in order. */
  interactionResponses(interaction: InteractionHandle | string): InteractionResponse[] {
    return [...(this.#state.interactions.get(idOf(interaction))?.responses ?? [])];
  }

  /** The modal the bot showed a user with this custom id, until it is submitted. */
  shownModal(user: UserRef, customId: string): ModalRecord | undefined {
    return this.#state.modals.get(`${idOf(user)}:${customId}`)?.modal;
  }

  /** Global commands, or a guild's commands, as registered (with localizations). */
  registeredCommands(guild?: GuildRef): ApiApplicationCommand[] {
    const store =
      guild === undefined ? this.#state.globalCommands : this.#state.guildCommands.get(idOf(guild));
    return [...(store?.values() ?? [])];
  }

  /** A guild's channels in position order, with permission overwrites as bigints. */
  channelsOf(guild: GuildRef): ChannelWithOverwrites[] {
    return this.#state.guildChannels(idOf(guild)).map((c) => this.#withOverwrites(c));
  }

  /** Any channel (guild channel, thread, DM) by id. */
  channel(channel: ChannelRef): ChannelWithOverwrites | undefined {
    const record = this.#state.channels.get(idOf(channel));
    return record ? this.#withOverwrites(record) : undefined;
  }

  /** Threads under a parent channel. */
  threadsOf(channel: ChannelRef): Array<ApiChannel & { memberIds: string[] }> {
    const parentId = idOf(channel);
    return [...this.#state.channels.values()]
      .filter((c) => isThread(c.type) && c.parentId === parentId)
      .map((c) => ({ ...this.#state.toApiChannel(c), memberIds: [...c.threadMembers] }));
  }

  /** Effective permissions of a user (or the bot) in a guild or channel. */
  permissionsOf(guild: GuildRef, user: UserRef, channel?: ChannelRef): bigint {
    const record = this.#guild(guild);
    const target = channel === undefined ? undefined : this.#channel(channel);
    return this.#state.permissionsOf(record, idOf(user), target);
  }

  /** Every REST request answered so far (method, path, route template, status). */
  requests(filter: { route?: string; status?: number } = {}): RecordedRequest[] {
    return this.#requests.filter(
      (r) =>
        (filter.route === undefined || r.route === filter.route) &&
        (filter.status === undefined || r.status === filter.status),
    );
  }

  /** Gateway traffic in both directions (opcodes, event names, sequence numbers). */
  gatewayLog(): GatewayLogEntry[] {
    return [...this.#gateway.log];
  }

  get openGatewayConnections(): number {
    return this.#gateway.openConnections;
  }

  /**
   * Resolves with the first truthy value `probe` returns, re-checking on every emulator change
   * (and every 25 ms for state outside the emulator, such as the client's); rejects after `timeoutMs`.
   */
  waitFor<T>(
    probe: () => T | undefined | null | false,
    timeoutMs = 5_000,
    description = 'condition',
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const check = () => {
        if (settled) return;
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`waitFor: ${description} not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(check, 25);
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.#changes.off('change', check);
      };
      this.#changes.on('change', check);
      check();
    });
  }

  /**
   * The bot's global rate-limit windows so far, oldest first: each opened by the first request after the
   * previous one ran out, with the number of requests it let through (for benchmarks of how much of the
   * global limit a client uses).
   */
  globalRateLimitWindows(): GlobalWindow[] {
    return this.#limiter.globalWindows(`Bot ${this.options.token}`);
  }

  // ---- fault injection -----------------------------------------------------------------------

  /** Sets a route's rate limit, e.g. `setRateLimit('POST /channels/:channel_id/messages', { limit: 2, windowMs: 500 })`. */
  setRateLimit(route: string, rule: RateLimitRule | null): void {
    this.#limiter.setRouteLimit(route, rule);
  }

  setGlobalRateLimit(rule: RateLimitRule): void {
    this.#limiter.setGlobalLimit(rule);
  }

  /** The next `count` requests on a route get a 429 the headers did not announce (scope `shared` by default). */
  rateLimitNext(
    route: string,
    count: number,
    retryAfterMs: number,
    scope: 'user' | 'shared' | 'global' = 'shared',
  ): void {
    this.#limiter.forceRateLimit(route, count, retryAfterMs, scope);
  }

  /**
   * The next `count` requests on a route fail with `status` (500 by default) before doing anything.
   * With `{ skip: n }` the next n requests pass first, so a test can break, say, the second part of a
   * split message without racing the first one. With `{ afterStoring: true }` the request takes effect
   * and only its response fails ("stored, then 500").
   */
  failNext(route: string, count: number, status = 500, options: FailNextOptions = {}): void {
    const skip = options.skip ?? 0;
    if (!Number.isInteger(skip) || skip < 0)
      throw new Error(`failNext: skip must be a whole number, not ${skip}`);
    this.#failures.set(route, {
      skip,
      remaining: count,
      status,
      afterStoring: options.afterStoring ?? false,
    });
  }

  /**
   * Discord's REST is down: every request is answered `status` (503 by default) without taking effect,
   * until `endOutage()`. The gateway stays up, so members' messages keep arriving, as in Discord's REST
   * incidents.
   */
  startOutage(status = 503): void {
    this.#outage = status;
  }

  endOutage(): void {
    this.#outage = null;
  }

  /**
   * Requests on one channel (their `channel_id`) hang: no answer until `releaseChannel`. Released requests
   * are then carried out, even those whose client gave up meanwhile (their message is stored, as when
   * Discord's edge stalled after the write), so only a nonce keeps a retry from posting twice.
   */
  holdChannel(channel: ChannelRef): void {
    if (!this.#held.has(idOf(channel))) this.#held.set(idOf(channel), []);
  }

  releaseChannel(channel: ChannelRef): void {
    const waiting = this.#held.get(idOf(channel)) ?? [];
    this.#held.delete(idOf(channel));
    for (const request of waiting) request.resume();
  }

  /**
   * The requests hanging on a held channel now, oldest first, each with its route (e.g. `"POST
   * /channels/:channel_id/messages"`) and whether its client still waits (false once it gave up).
   */
  heldRequests(channel: ChannelRef): HeldRequest[] {
    return (this.#held.get(idOf(channel)) ?? []).map(({ route, clientWaiting }) => ({
      route,
      clientWaiting,
    }));
  }

  /**
   * Drops the gateway connection. Without a code it is a network failure (the client resumes);
   * with 1000 discord.js starts a new session instead.
   */
  dropGatewayConnection(code?: number): void {
    this.#gateway.dropConnections(code);
  }

  /** Sends op 9 Invalid Session; `resumable: false` forgets the session (the client identifies again). */
  invalidateSession(resumable = false): void {
    this.#gateway.invalidateSessions(resumable);
  }

  /**
   * Delivers a message's MESSAGE_CREATE again, the same event under a new sequence number, as Discord
   * sometimes does; returns the sequence numbers of the copies. Throws when no session was sent it.
   */
  redeliverMessage(message: MessageRef): number[] {
    const id = idOf(message);
    const before = this.#gateway.log.length;
    const sent = this.#gateway.redeliver(
      (p) => p.t === 'MESSAGE_CREATE' && (p.d as { id?: unknown } | null)?.id === id,
    );
    if (sent === 0) throw new Error(`no gateway session was sent message ${id}`);
    return this.#gateway.log
      .slice(before)
      .filter((e) => e.t === 'MESSAGE_CREATE' && e.s !== null)
      .map((e) => e.s as number);
  }

  /** Sends op 7 Reconnect. */
  requestReconnect(): void {
    this.#gateway.requestReconnect();
  }

  /** Sends op 1; the client must heartbeat at once. */
  requestHeartbeat(): void {
    this.#gateway.requestHeartbeat();
  }

  /** Makes an interaction's token unusable, as if its time ran out (10062 on callback). */
  expireInteraction(interaction: InteractionHandle | string): void {
    const record = this.#state.interactions.get(idOf(interaction));
    if (record) record.expired = true;
  }

  // ---- internals -----------------------------------------------------------------------------

  #user(ref: UserRef): UserRecord {
    const user = this.#state.users.get(idOf(ref));
    if (!user) throw new Error(`unknown user ${idOf(ref)}`);
    return user;
  }

  #guild(ref: GuildRef): GuildRecord {
    const guild = this.#state.guilds.get(idOf(ref));
    if (!guild) throw new Error(`unknown guild ${idOf(ref)}`);
    return guild;
  }

  #channel(ref: ChannelRef): ChannelRecord {
    const channel = this.#state.channels.get(idOf(ref));
    if (!channel) throw new Error(`unknown channel ${idOf(ref)}`);
    return channel;
  }

  #message(ref: MessageRef): MessageRecord {
    const record = this.#state.messages.get(idOf(ref));
    if (!record || record.deleted) throw new Error(`unknown message ${idOf(ref)}`);
    return record;
  }

  /** Attachment objects as Discord sends them; like Discord, a message needs text or a file. */
  #attachments(channelId: string, content: string, options: UserMessageOptions): ApiAttachment[] {
    const attachments = (options.attachments ?? []).map((input): ApiAttachment => {
      const id = input.id ?? this.#state.ids.next();
      const url =
        input.url ?? `${this.url}/attachments/${channelId}/${id}/${encodeURIComponent(input.filename)}`;
      return {
        ...input,
        id,
        filename: input.filename,
        size: input.size ?? 1024,
        url,
        proxy_url: input.proxy_url ?? url.replace(this.url, `${this.url}/media`),
      };
    });
    if (content === '' && attachments.length === 0) {
      throw new Error('a message needs content or an attachment (Discord has no empty messages)');
    }
    return attachments;
  }

  #withOverwrites(channel: ChannelRecord): ChannelWithOverwrites {
    return {
      ...this.#state.toApiChannel(channel),
      overwrites: channel.overwrites.map((o) => ({ ...o })),
    };
  }

  #findCommand(name: string, guild: GuildRecord | null): ApiApplicationCommand | undefined {
    const isChatInput = (c: ApiApplicationCommand) => c.name === name && c.type === 1;
    if (guild) {
      const own = [...(this.#state.guildCommands.get(guild.id)?.values() ?? [])].find(isChatInput);
      if (own) return own;
      return [...this.#state.globalCommands.values()].find(isChatInput);
    }
    // In DMs only global commands that allow the bot-DM context are offered.
    return [...this.#state.globalCommands.values()].find(
      (c) =>
        isChatInput(c) &&
        c.dm_permission !== false &&
        (c.contexts === null || c.contexts?.includes(1) !== false),
    );
  }

  #buildOptions(
    command: ApiApplicationCommand,
    path: string[],
    values: SlashCommandOptions,
  ): { options: JsonObject[]; resolved: JsonObject | null } {
    let definitions = (command.options ?? []) as JsonObject[];
    const wrappers: JsonObject[] = [];
    for (const part of path) {
      const sub = definitions.find((d) => d.name === part && (d.type === 1 || d.type === 2));
      if (!sub) throw new Error(`command "${command.name}" has no subcommand "${part}"`);
      wrappers.push({ name: part, type: sub.type });
      definitions = (sub.options ?? []) as JsonObject[];
    }
    const users: Record<string, ApiUser> = {};
    const channels: Record<string, ApiChannel> = {};
    const roles: Record<string, ApiRole> = {};
    const leaf: JsonObject[] = [];
    for (const [name, value] of Object.entries(values)) {
      const definition = definitions.find((d) => d.name === name);
      if (!definition) throw new Error(`command "${command.name}" has no option "${name}"`);
      const type = Number(definition.type);
      leaf.push({ name, type, value });
      if (type === 6) users[String(value)] = this.#user(String(value)).user;
      if (type === 7) channels[String(value)] = this.#state.toApiChannel(this.#channel(String(value)));
      if (type === 8) {
        const role = [...this.#state.guilds.values()]
          .map((g) => g.roles.get(String(value)))
          .find((r) => r !== undefined);
        if (!role) throw new Error(`unknown role ${String(value)}`);
        roles[String(value)] = this.#state.toApiRole(role);
      }
    }
    for (const definition of definitions) {
      if (definition.required === true && !(String(definition.name) in values)) {
        throw new Error(`option "${String(definition.name)}" is required`);
      }
    }
    let options = leaf;
    for (const wrapper of wrappers.reverse()) options = [{ ...wrapper, options }];
    const resolved =
      Object.keys(users).length + Object.keys(channels).length + Object.keys(roles).length > 0
        ? {
            ...(Object.keys(users).length ? { users } : {}),
            ...(Object.keys(channels).length ? { channels } : {}),
            ...(Object.keys(roles).length ? { roles } : {}),
          }
        : null;
    return { options, resolved };
  }

  #interact(
    type: number,
    invoker: UserRecord,
    guild: GuildRecord | null,
    channel: ChannelRecord,
    data: JsonObject,
    locale: string | undefined,
    source: MessageRecord | null,
  ): InteractionHandle {
    const state = this.#state;
    if (guild && !guild.members.has(invoker.user.id)) {
      throw new Error(`user ${invoker.user.id} is not a member of guild ${guild.id}`);
    }
    const record: InteractionRecord = state.registerInteraction({
      type,
      userId: invoker.user.id,
      guildId: guild?.id ?? null,
      channelId: channel.id,
      sourceMessageId: source?.data.id ?? null,
      build: (id, token) => {
        const appPermissions = guild ? state.permissionsOf(guild, state.botId, channel) : DM_APP_PERMISSIONS;
        const payload: JsonObject = {
          id,
          application_id: state.botId,
          type,
          data,
          channel: state.toApiChannel(channel),
          channel_id: channel.id,
          token,
          version: 1,
          app_permissions: appPermissions.toString(),
          locale: locale ?? invoker.locale,
          entitlements: [],
          authorizing_integration_owners: { '0': guild?.id ?? '0' },
          context: guild ? 0 : 1,
          attachment_size_limit: 10_485_760,
        };
        if (guild) {
          const member = guild.members.get(invoker.user.id);
          payload.guild_id = guild.id;
          payload.guild = { id: guild.id, locale: guild.preferredLocale, features: guild.features };
          payload.guild_locale = guild.preferredLocale;
          if (member) {
            payload.member = {
              ...state.toApiMember(guild, member),
              permissions: state.permissionsOf(guild, invoker.user.id, channel).toString(),
            };
          }
        } else {
          payload.user = invoker.user;
        }
        if (source) payload.message = source.data;
        return payload;
      },
    });
    state.dispatch('INTERACTION_CREATE', () => record.payload);
    state.onChange();
    return { id: record.id, token: record.token, type };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const entry: RecordedRequest = {
      method,
      path: url.pathname,
      route: null,
      status: 0,
      at: Date.now(),
      body: null,
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      this.#requests.push(entry);
      if (status === 204 || body === undefined) {
        res.writeHead(status, headers);
        res.end();
      } else {
        res.writeHead(status, { ...headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }
      this.#changes.emit('change');
    };

    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      send(404, DiscordApiError.notFound().toBody());
      return;
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const candidates = this.#routes.filter((r) => r.pattern.test(path));
    // Literal segments win over parameters (`/users/@me` over `/users/:user_id`), as in any router.
    const route = candidates
      .filter((r) => r.method === method)
      .sort((a, b) => a.names.length - b.names.length)[0];
    if (!route) {
      send(
        candidates.length > 0 ? 405 : 404,
        (candidates.length > 0 ? DiscordApiError.methodNotAllowed() : DiscordApiError.notFound()).toBody(),
      );
      return;
    }
    const key = `${method} ${route.template}`;
    entry.route = key;
    const params = matchParams(route, path);

    if (this.#outage !== null) {
      send(this.#outage, { code: 0, message: `${this.#outage}: Service Unavailable` });
      return;
    }
    const held = params.channel_id === undefined ? undefined : this.#held.get(params.channel_id);
    if (held) {
      await new Promise<void>((resume) => {
        const request = { route: key, clientWaiting: true, resume };
        res.once('close', () => {
          request.clientWaiting = false;
          this.#changes.emit('change');
        });
        held.push(request);
        this.#changes.emit('change');
      });
      entry.at = Date.now();
    }

    const failure = this.#failures.get(key);
    let failAfter: number | null = null;
    if (failure && failure.skip > 0) failure.skip -= 1;
    else if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      if (failure.remaining === 0) this.#failures.delete(key);
      if (failure.afterStoring) failAfter = failure.status;
      else {
        send(failure.status, { code: 0, message: `${failure.status}: Internal Server Error` });
        return;
      }
    }

    if (route.auth && req.headers.authorization !== `Bot ${this.options.token}`) {
      send(401, DiscordApiError.unauthorized().toBody());
      return;
    }

    // Discord buckets per major parameter: channel, guild, or webhook/interaction and token.
    const major =
      params.channel_id ??
      params.guild_id ??
      (params.interaction_token
        ? `${params.interaction_id ?? params.application_id}:${params.interaction_token}`
        : '');
    // The global limit is the bot's (its token), whichever connection or process the request comes from.
    const decision = this.#limiter.check(
      key,
      major,
      route.exemptFromGlobal,
      Date.now(),
      req.headers.authorization ?? '',
    );
    if (!decision.allowed) {
      send(
        429,
        { message: 'You are being rate limited.', retry_after: decision.retryAfter, global: decision.global },
        decision.headers,
      );
      return;
    }

    let body: unknown = null;
    let files: UploadedFile[] = [];
    try {
      ({ body, files } = await parseBody(raw, req.headers['content-type'] ?? ''));
    } catch {
      send(400, DiscordApiError.invalidJson().toBody(), decision.headers);
      return;
    }
    entry.body = body;
    const request: RestRequest = { method, params, query: url.searchParams, body, files };
    try {
      const result = route.handle(request);
      if (failAfter !== null && result.status < 300)
        send(failAfter, { code: 0, message: `${failAfter}: Internal Server Error` });
      else send(result.status, result.body, decision.headers);
    } catch (error) {
      if (error instanceof DiscordApiError) {
        send(error.status, error.toBody(), decision.headers);
        return;
      }
      throw error;
    }
  }
}

/** What a bot may do in its DM with a user. */
const DM_APP_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.AddReactions;

function compileRoute(route: RestRoute): RestRoute & { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = route.template
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), names };
}

function matchParams(route: { pattern: RegExp; names: string[] }, path: string): Record<string, string> {
  const match = route.pattern.exec(path);
  const params: Record<string, string> = {};
  route.names.forEach((name, i) => {
    const value = match?.[i + 1];
    if (value !== undefined) params[name] = decodeURIComponent(value);
  });
  return params;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON bodies, and multipart bodies (discord.js uploads files with `payload_json` + `files[n]`). */
async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: null, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://127.0.0.1/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    const files: UploadedFile[] = [];
    let body: unknown = {};
    const parts: [string, FormDataEntryValue][] = [];
    form.forEach((value, field) => {
      parts.push([field, value]);
    });
    for (const [field, value] of parts) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        const data = Buffer.from(await value.arrayBuffer());
        files.push({ field, filename: value.name, size: value.size, contentType: value.type, data });
      }
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

/** The modal's text inputs, filled with `fields`, in the shape Discord submits them. */
function submittedComponents(modal: ModalRecord, fields: Record<string, string>): JsonObject[] {
  const used = new Set<string>();
  const fill = (input: JsonObject): JsonObject => {
    const customId = String(input.custom_id);
    const value = fields[customId] ?? '';
    if (input.required !== false && value === '') throw new Error(`modal field "${customId}" is required`);
    if (typeof input.max_length === 'number' && value.length > input.max_length) {
      throw new Error(`modal field "${customId}" is longer than ${input.max_length}`);
    }
    used.add(customId);
    return { type: 4, custom_id: customId, value };
  };
  const components = modal.components.map((component) => {
    if (component.type === 1 && Array.isArray(component.components)) {
      return {
        type: 1,
        components: (component.components as JsonObject[]).filter((c) => c.type === 4).map(fill),
      };
    }
    if (component.type === 18 && typeof component.component === 'object' && component.component !== null) {
      return { type: 18, component: fill(component.component as JsonObject) };
    }
    return { type: component.type };
  });
  for (const key of Object.keys(fields)) {
    if (!used.has(key)) throw new Error(`modal "${modal.customId}" has no text input "${key}"`);
  }
  return components;
}
