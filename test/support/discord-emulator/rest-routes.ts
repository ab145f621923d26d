import type { ApiApplicationCommand, ApiMessage, JsonObject } from './api-objects.ts';
import { validateCommand, validateCommands } from './command-validation.ts';
import { DiscordApiError, FormErrors } from './discord-api-error.ts';
import {
  type ChannelRecord,
  ChannelType,
  type EmulatorState,
  type ForumTag,
  GatewayIntent,
  type GuildRecord,
  type InteractionRecord,
  type InteractionResponse,
  isTextBased,
  isThread,
  MessageFlag,
  type MessageRecord,
} from './emulator-state.ts';
import {
  attachmentsFor,
  type MessagePayload,
  parseMessagePayload,
  type UploadedFile,
} from './message-payload.ts';
import { hasPermission, type OverwriteLike, Permission } from './permissions.ts';
import { snowflakeTimestamp } from './snowflake.ts';

/** How long Discord remembers an enforced nonce ("the past few minutes"). */
const NONCE_WINDOW_MS = 5 * 60_000;

export interface RestRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

export interface RestResult {
  status: number;
  body?: unknown;
}

export interface RestRoute {
  method: string;
  /** Discord-style template, e.g. `/channels/:channel_id/messages`; also the rate-limit and hook key. */
  template: string;
  /** Interaction callbacks and webhook-token routes are called without the bot token. */
  auth: boolean;
  /** Interaction endpoints are not subject to the global rate limit. */
  exemptFromGlobal: boolean;
  handle: (request: RestRequest) => RestResult;
}

export interface RestRouteContext {
  state: EmulatorState;
  gatewayUrl: () => string;
  baseUrl: () => string;
  /** The shard count `GET /gateway/bot` recommends. */
  shards: number;
  interactionResponseWindowMs: number;
  interactionTokenLifetimeMs: number;
}

const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

const InteractionType = {
  ApplicationCommand: 2,
  MessageComponent: 3,
  Autocomplete: 4,
  ModalSubmit: 5,
} as const;

const ok = (body: unknown, status = 200): RestResult => ({ status, body });
const noContent: RestResult = { status: 204 };

