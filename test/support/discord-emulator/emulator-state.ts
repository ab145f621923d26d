import type {
  ApiApplicationCommand,
  ApiAttachment,
  ApiChannel,
  ApiMember,
  ApiMessage,
  ApiRole,
  ApiUser,
  JsonObject,
} from './api-objects.ts';
import { DiscordApiError } from './discord-api-error.ts';
import {
  computePermissions,
  DEFAULT_EVERYONE_PERMISSIONS,
  hasPermission,
  type OverwriteLike,
  Permission,
} from './permissions.ts';
import { SnowflakeGenerator, snowflakeTimestamp } from './snowflake.ts';

/** Channel types the emulator models (values as in the API). */
export const ChannelType = {
  GuildText: 0,
  DM: 1,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildForum: 15,
} as const;

/** A forum's tag (`available_tags`); posts carry the ids of theirs in `applied_tags`. */
export interface ForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

/** Discord's limit of active (not archived) threads per server, forum posts included. */
export const MAX_ACTIVE_THREADS = 1000;

export const MessageFlag = {
  Crossposted: 1,
  IsCrosspost: 2,
  SuppressEmbeds: 4,
  Ephemeral: 64,
  Loading: 128,
  SuppressNotifications: 4096,
  IsComponentsV2: 32768,
} as const;

/** Gateway intents the emulator filters on. */
export const GatewayIntent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export interface UserRecord {
  user: ApiUser;
  /** The user's privacy setting "allow DMs from server members" is off: the bot gets 50007. */
  dmsClosed: boolean;
  locale: string;
}

export interface RoleRecord {
  id: string;
  name: string;
  position: number;
  permissions: bigint;
  botId: string | null;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
  premiumSince: string | null;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  features: string[];
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  botRoleId: string;
  joinedAt: string;
}

export interface ChannelRecord {
  id: string;
  type: number;
  guildId: string | null;
  name: string | null;
  topic: string | null;
  parentId: string | null;
  position: number;
  overwrites: OverwriteLike[];
  recipientIds: string[];
  lastMessageId: string | null;
  // Threads only.
  ownerId: string | null;
  threadMembers: Set<string>;
  archived: boolean;
  locked: boolean;
  invitable: boolean;
  autoArchiveDuration: number;
  messageCount: number;
  createdAt: string;
  /** Forums only: the tags posts may carry. */
  availableTags: ForumTag[];
  /** Forum posts only: the ids of the parent's tags the post carries. */
  appliedTags: string[];
}

export interface MessageRecord {
  data: ApiMessage;
  /** Ephemeral messages are only seen by the interaction's user; readers hide them unless asked. */
  ephemeral: boolean;
  interactionId: string | null;
  deleted: boolean;
}

export interface ModalRecord {
  customId: string;
  title: string;
  components: JsonObject[];
}

export type InteractionResponseKind =
  | 'callback'
  | 'original-edit'
  | 'original-delete'
  | 'followup'
  | 'followup-edit'
  | 'followup-delete';

/** One thing the bot did in answer to an interaction, in the order it happened. */
export interface InteractionResponse {
  kind: InteractionResponseKind;
  /** For `callback`: 4 reply, 5 defer, 6 deferred update, 7 update message, 8 choices, 9 modal. */
  callbackType: number | null;
  content: string | null;
  embeds: JsonObject[];
  components: JsonObject[];
  flags: number;
  ephemeral: boolean;
  messageId: string | null;
  modal: ModalRecord | null;
  /** For callback 8: the autocomplete choices offered. */
  choices?: JsonObject[];
  at: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component, 5 modal submit. */
  type: number;
  userId: string;
  guildId: string | null;
  channelId: string;
  createdAt: number;
  acknowledged: boolean;
  callbackType: number | null;
  originalMessageId: string | null;
  /** The message a component sat on (type 3) — what types 6 and 7 edit. */
  sourceMessageId: string | null;
  expired: boolean;
  responses: InteractionResponse[];
  payload: JsonObject;
}

/** Where the gateway plugs in: the state announces events, the gateway decides who gets them. */
export type DispatchFn = (event: string, build: (intents: number) => JsonObject | null) => void;