/** Every REST route the emulator serves under `/api/v10`. */
export function createRestRoutes(ctx: RestRouteContext): RestRoute[] {
  const { state } = ctx;
  const routes: RestRoute[] = [];
  const add = (
    method: string,
    template: string,
    handle: (request: RestRequest) => RestResult,
    options: { auth?: boolean; exemptFromGlobal?: boolean } = {},
  ) => {
    routes.push({
      method,
      template,
      handle,
      auth: options.auth ?? true,
      exemptFromGlobal: options.exemptFromGlobal ?? false,
    });
  };
  const param = (request: RestRequest, name: string): string => request.params[name] ?? '';

  // ---- gateway, users, application -----------------------------------------------------------

  add('GET', '/gateway', () => ok({ url: ctx.gatewayUrl() }), { auth: false });
  add('GET', '/gateway/bot', () =>
    ok({
      url: ctx.gatewayUrl(),
      shards: ctx.shards,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    }),
  );
  add('GET', '/users/@me', () => ok(state.bot.user));
  // The bot's servers as partial guilds, as Discord lists them (one page is enough here).
  add('GET', '/users/@me/guilds', () =>
    ok(
      [...state.guilds.values()]
        .filter((g) => g.members.has(state.botId))
        .map((g) => ({
          id: g.id,
          name: g.name,
          icon: null,
          owner: false,
          permissions: '0',
          features: g.features,
        })),
    ),
  );
  add('GET', '/users/:user_id', (r) => ok(state.userOr404(param(r, 'user_id')).user));
  add('GET', '/applications/@me', () =>
    ok({
      id: state.botId,
      name: state.bot.user.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      flags: 0,
      verify_key: '0'.repeat(64),
      owner: state.bot.user,
      team: null,
    }),
  );

  add('POST', '/users/@me/channels', (r) => {
    const body = asObject(r.body);
    if (typeof body.recipient_id !== 'string') {
      const errors = new FormErrors();
      errors.add(['recipient_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      errors.throwIfAny();
    }
    const user = state.userOr404(String(body.recipient_id));
    return ok(state.toApiChannel(state.dmChannelWith(user.user.id)));
  });

  // ---- channels ------------------------------------------------------------------------------

  add('GET', '/channels/:channel_id', (r) =>
    ok(state.toApiChannel(state.botChannelOr404(param(r, 'channel_id')))),
  );

  add('PATCH', '/channels/:channel_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    if (!channel.guildId) throw DiscordApiError.cannotExecuteOnChannelType();
    const guild = state.guildOr404(channel.guildId);
    const body = asObject(r.body);
    const perms = state.permissionsOf(guild, state.botId, channel);
    if (isThread(channel.type)) {
      const isOwner = channel.ownerId === state.botId;
      const manages = hasPermission(perms, Permission.ManageThreads);
      if (!manages && !(isOwner && !('locked' in body) && !('applied_tags' in body))) {
        throw DiscordApiError.missingPermissions();
      }
      // An archived thread takes only its unarchiving (with other changes, in the same request).
      if (channel.archived && body.archived !== false) throw DiscordApiError.threadArchived();
      if (channel.locked && !manages) throw DiscordApiError.threadLocked();
      if (body.applied_tags !== undefined)
        channel.appliedTags = parseAppliedTags(state, channel, body.applied_tags);
      if (typeof body.name === 'string') channel.name = body.name;
      if (typeof body.archived === 'boolean') channel.archived = body.archived;
      if (typeof body.locked === 'boolean') channel.locked = body.locked;
      if (typeof body.invitable === 'boolean') channel.invitable = body.invitable;
      if (typeof body.auto_archive_duration === 'number')
        channel.autoArchiveDuration = body.auto_archive_duration;
      state.channelUpdated(channel);
      return ok(state.toApiChannel(channel));
    }
    if (!hasPermission(perms, Permission.ManageChannels)) throw DiscordApiError.missingPermissions();
    const errors = new FormErrors();
    if (body.name !== undefined) validateChannelName(errors, body.name);
    const tags =
      body.available_tags !== undefined && channel.type === ChannelType.GuildForum
        ? parseAvailableTags(state, errors, body.available_tags)
        : null;
    if (
      body.topic !== undefined &&
      body.topic !== null &&
      (typeof body.topic !== 'string' || body.topic.length > 1024)
    ) {
      errors.add(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
    }
    if (body.parent_id !== undefined && body.parent_id !== null)
      validateParent(errors, state, guild, body.parent_id);
    if (body.type !== undefined) {
      const allowed =
        channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
      if (!allowed || (body.type !== ChannelType.GuildText && body.type !== ChannelType.GuildAnnouncement)) {
        errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 5}.');
      } else if (body.type === ChannelType.GuildAnnouncement && !guild.features.includes('NEWS')) {
        errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0}.');
      }
    }
    const overwrites =
      body.permission_overwrites !== undefined ? parseOverwrites(errors, body.permission_overwrites) : null;
    errors.throwIfAny();
    if (overwrites) requireCanGrant(state, guild, channel, overwrites);
    if (typeof body.name === 'string') channel.name = normalizeChannelName(body.name, channel.type);
    if (body.topic !== undefined) channel.topic = typeof body.topic === 'string' ? body.topic : null;
    if (body.parent_id !== undefined)
      channel.parentId = typeof body.parent_id === 'string' ? body.parent_id : null;
    if (typeof body.position === 'number') channel.position = body.position;
    if (typeof body.type === 'number') channel.type = body.type;
    if (overwrites) channel.overwrites = overwrites;
    if (tags) channel.availableTags = tags;
    state.channelUpdated(channel);
    return ok(state.toApiChannel(channel));
  });

  add('DELETE', '/channels/:channel_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    if (!channel.guildId) throw DiscordApiError.cannotExecuteOnChannelType();
    const guild = state.guildOr404(channel.guildId);
    const needed = isThread(channel.type) ? Permission.ManageThreads : Permission.ManageChannels;
    if (!hasPermission(state.permissionsOf(guild, state.botId, channel), needed))
      throw DiscordApiError.missingPermissions();
    state.channels.delete(channel.id);
    const event = isThread(channel.type) ? 'THREAD_DELETE' : 'CHANNEL_DELETE';
    const data = state.toApiChannel(channel);
    state.dispatch(event, (intents) => (intents & GatewayIntent.Guilds ? { ...data } : null));
    state.onChange();
    return ok(data);
  });

  add('PUT', '/channels/:channel_id/permissions/:overwrite_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    if (!channel.guildId || isThread(channel.type)) throw DiscordApiError.cannotExecuteOnChannelType();
    const guild = state.guildOr404(channel.guildId);
    if (!hasPermission(state.permissionsOf(guild, state.botId, channel), Permission.ManageRoles)) {
      throw DiscordApiError.missingPermissions();
    }
    const body = asObject(r.body);
    const id = param(r, 'overwrite_id');
    const errors = new FormErrors();
    const [overwrite] = parseOverwrites(errors, [{ ...body, id }]);
    errors.throwIfAny();
    if (!overwrite) throw DiscordApiError.invalidFormBody({});
    if (overwrite.type === 0 && !guild.roles.has(id))
      throw DiscordApiError.invalidFormBody({
        id: { _errors: [{ code: 'UNKNOWN_ROLE', message: 'Unknown role' }] },
      });
    if (overwrite.type === 1 && !guild.members.has(id)) throw DiscordApiError.unknownMember();
    requireCanGrant(state, guild, channel, [overwrite]);
    channel.overwrites = [...channel.overwrites.filter((o) => o.id !== id), overwrite];
    state.channelUpdated(channel);
    return noContent;
  });

  add('DELETE', '/channels/:channel_id/permissions/:overwrite_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    if (!channel.guildId) throw DiscordApiError.cannotExecuteOnChannelType();
    const guild = state.guildOr404(channel.guildId);
    if (!hasPermission(state.permissionsOf(guild, state.botId, channel), Permission.ManageRoles)) {
      throw DiscordApiError.missingPermissions();
    }
    channel.overwrites = channel.overwrites.filter((o) => o.id !== param(r, 'overwrite_id'));
    state.channelUpdated(channel);
    return noContent;
  });

  add('POST', '/channels/:channel_id/typing', (r) => {
    state.botChannelOr404(param(r, 'channel_id'));
    return noContent;
  });

  // ---- messages ------------------------------------------------------------------------------

  add('GET', '/channels/:channel_id/messages', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    state.requireBotPermissions(channel, Permission.ReadMessageHistory);
    const limit = Math.min(100, Math.max(1, Number(r.query.get('limit') ?? 50)));
    const before = r.query.get('before');
    const after = r.query.get('after');
    let list = state.channelMessageRecords(channel.id).map((m) => m.data);
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    // Newest first, as Discord returns them.
    list = after ? list.slice(0, limit) : list.slice(-limit);
    return ok(list.reverse());
  });

  add('GET', '/channels/:channel_id/messages/:message_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    state.requireBotPermissions(channel, Permission.ReadMessageHistory);
    const record = state.messageOr404(channel.id, param(r, 'message_id'));
    if (record.ephemeral) throw DiscordApiError.unknownMessage();
    return ok(record.data);
  });

  add('POST', '/channels/:channel_id/messages', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    const payload = parseMessagePayload(r.body, r.files, { allowEphemeral: false, requireSomething: true });
    requireCanSend(state, channel, payload);
    if (payload.enforceNonce && payload.nonce !== undefined) {
      // As Discord: the same nonce from the same author in the same channel, a few minutes apart, is one message.
      const since = Date.now() - NONCE_WINDOW_MS;
      const existing = state
        .channelMessageRecords(channel.id)
        .find(
          (m) =>
            m.data.author.id === state.botId &&
            m.data.nonce !== undefined &&
            String(m.data.nonce) === String(payload.nonce) &&
            snowflakeTimestamp(m.data.id) >= since,
        );
      if (existing) return ok(existing.data);
    }
    const reference = resolveReference(state, channel, payload.messageReference);
    if (channel.type === ChannelType.PrivateThread) addMentionedRoles(state, channel, r.body, payload);
    const record = state.createMessage(channel, {
      ...botMessage(state, payload, channel.id, ctx.baseUrl()),
      flags: payload.flags ?? 0,
      type: reference ? 19 : 0,
      ...(payload.nonce !== undefined ? { nonce: payload.nonce } : {}),
      ...(reference ? { messageReference: reference } : {}),
    });
    return ok(record.data);
  });

  add('PATCH', '/channels/:channel_id/messages/:message_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    const record = state.messageOr404(channel.id, param(r, 'message_id'));
    if (record.ephemeral) throw DiscordApiError.unknownMessage();
    const payload = parseMessagePayload(r.body, r.files, { allowEphemeral: false, requireSomething: false });
    if (record.data.author.id !== state.botId) {
      // Others' messages: only the suppress-embeds flag may change, with Manage Messages.
      if (payload.content !== undefined || payload.embeds !== undefined || payload.components !== undefined) {
        throw DiscordApiError.cannotEditOtherUsersMessage();
      }
      state.requireBotPermissions(channel, Permission.ManageMessages);
    }
    applyEdit(state, record, payload);
    return ok(record.data);
  });

  add('DELETE', '/channels/:channel_id/messages/:message_id', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    const record = state.messageOr404(channel.id, param(r, 'message_id'));
    if (record.ephemeral) throw DiscordApiError.unknownMessage();
    if (record.data.author.id !== state.botId) {
      if (channel.type === ChannelType.DM) throw DiscordApiError.cannotEditOtherUsersMessage();
      state.requireBotPermissions(channel, Permission.ManageMessages);
    }
    state.deleteMessage(record);
    return noContent;
  });

  add('POST', '/channels/:channel_id/messages/:message_id/crosspost', (r) => {
    const channel = state.botChannelOr404(param(r, 'channel_id'));
    if (channel.type !== ChannelType.GuildAnnouncement) throw DiscordApiError.cannotExecuteOnChannelType();
    const record = state.messageOr404(channel.id, param(r, 'message_id'));
    const own = record.data.author.id === state.botId;
    state.requireBotPermissions(channel, own ? Permission.SendMessages : Permission.ManageMessages);
    if (record.data.flags & MessageFlag.Crossposted) throw DiscordApiError.alreadyCrossposted();
    state.editMessage(record, { flags: record.data.flags | MessageFlag.Crossposted });
    // Publishing is not an edit on Discord.
    record.data.edited_timestamp = null;
    return ok(record.data);
  });

  // ---- threads -------------------------------------------------------------------------------

  add('POST', '/channels/:channel_id/threads', (r) => {
    const parent = state.botChannelOr404(param(r, 'channel_id'));
    if (parent.type === ChannelType.GuildForum) return ok(createForumPost(state, ctx, parent, r), 201);
    if (parent.type !== ChannelType.GuildText && parent.type !== ChannelType.GuildAnnouncement) {
      throw DiscordApiError.cannotExecuteOnChannelType();
    }
    const guild = state.guildOr404(parent.guildId ?? '');
    const body = asObject(r.body);
    const errors = new FormErrors();
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
      errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    const type = body.type ?? ChannelType.PrivateThread;
    const validTypes: unknown[] =
      parent.type === ChannelType.GuildAnnouncement
        ? [ChannelType.AnnouncementThread]
        : [ChannelType.PublicThread, ChannelType.PrivateThread];
    if (!validTypes.includes(type))
      errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {10, 11, 12}.');
    errors.throwIfAny();
    const needed =
      type === ChannelType.PrivateThread ? Permission.CreatePrivateThreads : Permission.CreatePublicThreads;
    state.requireBotPermissions(parent, needed);
    const thread = state.createChannel({
      type: Number(type),
      guildId: guild.id,
      name: String(body.name),
      parentId: parent.id,
      ownerId: state.botId,
      invitable: body.invitable !== false,
      ...(typeof body.auto_archive_duration === 'number'
        ? { autoArchiveDuration: body.auto_archive_duration }
        : {}),
    });
    thread.threadMembers.add(state.botId);
    return ok(state.toApiChannel(thread), 201);
  });

  const threadMember = (thread: ChannelRecord, userId: string) => ({
    id: thread.id,
    user_id: userId,
    join_timestamp: new Date().toISOString(),
    flags: 0,
  });

  add('GET', '/channels/:channel_id/thread-members', (r) => {
    const thread = state.botChannelOr404(param(r, 'channel_id'));
    if (!isThread(thread.type)) throw DiscordApiError.cannotExecuteOnChannelType();
    return ok([...thread.threadMembers].map((userId) => threadMember(thread, userId)));
  });

  add('GET', '/channels/:channel_id/thread-members/:user_id', (r) => {
    const thread = state.botChannelOr404(param(r, 'channel_id'));
    if (!isThread(thread.type)) throw DiscordApiError.cannotExecuteOnChannelType();
    const userId = param(r, 'user_id') === '@me' ? state.botId : param(r, 'user_id');
    if (!thread.threadMembers.has(userId)) throw DiscordApiError.unknownMember();
    return ok(threadMember(thread, userId));
  });

  add('PUT', '/channels/:channel_id/thread-members/:user_id', (r) => {
    const thread = state.botChannelOr404(param(r, 'channel_id'));
    if (!isThread(thread.type)) throw DiscordApiError.cannotExecuteOnChannelType();
    if (thread.archived) throw DiscordApiError.threadArchived();
    const guild = state.guildOr404(thread.guildId ?? '');
    const userId = param(r, 'user_id') === '@me' ? state.botId : param(r, 'user_id');
    if (!guild.members.has(userId)) throw DiscordApiError.unknownMember();
    if (userId !== state.botId) {
      state.requireBotPermissions(thread, Permission.SendMessagesInThreads);
      const canManage = hasPermission(
        state.permissionsOf(guild, state.botId, thread),
        Permission.ManageThreads,
      );
      if (
        thread.type === ChannelType.PrivateThread &&
        !thread.invitable &&
        !canManage &&
        thread.ownerId !== state.botId
      ) {
        throw DiscordApiError.missingPermissions();
      }
    }
    changeThreadMembers(state, thread, userId, 'add');
    return noContent;
  });

  add('DELETE', '/channels/:channel_id/thread-members/:user_id', (r) => {
    const thread = state.botChannelOr404(param(r, 'channel_id'));
    if (!isThread(thread.type)) throw DiscordApiError.cannotExecuteOnChannelType();
    const guild = state.guildOr404(thread.guildId ?? '');
    const userId = param(r, 'user_id') === '@me' ? state.botId : param(r, 'user_id');
    if (userId !== state.botId) {
      const canManage = hasPermission(
        state.permissionsOf(guild, state.botId, thread),
        Permission.ManageThreads,
      );
      if (!canManage && !(thread.type === ChannelType.PrivateThread && thread.ownerId === state.botId)) {
        throw DiscordApiError.missingPermissions();
      }
    }
    if (!thread.threadMembers.has(userId)) throw DiscordApiError.unknownMember();
    changeThreadMembers(state, thread, userId, 'remove');
    return noContent;
  });

  // ---- guilds --------------------------------------------------------------------------------

  add('GET', '/guilds/:guild_id', (r) => {
    const guild = state.botGuildOr403(param(r, 'guild_id'));
    const {
      channels: _c,
      members: _m,
      threads: _t,
      presences: _p,
      voice_states: _v,
      ...rest
    } = state.toApiGuild(guild, 0);
    return ok(rest);
  });

  add('GET', '/guilds/:guild_id/channels', (r) => {
    const guild = state.botGuildOr403(param(r, 'guild_id'));
    return ok(state.guildChannels(guild.id).map((c) => state.toApiChannel(c)));
  });

  add('POST', '/guilds/:guild_id/channels', (r) => {
    const guild = state.botGuildOr403(param(r, 'guild_id'));
    state.requireBotGuildPermissions(guild, Permission.ManageChannels);
    const body = asObject(r.body);
    const errors = new FormErrors();
    validateChannelName(errors, body.name);
    const type = body.type ?? ChannelType.GuildText;
    if (
      type !== ChannelType.GuildText &&
      type !== ChannelType.GuildCategory &&
      type !== ChannelType.GuildAnnouncement
    ) {
      errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 4, 5}.');
    } else if (type === ChannelType.GuildAnnouncement && !guild.features.includes('NEWS')) {
      errors.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 4}.');
    }
    if (body.parent_id !== undefined && body.parent_id !== null) {
      if (type === ChannelType.GuildCategory)
        errors.add(['parent_id'], 'CHANNEL_PARENT_INVALID', 'Categories cannot have subcategories');
      else validateParent(errors, state, guild, body.parent_id);
    }
    if (
      body.topic !== undefined &&
      body.topic !== null &&
      (typeof body.topic !== 'string' || body.topic.length > 1024)
    ) {
      errors.add(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
    }
    const overwrites =
      body.permission_overwrites !== undefined ? parseOverwrites(errors, body.permission_overwrites) : [];
    errors.throwIfAny();
    if (overwrites.length > 0) {
      state.requireBotGuildPermissions(guild, Permission.ManageRoles);
      requireCanGrant(state, guild, null, overwrites);
    }
    const channel = state.createChannel({
      type: Number(type),
      guildId: guild.id,
      name: normalizeChannelName(String(body.name), Number(type)),
      topic: typeof body.topic === 'string' ? body.topic : null,
      parentId: typeof body.parent_id === 'string' ? body.parent_id : null,
      overwrites,
      ...(typeof body.position === 'number' ? { position: body.position } : {}),
    });
    return ok(state.toApiChannel(channel), 201);
  });

  add('GET', '/guilds/:guild_id/members/:user_id', (r) => {
    const guild = state.botGuildOr403(param(r, 'guild_id'));
    const member = guild.members.get(param(r, 'user_id'));
    if (!member) throw DiscordApiError.unknownMember();
    return ok(state.toApiMember(guild, member));
  });

  add('GET', '/guilds/:guild_id/roles', (r) => {
    const guild = state.botGuildOr403(param(r, 'guild_id'));
    return ok([...guild.roles.values()].map((role) => state.toApiRole(role)));
  });

  // ---- application commands ------------------------------------------------------------------

  const commandStore = (r: RestRequest): Map<string, ApiApplicationCommand> => {
    if (param(r, 'application_id') !== state.botId) throw DiscordApiError.missingAccess();
    const guildId = r.params.guild_id;
    if (guildId === undefined) return state.globalCommands;
    state.botGuildOr403(guildId);
    let store = state.guildCommands.get(guildId);
    if (!store) {
      store = new Map();
      state.guildCommands.set(guildId, store);
    }
    return store;
  };
  const present = (r: RestRequest, command: ApiApplicationCommand): ApiApplicationCommand => {
    if (r.query.get('with_localizations') === 'true') return command;
    const { name_localizations: _n, description_localizations: _d, ...rest } = command;
    return rest;
  };
  const buildCommand = (
    input: Record<string, unknown>,
    guildId: string | undefined,
    existing: ApiApplicationCommand | undefined,
  ): ApiApplicationCommand => ({
    id: existing?.id ?? state.ids.next(),
    application_id: state.botId,
    ...(guildId ? { guild_id: guildId } : {}),
    type: typeof input.type === 'number' ? input.type : 1,
    name: String(input.name),
    name_localizations: (input.name_localizations as Record<string, string> | undefined) ?? null,
    description: typeof input.description === 'string' ? input.description : '',
    description_localizations:
      (input.description_localizations as Record<string, string> | undefined) ?? null,
    ...(Array.isArray(input.options) ? { options: input.options as JsonObject[] } : {}),
    default_member_permissions:
      input.default_member_permissions === undefined || input.default_member_permissions === null
        ? null
        : String(input.default_member_permissions),
    ...(typeof input.dm_permission === 'boolean' ? { dm_permission: input.dm_permission } : {}),
    contexts: Array.isArray(input.contexts) ? (input.contexts as number[]) : null,
    integration_types: Array.isArray(input.integration_types) ? (input.integration_types as number[]) : [0],
    nsfw: input.nsfw === true,
    version: state.ids.next(),
  });

  for (const base of ['/applications/:application_id', '/applications/:application_id/guilds/:guild_id']) {
    add('GET', `${base}/commands`, (r) => ok([...commandStore(r).values()].map((c) => present(r, c))));

    add('PUT', `${base}/commands`, (r) => {
      const store = commandStore(r);
      if (!Array.isArray(r.body)) {
        throw DiscordApiError.invalidFormBody({
          _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Could not interpret the value as a list.' }],
        });
      }
      validateCommands(r.body);
      const previous = new Map([...store.values()].map((c) => [`${c.type}:${c.name}`, c]));
      const next = (r.body as Array<Record<string, unknown>>).map((input) => {
        const type = typeof input.type === 'number' ? input.type : 1;
        return buildCommand(input, r.params.guild_id, previous.get(`${type}:${String(input.name)}`));
      });
      store.clear();
      for (const command of next) store.set(command.id, command);
      state.onChange();
      return ok(next);
    });

    add('POST', `${base}/commands`, (r) => {
      const store = commandStore(r);
      validateCommand(r.body);
      const input = asObject(r.body);
      const type = typeof input.type === 'number' ? input.type : 1;
      const existing = [...store.values()].find((c) => c.type === type && c.name === input.name);
      const command = buildCommand(input, r.params.guild_id, existing);
      store.set(command.id, command);
      state.onChange();
      return ok(command, existing ? 200 : 201);
    });

    add('GET', `${base}/commands/:command_id`, (r) => {
      const command = commandStore(r).get(param(r, 'command_id'));
      if (!command) throw DiscordApiError.unknownCommand();
      return ok(present(r, command));
    });

    add('PATCH', `${base}/commands/:command_id`, (r) => {
      const store = commandStore(r);
      const existing = store.get(param(r, 'command_id'));
      if (!existing) throw DiscordApiError.unknownCommand();
      const merged = { ...existing, ...asObject(r.body) };
      validateCommand(merged);
      const command = buildCommand(merged, r.params.guild_id, existing);
      store.set(command.id, command);
      state.onChange();
      return ok(command);
    });

    add('DELETE', `${base}/commands/:command_id`, (r) => {
      const store = commandStore(r);
      if (!store.delete(param(r, 'command_id'))) throw DiscordApiError.unknownCommand();
      state.onChange();
      return noContent;
    });
  }

  // ---- interactions --------------------------------------------------------------------------

  add(
    'POST',
    '/interactions/:interaction_id/:interaction_token/callback',
    (r) => {
      const interaction = state.interactions.get(param(r, 'interaction_id'));
      if (!interaction || interaction.token !== param(r, 'interaction_token'))
        throw DiscordApiError.unknownInteraction();
      if (interaction.acknowledged) throw DiscordApiError.alreadyAcknowledged();
      // The first answer must come within the response window (3 s on Discord).
      if (interaction.expired || Date.now() - interaction.createdAt > ctx.interactionResponseWindowMs) {
        interaction.expired = true;
        throw DiscordApiError.unknownInteraction();
      }
      const body = asObject(r.body);
      const type = body.type;
      const data = body.data;
      const response = respondToInteraction(ctx, interaction, type, data);
      interaction.acknowledged = true;
      interaction.callbackType = Number(type);
      interaction.responses.push(response);
      state.onChange();
      if (r.query.get('with_response') !== 'true') return noContent;
      const message = response.messageId ? state.messages.get(response.messageId)?.data : undefined;
      return ok({
        interaction: {
          id: interaction.id,
          type: interaction.type,
          response_message_id: response.messageId,
          response_message_loading: type === CallbackType.DeferredChannelMessageWithSource,
          response_message_ephemeral: response.ephemeral,
        },
        resource: { type, ...(message ? { message } : {}) },
      });
    },
    { auth: false, exemptFromGlobal: true },
  );

  const webhookInteraction = (r: RestRequest): InteractionRecord => {
    const interaction = state.interactionsByToken.get(param(r, 'interaction_token'));
    if (!interaction || param(r, 'application_id') !== state.botId) throw DiscordApiError.unknownWebhook();
    if (Date.now() - interaction.createdAt > ctx.interactionTokenLifetimeMs)
      throw DiscordApiError.invalidWebhookToken();
    // Until the interaction is answered there is no webhook to use.
    if (!interaction.acknowledged) throw DiscordApiError.unknownWebhook();
    return interaction;
  };
  const webhookMessage = (interaction: InteractionRecord, messageId: string): MessageRecord => {
    const id =
      messageId === '@original'
        ? (interaction.originalMessageId ??
          (isUpdate(interaction.callbackType) ? interaction.sourceMessageId : null))
        : messageId;
    const record = id ? state.messages.get(id) : undefined;
    if (!record || record.deleted) throw DiscordApiError.unknownMessage();
    if (messageId !== '@original' && record.interactionId !== interaction.id)
      throw DiscordApiError.unknownMessage();
    return record;
  };
  const hookOptions = { auth: false, exemptFromGlobal: true };

  add(
    'POST',
    '/webhooks/:application_id/:interaction_token',
    (r) => {
      const interaction = webhookInteraction(r);
      const payload = parseMessagePayload(r.body, r.files, { allowEphemeral: true, requireSomething: true });
      const channel = state.channelOr404(interaction.channelId);
      const record = state.createMessage(channel, {
        ...botMessage(state, payload, channel.id, ctx.baseUrl()),
        flags: payload.flags ?? 0,
        type: 0,
        webhookId: state.botId,
        interactionMetadata: interactionMetadata(state, interaction),
        interactionId: interaction.id,
      });
      interaction.responses.push(responseFrom('followup', null, record, null));
      state.onChange();
      return ok(record.data);
    },
    hookOptions,
  );

  add(
    'GET',
    '/webhooks/:application_id/:interaction_token/messages/:message_id',
    (r) => ok(webhookMessage(webhookInteraction(r), param(r, 'message_id')).data),
    hookOptions,
  );

  add(
    'PATCH',
    '/webhooks/:application_id/:interaction_token/messages/:message_id',
    (r) => {
      const interaction = webhookInteraction(r);
      const messageId = param(r, 'message_id');
      const record = webhookMessage(interaction, messageId);
      const payload = parseMessagePayload(r.body, r.files, {
        allowEphemeral: false,
        requireSomething: false,
      });
      applyEdit(state, record, payload);
      interaction.responses.push(
        responseFrom(messageId === '@original' ? 'original-edit' : 'followup-edit', null, record, null),
      );
      state.onChange();
      return ok(record.data);
    },
    hookOptions,
  );

  add(
    'DELETE',
    '/webhooks/:application_id/:interaction_token/messages/:message_id',
    (r) => {
      const interaction = webhookInteraction(r);
      const messageId = param(r, 'message_id');
      const record = webhookMessage(interaction, messageId);
      state.deleteMessage(record);
      interaction.responses.push(
        responseFrom(messageId === '@original' ? 'original-delete' : 'followup-delete', null, record, null),
      );
      state.onChange();
      return noContent;
    },
    hookOptions,
  );

  return routes;
}

// ---- helpers -----------------------------------------------------------------------------------

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isUpdate(callbackType: number | null): boolean {
  return callbackType === CallbackType.DeferredUpdateMessage || callbackType === CallbackType.UpdateMessage;
}

function validateChannelName(errors: FormErrors, name: unknown): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
    errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
}

/** Discord lower-cases text channel names and turns spaces into dashes. */
function normalizeChannelName(name: string, type: number): string {
  if (type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement) {
    return name.toLowerCase().trim().replace(/\s+/g, '-');
  }
  return name;
}

function validateParent(
  errors: FormErrors,
  state: EmulatorState,
  guild: GuildRecord,
  parentId: unknown,
): void {
  const parent = typeof parentId === 'string' ? state.channels.get(parentId) : undefined;
  if (!parent || parent.guildId !== guild.id || parent.type !== ChannelType.GuildCategory) {
    errors.add(['parent_id'], 'CHANNEL_PARENT_INVALID', 'Invalid parent channel');
  }
}

function parseOverwrites(errors: FormErrors, value: unknown): OverwriteLike[] {
  if (!Array.isArray(value)) {
    errors.add(['permission_overwrites'], 'BASE_TYPE_ARRAY', 'Could not interpret the value as a list.');
    return [];
  }
  return value.flatMap((item: unknown, i: number) => {
    const o = asObject(item);
    const path = ['permission_overwrites', i];
    const type = o.type === 'role' ? 0 : o.type === 'member' ? 1 : o.type;
    if (type !== 0 && type !== 1) {
      errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 1}.');
      return [];
    }
    const bits = (v: unknown, field: string): bigint => {
      if (v === undefined || v === null) return 0n;
      try {
        return BigInt(v as string | number);
      } catch {
        errors.add([...path, field], 'NUMBER_TYPE_COERCE', `Value "${String(v)}" is not int.`);
        return 0n;
      }
    };
    return [{ id: String(o.id), type, allow: bits(o.allow, 'allow'), deny: bits(o.deny, 'deny') }];
  });
}