/** The emulator's in-memory Discord: users, guilds, channels, messages, commands, interactions. */
export class EmulatorState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  /** The bytes of files uploaded with messages, by attachment URL. */
  readonly uploads = new Map<string, Buffer>();
  readonly channelMessages = new Map<string, string[]>();
  readonly globalCommands = new Map<string, ApiApplicationCommand>();
  readonly guildCommands = new Map<string, Map<string, ApiApplicationCommand>>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly modals = new Map<string, { userId: string; interaction: InteractionRecord; modal: ModalRecord }>();
  readonly bot: UserRecord;
  dispatch: DispatchFn = () => {};
  /** Active threads a server may have (Discord: 1,000); tests lower it to reach 160006. */
  maxActiveThreads = MAX_ACTIVE_THREADS;
  /** Called after every change so `waitFor` can re-check its predicate. */
  onChange: () => void = () => {};
  /** Called for every message created (by users or the bot), so benchmarks need not poll. */
  onMessageCreated: (message: ApiMessage) => void = () => {};

  constructor(
    botUsername: string,
    readonly baseUrl: () => string,
  ) {
    this.bot = this.createUser({ username: botUsername, bot: true });
  }

  get botId(): string {
    return this.bot.user.id;
  }

  // ---- users ---------------------------------------------------------------------------------

  createUser(input: { username?: string; bot?: boolean; dmsClosed?: boolean; locale?: string }): UserRecord {
    const id = this.ids.next();
    const username = input.username ?? `user${id.slice(-6)}`;
    const user: ApiUser = {
      id,
      username,
      discriminator: '0',
      global_name: input.bot ? null : username,
      avatar: null,
      public_flags: 0,
      flags: 0,
      ...(input.bot ? { bot: true } : {}),
    };
    const record: UserRecord = { user, dmsClosed: input.dmsClosed ?? false, locale: input.locale ?? 'en-US' };
    this.users.set(id, record);
    return record;
  }

  userOr404(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw DiscordApiError.unknownUser();
    return user;
  }

  // ---- guilds, roles, members ----------------------------------------------------------------

  createGuild(input: {
    name: string;
    ownerId: string;
    botPermissions: bigint;
    everyonePermissions?: bigint;
    preferredLocale?: string;
    features?: string[];
  }): GuildRecord {
    const id = this.ids.next();
    const botRoleId = this.ids.next();
    const now = new Date().toISOString();
    const guild: GuildRecord = {
      id,
      name: input.name,
      ownerId: input.ownerId,
      preferredLocale: input.preferredLocale ?? 'en-US',
      features: input.features ?? ['COMMUNITY', 'NEWS'],
      roles: new Map(),
      members: new Map(),
      botRoleId,
      joinedAt: now,
    };
    guild.roles.set(id, {
      id,
      name: '@everyone',
      position: 0,
      permissions: input.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      botId: null,
    });
    // Discord gives every bot a managed role named after it that holds the invite's permissions.
    guild.roles.set(botRoleId, {
      id: botRoleId,
      name: this.bot.user.username,
      position: 1,
      permissions: input.botPermissions,
      botId: this.botId,
    });
    guild.members.set(input.ownerId, {
      userId: input.ownerId,
      roles: [],
      nick: null,
      joinedAt: now,
      premiumSince: null,
    });
    guild.members.set(this.botId, {
      userId: this.botId,
      roles: [botRoleId],
      nick: null,
      joinedAt: now,
      premiumSince: null,
    });
    this.guilds.set(id, guild);
    return guild;
  }

  guildOr404(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw DiscordApiError.unknownGuild();
    return guild;
  }

  /** The bot only sees guilds it is a member of; others look like Missing Access, as on Discord. */
  botGuildOr403(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw DiscordApiError.unknownGuild();
    if (!guild.members.has(this.botId)) throw DiscordApiError.missingAccess();
    return guild;
  }

  createRole(guild: GuildRecord, input: { name: string; permissions: bigint }): RoleRecord {
    const role: RoleRecord = {
      id: this.ids.next(),
      name: input.name,
      position: guild.roles.size,
      permissions: input.permissions,
      botId: null,
    };
    guild.roles.set(role.id, role);
    this.dispatch('GUILD_ROLE_CREATE', (intents) =>
      intents & GatewayIntent.Guilds ? { guild_id: guild.id, role: this.toApiRole(role) } : null,
    );
    this.onChange();
    return role;
  }

  updateRolePermissions(guild: GuildRecord, roleId: string, permissions: bigint): void {
    const role = guild.roles.get(roleId);
    if (!role) throw new Error(`unknown role ${roleId}`);
    role.permissions = permissions;
    this.dispatch('GUILD_ROLE_UPDATE', (intents) =>
      intents & GatewayIntent.Guilds ? { guild_id: guild.id, role: this.toApiRole(role) } : null,
    );
    this.onChange();
  }

  addMember(
    guild: GuildRecord,
    userId: string,
    roles: string[] = [],
    nick: string | null = null,
    since: { joinedAt?: string; premiumSince?: string | null } = {},
  ): MemberRecord {
    const member: MemberRecord = {
      userId,
      roles,
      nick,
      joinedAt: since.joinedAt ?? new Date().toISOString(),
      premiumSince: since.premiumSince ?? null,
    };
    guild.members.set(userId, member);
    this.dispatch('GUILD_MEMBER_ADD', (intents) =>
      intents & GatewayIntent.GuildMembers
        ? { ...this.toApiMember(guild, member), guild_id: guild.id }
        : null,
    );
    this.onChange();
    return member;
  }

  /**
   * Changes a member's roles or boost, as a server admin (or a boost) would: GUILD_MEMBER_UPDATE to bots with
   * the Guild Members intent, as on Discord.
   */
  updateMember(
    guild: GuildRecord,
    userId: string,
    change: { roles?: string[]; premiumSince?: string | null },
  ): MemberRecord {
    const member = guild.members.get(userId);
    if (!member) throw DiscordApiError.unknownMember();
    if (change.roles) member.roles = [...change.roles];
    if (change.premiumSince !== undefined) member.premiumSince = change.premiumSince;
    this.dispatch('GUILD_MEMBER_UPDATE', (intents) =>
      intents & GatewayIntent.GuildMembers
        ? { ...this.toApiMember(guild, member), guild_id: guild.id }
        : null,
    );
    this.onChange();
    return member;
  }

  /** Effective permissions of a user in a guild, or in one of its channels (threads use their parent). */
  permissionsOf(guild: GuildRecord, userId: string, channel?: ChannelRecord): bigint {
    const member = guild.members.get(userId);
    if (!member) return 0n;
    const everyone = guild.roles.get(guild.id);
    const roles = member.roles.flatMap((roleId) => {
      const role = guild.roles.get(roleId);
      return role ? [{ id: role.id, permissions: role.permissions }] : [];
    });
    let target = channel;
    if (target && isThread(target.type) && target.parentId) target = this.channels.get(target.parentId);
    return computePermissions({
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      everyonePermissions: everyone?.permissions ?? 0n,
      memberRolePermissions: roles,
      ...(target ? { overwrites: target.overwrites } : {}),
    });
  }

  /** Throws Missing Access without View Channel, Missing Permissions without `needed`. */
  requireBotPermissions(channel: ChannelRecord, needed: bigint): void {
    if (!channel.guildId) return;
    const guild = this.guildOr404(channel.guildId);
    const bits = this.permissionsOf(guild, this.botId, channel);
    if (!hasPermission(bits, Permission.ViewChannel)) throw DiscordApiError.missingAccess();
    if (!hasPermission(bits, needed)) throw DiscordApiError.missingPermissions();
  }

  requireBotGuildPermissions(guild: GuildRecord, needed: bigint): void {
    if (!hasPermission(this.permissionsOf(guild, this.botId), needed))
      throw DiscordApiError.missingPermissions();
  }

  // ---- channels ------------------------------------------------------------------------------

  createChannel(input: {
    type: number;
    guildId: string | null;
    name?: string | null;
    topic?: string | null;
    parentId?: string | null;
    position?: number;
    overwrites?: OverwriteLike[];
    recipientIds?: string[];
    ownerId?: string | null;
    invitable?: boolean;
    autoArchiveDuration?: number;
    availableTags?: ForumTag[];
    appliedTags?: string[];
  }): ChannelRecord {
    if (input.guildId && isThread(input.type)) {
      const active = [...this.channels.values()].filter(
        (c) => c.guildId === input.guildId && isThread(c.type) && !c.archived,
      ).length;
      if (active >= this.maxActiveThreads) throw DiscordApiError.maxActiveThreads();
    }
    const id = this.ids.next();
    const siblings = [...this.channels.values()].filter(
      (c) => c.guildId === input.guildId && c.guildId !== null,
    );
    const channel: ChannelRecord = {
      id,
      type: input.type,
      guildId: input.guildId,
      name: input.name ?? null,
      topic: input.topic ?? null,
      parentId: input.parentId ?? null,
      position: input.position ?? siblings.length,
      overwrites: input.overwrites ?? [],
      recipientIds: input.recipientIds ?? [],
      lastMessageId: null,
      ownerId: input.ownerId ?? null,
      threadMembers: new Set(),
      archived: false,
      locked: false,
      invitable: input.invitable ?? false,
      autoArchiveDuration: input.autoArchiveDuration ?? 4320,
      messageCount: 0,
      createdAt: new Date().toISOString(),
      availableTags: input.availableTags ?? [],
      appliedTags: input.appliedTags ?? [],
    };
    this.channels.set(id, channel);
    this.channelMessages.set(id, []);
    if (channel.guildId) {
      const event = isThread(channel.type) ? 'THREAD_CREATE' : 'CHANNEL_CREATE';
      this.dispatch(event, (intents) => {
        if (!(intents & GatewayIntent.Guilds)) return null;
        const data: JsonObject = { ...this.toApiChannel(channel) };
        if (isThread(channel.type)) data.newly_created = true;
        return data;
      });
    }
    this.onChange();
    return channel;
  }

  channelOr404(id: string): ChannelRecord {
    const channel = this.channels.get(id);
    if (!channel) throw DiscordApiError.unknownChannel();
    return channel;
  }

  /** Channels the bot can see; hidden guild channels answer Missing Access like Discord does. */
  botChannelOr404(id: string): ChannelRecord {
    const channel = this.channelOr404(id);
    if (channel.type === ChannelType.DM) {
      if (!channel.recipientIds.includes(this.botId)) throw DiscordApiError.missingAccess();
      return channel;
    }
    if (channel.guildId) {
      const guild = this.guildOr404(channel.guildId);
      if (!guild.members.has(this.botId)) throw DiscordApiError.unknownChannel();
      if (!hasPermission(this.permissionsOf(guild, this.botId, channel), Permission.ViewChannel)) {
        throw DiscordApiError.missingAccess();
      }
      if (
        channel.type === ChannelType.PrivateThread &&
        !this.canSeePrivateThread(guild, channel, this.botId)
      ) {
        throw DiscordApiError.missingAccess();
      }
    }
    return channel;
  }

  canSeePrivateThread(guild: GuildRecord, thread: ChannelRecord, userId: string): boolean {
    if (thread.threadMembers.has(userId)) return true;
    return hasPermission(this.permissionsOf(guild, userId, thread), Permission.ManageThreads);
  }

  channelUpdated(channel: ChannelRecord): void {
    if (!channel.guildId) return;
    const event = isThread(channel.type) ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE';
    this.dispatch(event, (intents) =>
      intents & GatewayIntent.Guilds ? { ...this.toApiChannel(channel) } : null,
    );
    this.onChange();
  }

  /** The one DM channel between the bot and a user (Discord reuses it for every open-DM call). */
  dmChannelWith(userId: string): ChannelRecord {
    for (const channel of this.channels.values()) {
      if (channel.type === ChannelType.DM && channel.recipientIds.includes(userId)) return channel;
    }
    return this.createChannel({ type: ChannelType.DM, guildId: null, recipientIds: [this.botId, userId] });
  }

  guildChannels(guildId: string): ChannelRecord[] {
    return [...this.channels.values()]
      .filter((c) => c.guildId === guildId && !isThread(c.type))
      .sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  }

  // ---- messages ------------------------------------------------------------------------------

  createMessage(
    channel: ChannelRecord,
    input: {
      authorId: string;
      content: string;
      embeds?: JsonObject[];
      components?: JsonObject[];
      attachments?: ApiAttachment[];
      flags?: number;
      type?: number;
      nonce?: string | number;
      messageReference?: JsonObject;
      webhookId?: string;
      interactionMetadata?: JsonObject;
      interactionId?: string | null;
      /** A forum post's first message has the post's (thread's) id. */
      id?: string;
    },
  ): MessageRecord {
    const author = this.userOr404(input.authorId);
    const id = input.id ?? this.ids.next();
    const flags = input.flags ?? 0;
    const mentions = this.parseMentions(input.content);
    const data: ApiMessage = {
      id,
      channel_id: channel.id,
      author: author.user,
      content: input.content,
      timestamp: new Date(snowflakeTimestamp(id)).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: /@everyone|@here/.test(input.content),
      mentions: mentions.users,
      mention_roles: mentions.roles,
      attachments: input.attachments ?? [],
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      pinned: false,
      type: input.type ?? 0,
      flags,
    };
    if (channel.guildId) {
      data.guild_id = channel.guildId;
      const guild = this.guildOr404(channel.guildId);
      const member = guild.members.get(author.user.id);
      if (member && !input.webhookId) {
        const { user: _user, ...rest } = this.toApiMember(guild, member);
        data.member = rest;
      }
    }
    if (input.nonce !== undefined) data.nonce = input.nonce;
    if (input.messageReference) data.message_reference = input.messageReference;
    if (input.webhookId) {
      data.webhook_id = input.webhookId;
      data.application_id = this.botId;
    }
    if (input.interactionMetadata) data.interaction_metadata = input.interactionMetadata;
    const record: MessageRecord = {
      data,
      ephemeral: (flags & MessageFlag.Ephemeral) !== 0,
      interactionId: input.interactionId ?? null,
      deleted: false,
    };
    this.messages.set(id, record);
    this.channelMessages.get(channel.id)?.push(id);
    if (!record.ephemeral) {
      channel.lastMessageId = id;
      channel.messageCount += 1;
    }
    // Ephemeral interaction replies are only shown to their user; they are not gateway messages.
    if (!record.ephemeral) this.dispatchMessage('MESSAGE_CREATE', channel, data);
    this.onMessageCreated(data);
    this.onChange();
    return record;
  }

  messageOr404(channelId: string, messageId: string): MessageRecord {
    const record = this.messages.get(messageId);
    if (!record || record.deleted || record.data.channel_id !== channelId)
      throw DiscordApiError.unknownMessage();
    return record;
  }

  editMessage(
    record: MessageRecord,
    patch: { content?: string; embeds?: JsonObject[]; components?: JsonObject[]; flags?: number },
  ): void {
    const data = record.data;
    if (patch.content !== undefined) {
      data.content = patch.content;
      const mentions = this.parseMentions(patch.content);
      data.mentions = mentions.users;
      data.mention_roles = mentions.roles;
    }
    if (patch.embeds !== undefined) data.embeds = patch.embeds;
    if (patch.components !== undefined) data.components = patch.components;
    if (patch.flags !== undefined) data.flags = patch.flags;
    data.edited_timestamp = new Date().toISOString();
    const channel = this.channels.get(data.channel_id);
    if (channel && !record.ephemeral) this.dispatchMessage('MESSAGE_UPDATE', channel, data);
    this.onChange();
  }

  deleteMessage(record: MessageRecord): void {
    record.deleted = true;
    const channel = this.channels.get(record.data.channel_id);
    if (channel && !record.ephemeral) {
      const { guildId } = channel;
      this.dispatch('MESSAGE_DELETE', (intents) =>
        this.messageIntentAllowed(channel, intents)
          ? { id: record.data.id, channel_id: channel.id, ...(guildId ? { guild_id: guildId } : {}) }
          : null,
      );
    }
    this.onChange();
  }

  /** Visible messages of a channel, oldest first. */
  channelMessageRecords(channelId: string, includeEphemeral = false): MessageRecord[] {
    return (this.channelMessages.get(channelId) ?? []).flatMap((id) => {
      const record = this.messages.get(id);
      if (!record || record.deleted || (record.ephemeral && !includeEphemeral)) return [];
      return [record];
    });
  }

  private messageIntentAllowed(channel: ChannelRecord, intents: number): boolean {
    const needed = channel.guildId ? GatewayIntent.GuildMessages : GatewayIntent.DirectMessages;
    return (intents & needed) !== 0;
  }

  private dispatchMessage(event: string, channel: ChannelRecord, data: ApiMessage): void {
    this.dispatch(event, (intents) => {
      if (!this.messageIntentAllowed(channel, intents)) return null;
      const payload: JsonObject = { ...data, channel_type: channel.type };
      // Without Message Content, Discord blanks user content except in DMs, the app's own
      // messages and messages that mention the app.
      const exempt =
        !channel.guildId || data.author.id === this.botId || data.mentions.some((u) => u.id === this.botId);
      if (!(intents & GatewayIntent.MessageContent) && !exempt) {
        payload.content = '';
        payload.embeds = [];
        payload.attachments = [];
        payload.components = [];
      }
      return payload;
    });
  }

  private parseMentions(content: string): { users: ApiUser[]; roles: string[] } {
    const users: ApiUser[] = [];
    for (const match of content.matchAll(/<@!?(\d{17,20})>/g)) {
      const user = match[1] ? this.users.get(match[1]) : undefined;
      if (user && !users.some((u) => u.id === user.user.id)) users.push(user.user);
    }
    const roles = [...content.matchAll(/<@&(\d{17,20})>/g)].flatMap((m) => (m[1] ? [m[1]] : []));
    return { users, roles };
  }

  // ---- serialisation -------------------------------------------------------------------------

  toApiRole(role: RoleRecord): ApiRole {
    return {
      id: role.id,
      name: role.name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.botId !== null,
      mentionable: false,
      flags: 0,
      ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
    };
  }

  toApiMember(_guild: GuildRecord, member: MemberRecord): ApiMember {
    return {
      user: this.userOr404(member.userId).user,
      nick: member.nick,
      avatar: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: member.premiumSince,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
  }

  toApiChannel(channel: ChannelRecord): ApiChannel {
    if (channel.type === ChannelType.DM) {
      return {
        id: channel.id,
        type: channel.type,
        last_message_id: channel.lastMessageId,
        recipients: channel.recipientIds
          .filter((id) => id !== this.botId)
          .map((id) => this.userOr404(id).user),
        flags: 0,
      };
    }
    const base: ApiChannel = {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      parent_id: channel.parentId,
      last_message_id: channel.lastMessageId,
      rate_limit_per_user: 0,
      flags: 0,
      ...(channel.guildId ? { guild_id: channel.guildId } : {}),
    };
    if (isThread(channel.type)) {
      return {
        ...base,
        owner_id: channel.ownerId ?? this.botId,
        message_count: channel.messageCount,
        total_message_sent: channel.messageCount,
        member_count: Math.min(channel.threadMembers.size, 50),
        ...(this.channels.get(channel.parentId ?? '')?.type === ChannelType.GuildForum
          ? { applied_tags: [...channel.appliedTags] }
          : {}),
        thread_metadata: {
          archived: channel.archived,
          auto_archive_duration: channel.autoArchiveDuration,
          archive_timestamp: channel.createdAt,
          locked: channel.locked,
          invitable: channel.invitable,
          create_timestamp: channel.createdAt,
        },
      };
    }
    return {
      ...base,
      topic: channel.topic,
      position: channel.position,
      nsfw: false,
      ...(channel.type === ChannelType.GuildForum
        ? {
            available_tags: channel.availableTags.map((tag) => ({ ...tag })),
            default_reaction_emoji: null,
            default_sort_order: null,
            default_forum_layout: 0,
            default_thread_rate_limit_per_user: 0,
          }
        : {}),
      permission_overwrites: channel.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
    };
  }

  /** The full GUILD_CREATE payload; members beyond the bot only with the Guild Members intent. */
  toApiGuild(guild: GuildRecord, intents: number): JsonObject {
    const members = [...guild.members.values()].filter(
      (m) => m.userId === this.botId || (intents & GatewayIntent.GuildMembers) !== 0,
    );
    const channels = this.guildChannels(guild.id);
    const threads = [...this.channels.values()].filter(
      (c) =>
        c.guildId === guild.id &&
        isThread(c.type) &&
        !c.archived &&
        (c.type !== ChannelType.PrivateThread || this.canSeePrivateThread(guild, c, this.botId)),
    );
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [...guild.roles.values()].map((r) => this.toApiRole(r)),
      emojis: [],
      stickers: [],
      features: guild.features,
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: guild.preferredLocale,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: members.map((m) => this.toApiMember(guild, m)),
      channels: channels.map((c) => {
        const { guild_id: _guildId, ...rest } = this.toApiChannel(c);
        return rest;
      }),
      threads: threads.map((c) => this.toApiChannel(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ---- interactions --------------------------------------------------------------------------

  registerInteraction(input: {
    type: number;
    userId: string;
    guildId: string | null;
    channelId: string;
    sourceMessageId?: string | null;
    build: (id: string, token: string) => JsonObject;
  }): InteractionRecord {
    const id = this.ids.next();
    const token = `aW50ZXJhY3Rpb246${id}:${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const record: InteractionRecord = {
      id,
      token,
      type: input.type,
      userId: input.userId,
      guildId: input.guildId,
      channelId: input.channelId,
      createdAt: Date.now(),
      acknowledged: false,
      callbackType: null,
      originalMessageId: null,
      sourceMessageId: input.sourceMessageId ?? null,
      expired: false,
      responses: [],
      payload: input.build(id, token),
    };
    this.interactions.set(id, record);
    this.interactionsByToken.set(token, record);
    return record;
  }
}

export function isThread(type: number): boolean {
  return (
    type === ChannelType.AnnouncementThread ||
    type === ChannelType.PublicThread ||
    type === ChannelType.PrivateThread
  );
}

export function isTextBased(type: number): boolean {
  return (
    type === ChannelType.GuildText ||
    type === ChannelType.GuildAnnouncement ||
    type === ChannelType.DM ||
    isThread(type)
  );
}