/**
 * Discord refuses overwrites that allow or deny permissions the bot itself lacks (50013),
 * unless it is an administrator.
 */
function requireCanGrant(
  state: EmulatorState,
  guild: GuildRecord,
  channel: ChannelRecord | null,
  overwrites: OverwriteLike[],
): void {
  const bits = state.permissionsOf(guild, state.botId, channel ?? undefined);
  if (hasPermission(bits, Permission.Administrator)) return;
  for (const o of overwrites) {
    if (((o.allow | o.deny) & ~bits) !== 0n) throw DiscordApiError.missingPermissions();
  }
}

function requireCanSend(state: EmulatorState, channel: ChannelRecord, payload: MessagePayload): void {
  // A forum takes posts (threads), not messages.
  if (channel.type === ChannelType.GuildForum) throw DiscordApiError.cannotSendInForumChannel();
  if (!isTextBased(channel.type)) throw DiscordApiError.cannotSendInNonTextChannel();
  if (channel.type === ChannelType.DM) {
    const otherId = channel.recipientIds.find((id) => id !== state.botId);
    const other = otherId ? state.users.get(otherId) : undefined;
    // Users who closed their DMs (or other bots) cannot be messaged.
    if (!other || other.dmsClosed || other.user.bot) throw DiscordApiError.cannotMessageUser();
    return;
  }
  const send = isThread(channel.type) ? Permission.SendMessagesInThreads : Permission.SendMessages;
  state.requireBotPermissions(channel, send);
  if (payload.files.length > 0) state.requireBotPermissions(channel, Permission.AttachFiles);
  if (isThread(channel.type) && channel.locked) {
    // Only thread managers may write in a locked thread (and so unarchive it).
    const guild = state.guildOr404(channel.guildId ?? '');
    if (!hasPermission(state.permissionsOf(guild, state.botId, channel), Permission.ManageThreads))
      throw channel.archived ? DiscordApiError.threadArchived() : DiscordApiError.threadLocked();
  }
  if (isThread(channel.type) && channel.archived) {
    // Sending to an archived, unlocked thread unarchives it.
    channel.archived = false;
    state.channelUpdated(channel);
  }
}

function resolveReference(
  state: EmulatorState,
  channel: ChannelRecord,
  reference: JsonObject | undefined,
): JsonObject | undefined {
  if (!reference) return undefined;
  const messageId = typeof reference.message_id === 'string' ? reference.message_id : '';
  const target = state.messages.get(messageId);
  if (!target || target.deleted || target.data.channel_id !== channel.id) {
    if (reference.fail_if_not_exists === false) return undefined;
    throw DiscordApiError.invalidFormBody({
      message_reference: {
        _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }],
      },
    });
  }
  return {
    type: 0,
    message_id: messageId,
    channel_id: channel.id,
    ...(channel.guildId ? { guild_id: channel.guildId } : {}),
  };
}

/** A bot message's own parts from its payload: text, embeds, components and the files uploaded with it. */
function botMessage(state: EmulatorState, payload: MessagePayload, channelId: string, baseUrl: string) {
  return {
    authorId: state.botId,
    content: payload.content ?? '',
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    attachments: attachmentsFor(payload.files, channelId, () => state.ids.next(), baseUrl, state.uploads),
  };
}

function applyEdit(state: EmulatorState, record: MessageRecord, payload: MessagePayload): void {
  const patch: { content?: string; embeds?: JsonObject[]; components?: JsonObject[]; flags?: number } = {};
  if (payload.content !== undefined) patch.content = payload.content;
  if (payload.embeds !== undefined) patch.embeds = payload.embeds;
  if (payload.components !== undefined) patch.components = payload.components;
  // Editing a deferred reply replaces the "thinking" placeholder; ephemerality never changes.
  let flags = record.data.flags & ~MessageFlag.Loading;
  if (payload.flags !== undefined) {
    flags = (flags & (MessageFlag.Ephemeral | MessageFlag.Crossposted)) | payload.flags;
  }
  patch.flags = flags;
  if (payload.files.length > 0) {
    record.data.attachments = [
      ...record.data.attachments,
      ...attachmentsFor(
        payload.files,
        record.data.channel_id,
        () => state.ids.next(),
        state.baseUrl(),
        state.uploads,
      ),
    ];
  }
  state.editMessage(record, patch);
}

function changeThreadMembers(
  state: EmulatorState,
  thread: ChannelRecord,
  userId: string,
  change: 'add' | 'remove',
): void {
  if (change === 'add') thread.threadMembers.add(userId);
  else thread.threadMembers.delete(userId);
  const guildId = thread.guildId ?? '';
  state.dispatch('THREAD_MEMBERS_UPDATE', (intents) => {
    // Other users' membership changes need the Guild Members intent; the bot's own always arrive.
    if (userId !== state.botId && !(intents & GatewayIntent.GuildMembers)) return null;
    return {
      id: thread.id,
      guild_id: guildId,
      member_count: Math.min(thread.threadMembers.size, 50),
      ...(change === 'add'
        ? {
            added_members: [
              { id: thread.id, user_id: userId, join_timestamp: new Date().toISOString(), flags: 0 },
            ],
          }
        : { removed_member_ids: [userId] }),
    };
  });
  state.onChange();
}

function interactionMetadata(state: EmulatorState, interaction: InteractionRecord): JsonObject {
  const user = state.userOr404(interaction.userId).user;
  const data = asObject(interaction.payload.data);
  return {
    id: interaction.id,
    type: interaction.type,
    user,
    authorizing_integration_owners: { '0': interaction.guildId ?? '0' },
    ...(interaction.type === InteractionType.ApplicationCommand ? { name: data.name, command_type: 1 } : {}),
    ...(interaction.sourceMessageId ? { interacted_message_id: interaction.sourceMessageId } : {}),
  };
}

function responseFrom(
  kind: InteractionResponse['kind'],
  callbackType: number | null,
  record: MessageRecord | null,
  modal: InteractionResponse['modal'],
): InteractionResponse {
  const data: ApiMessage | undefined = record?.data;
  return {
    kind,
    callbackType,
    content: data ? data.content : null,
    embeds: data ? data.embeds : [],
    components: data ? data.components : [],
    flags: data ? data.flags : 0,
    ephemeral: data ? (data.flags & MessageFlag.Ephemeral) !== 0 : false,
    messageId: data ? data.id : null,
    modal,
    at: Date.now(),
  };
}

function invalidCallbackType(message: string): DiscordApiError {
  return DiscordApiError.invalidFormBody({
    type: { _errors: [{ code: 'INTERACTION_CALLBACK_TYPE_INVALID', message }] },
  });
}

/** Applies one interaction callback (types 4, 5, 6, 7, 9) and says what it produced. */
function respondToInteraction(
  ctx: RestRouteContext,
  interaction: InteractionRecord,
  type: unknown,
  data: unknown,
): InteractionResponse {
  const { state } = ctx;
  const channel = state.channelOr404(interaction.channelId);
  const fromComponent = interaction.sourceMessageId !== null;
  // Discord: an autocomplete interaction takes only choices, and choices answer nothing else.
  if ((interaction.type === InteractionType.Autocomplete) !== (type === CallbackType.AutocompleteResult))
    throw invalidCallbackType(
      interaction.type === InteractionType.Autocomplete
        ? 'An autocomplete interaction is answered with choices (type 8).'
        : 'Only an autocomplete interaction is answered with choices.',
    );
  switch (type) {
    case CallbackType.AutocompleteResult: {
      const choices = asObject(data).choices;
      if (!Array.isArray(choices) || choices.length > 25)
        throw DiscordApiError.invalidFormBody({
          data: {
            choices: {
              _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }],
            },
          },
        });
      return {
        ...responseFrom('callback', CallbackType.AutocompleteResult, null, null),
        choices: choices as JsonObject[],
      };
    }
    case CallbackType.ChannelMessageWithSource: {
      const payload = parseMessagePayload(data, [], { allowEphemeral: true, requireSomething: true });
      const record = state.createMessage(channel, {
        authorId: state.botId,
        content: payload.content ?? '',
        embeds: payload.embeds ?? [],
        components: payload.components ?? [],
        flags: payload.flags ?? 0,
        type: interaction.type === InteractionType.ApplicationCommand ? 20 : 0,
        webhookId: state.botId,
        interactionMetadata: interactionMetadata(state, interaction),
        interactionId: interaction.id,
      });
      interaction.originalMessageId = record.data.id;
      return responseFrom('callback', CallbackType.ChannelMessageWithSource, record, null);
    }
    case CallbackType.DeferredChannelMessageWithSource: {
      const flags = asObject(data).flags;
      const ephemeral = typeof flags === 'number' && (flags & MessageFlag.Ephemeral) !== 0;
      const record = state.createMessage(channel, {
        authorId: state.botId,
        content: '',
        flags: MessageFlag.Loading | (ephemeral ? MessageFlag.Ephemeral : 0),
        type: interaction.type === InteractionType.ApplicationCommand ? 20 : 0,
        webhookId: state.botId,
        interactionMetadata: interactionMetadata(state, interaction),
        interactionId: interaction.id,
      });
      interaction.originalMessageId = record.data.id;
      return responseFrom('callback', CallbackType.DeferredChannelMessageWithSource, record, null);
    }
    case CallbackType.DeferredUpdateMessage: {
      if (!fromComponent) throw invalidCallbackType('This interaction has no message to update.');
      return responseFrom('callback', CallbackType.DeferredUpdateMessage, null, null);
    }
    case CallbackType.UpdateMessage: {
      if (!fromComponent) throw invalidCallbackType('This interaction has no message to update.');
      const record = state.messages.get(interaction.sourceMessageId ?? '');
      if (!record || record.deleted) throw DiscordApiError.unknownMessage();
      const payload = parseMessagePayload(data, [], { allowEphemeral: false, requireSomething: false });
      applyEdit(state, record, payload);
      return responseFrom('callback', CallbackType.UpdateMessage, record, null);
    }
    case CallbackType.Modal: {
      if (interaction.type === InteractionType.ModalSubmit) {
        throw invalidCallbackType('A modal cannot answer a modal submission.');
      }
      const d = asObject(data);
      const errors = new FormErrors();
      if (typeof d.custom_id !== 'string' || d.custom_id.length < 1 || d.custom_id.length > 100) {
        errors.add(['data', 'custom_id'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      }
      if (typeof d.title !== 'string' || d.title.length < 1 || d.title.length > 45) {
        errors.add(['data', 'title'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.');
      }
      if (!Array.isArray(d.components) || d.components.length < 1 || d.components.length > 5) {
        errors.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
      }
      errors.throwIfAny();
      const modal = {
        customId: String(d.custom_id),
        title: String(d.title),
        components: d.components as JsonObject[],
      };
      state.modals.set(`${interaction.userId}:${modal.customId}`, {
        userId: interaction.userId,
        interaction,
        modal,
      });
      return responseFrom('callback', CallbackType.Modal, null, modal);
    }
    case CallbackType.Pong:
      throw invalidCallbackType('PONG is only valid for HTTP interactions.');
    default:
      throw DiscordApiError.invalidFormBody({
        type: {
          _errors: [
            { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.' },
          ],
        },
      });
  }
}

/**
 * A forum post by the bot: a public thread whose first message (with the thread's id) is `message`, with
 * up to 5 of the forum's tags (`applied_tags`); a forum that requires a tag refuses a post without one.
 */
function createForumPost(
  state: EmulatorState,
  ctx: { baseUrl(): string },
  forum: ChannelRecord,
  r: RestRequest,
): JsonObject {
  const body = asObject(r.body);
  const errors = new FormErrors();
  if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100)
    errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  if (typeof body.message !== 'object' || body.message === null)
    errors.add(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
  errors.throwIfAny();
  state.requireBotPermissions(forum, Permission.SendMessages);
  const payload = parseMessagePayload(body.message, r.files, {
    allowEphemeral: false,
    requireSomething: true,
  });
  const tags = body.applied_tags === undefined ? [] : parseForumTags(forum, body.applied_tags);
  const thread = state.createChannel({
    type: ChannelType.PublicThread,
    guildId: forum.guildId,
    name: String(body.name),
    parentId: forum.id,
    ownerId: state.botId,
    appliedTags: tags,
    ...(typeof body.auto_archive_duration === 'number'
      ? { autoArchiveDuration: body.auto_archive_duration }
      : {}),
  });
  thread.threadMembers.add(state.botId);
  const message = state.createMessage(thread, {
    id: thread.id,
    ...botMessage(state, payload, thread.id, ctx.baseUrl()),
  });
  return { ...state.toApiChannel(thread), message: message.data };
}

/** Tag ids a post may carry: its forum's, at most 5 (50035 otherwise, as on Discord). */
export function parseForumTags(forum: ChannelRecord, value: unknown): string[] {
  const errors = new FormErrors();
  const ids = Array.isArray(value) ? value.map(String) : [];
  if (!Array.isArray(value) || ids.length > 5)
    errors.add(['applied_tags'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  for (const [i, id] of ids.entries())
    if (!forum.availableTags.some((tag) => tag.id === id))
      errors.add(['applied_tags', i], 'TAG_INVALID', 'Unknown tag');
  errors.throwIfAny();
  return [...new Set(ids)];
}

function parseAppliedTags(state: EmulatorState, thread: ChannelRecord, value: unknown): string[] {
  const forum = state.channels.get(thread.parentId ?? '');
  if (forum?.type !== ChannelType.GuildForum) throw DiscordApiError.cannotExecuteOnChannelType();
  return parseForumTags(forum, value);
}

/** A forum's tags as set by PATCH: kept ids stay, new tags get one; at most 20, names up to 20 characters. */
function parseAvailableTags(state: EmulatorState, errors: FormErrors, value: unknown): ForumTag[] {
  if (!Array.isArray(value) || value.length > 20) {
    errors.add(['available_tags'], 'BASE_TYPE_MAX_LENGTH', 'Must be 20 or fewer in length.');
    return [];
  }
  return value.map((raw, i) => {
    const tag = asObject(raw);
    if (typeof tag.name !== 'string' || tag.name.length < 1 || tag.name.length > 20)
      errors.add(
        ['available_tags', i, 'name'],
        'BASE_TYPE_BAD_LENGTH',
        'Must be between 1 and 20 in length.',
      );
    return {
      id: typeof tag.id === 'string' ? tag.id : state.ids.next(),
      name: String(tag.name ?? ''),
      moderated: tag.moderated === true,
      emoji_id: typeof tag.emoji_id === 'string' ? tag.emoji_id : null,
      emoji_name: typeof tag.emoji_name === 'string' ? tag.emoji_name : null,
    };
  });
}

/**
 * As on Discord, a role mention that may ping (`allowed_mentions`) in a private thread adds the role's
 * members who can see the parent channel to the thread.
 */
function addMentionedRoles(
  state: EmulatorState,
  thread: ChannelRecord,
  body: unknown,
  payload: MessagePayload,
): void {
  const allowed = asObject(asObject(body).allowed_mentions);
  const mentioned = [...(payload.content ?? '').matchAll(/<@&(\d{17,20})>/g)].flatMap((m) =>
    m[1] ? [m[1]] : [],
  );
  const pingable = Array.isArray(allowed.roles)
    ? mentioned.filter((id) => (allowed.roles as unknown[]).includes(id))
    : Array.isArray(allowed.parse)
      ? allowed.parse.includes('roles')
        ? mentioned
        : []
      : mentioned;
  if (pingable.length === 0) return;
  const guild = state.guildOr404(thread.guildId ?? '');
  const parent = state.channels.get(thread.parentId ?? '');
  for (const member of guild.members.values()) {
    if (thread.threadMembers.has(member.userId)) continue;
    if (!member.roles.some((role) => pingable.includes(role))) continue;
    if (!hasPermission(state.permissionsOf(guild, member.userId, parent), Permission.ViewChannel)) continue;
    changeThreadMembers(state, thread, member.userId, 'add');
  }
}
