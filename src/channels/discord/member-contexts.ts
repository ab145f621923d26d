import {
  type Channel,
  DiscordAPIError,
  type Guild,
  type GuildMember,
  RESTJSONErrorCodes,
  type User,
} from 'discord.js';
import type { MemberContextInput } from '../../core/contacts/member-context.ts';
import type { NamedRef } from '../../core/model.ts';
import type { DiscordLog } from './discord-connector.ts';

export interface MemberContextsOptions {
  /** How long a member fetched for a DM is trusted before it is fetched again (roles change). */
  ttlMs: number;
  /** Members remembered at most; the oldest go first. */
  maxSize: number;
  /** How long a DM waits for Discord's answer before it goes on with what was known (an outage). */
  fetchTimeoutMs: number;
}

export const defaultMemberContextsOptions: MemberContextsOptions = {
  ttlMs: 5 * 60_000,
  maxSize: 10_000,
  fetchTimeoutMs: 2_000,
};

/**
 * The member's Discord context for the core (roles by id and name, the server, boost, join date, account
 * age, the channel of the request). Messages and interactions in a server carry the member already; a DM
 * does not, so the member is fetched in the server they use, through discord.js (its cache, then REST),
 * and remembered for `ttlMs` so that a conversation of many DMs costs one request now and then.
 */
export class DiscordMemberContexts {
  private readonly options: MemberContextsOptions;
  private readonly cache = new Map<string, { context: MemberContextInput | null; until: number }>();

  constructor(
    private readonly log: DiscordLog,
    options: Partial<MemberContextsOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...defaultMemberContextsOptions, ...options };
  }

  /** From the member discord.js gave with a server message or interaction (no request needed). */
  fromMember(member: GuildMember, channel: Channel | null): MemberContextInput {
    const context = contextOf(member, requestChannelOf(channel));
    this.remember(member.guild.id, member.id, context);
    return context;
  }

  /** The member as they are in `guild` (for a DM): null when they are not in it or Discord cannot say. */
  async inGuild(guild: Guild, userId: string): Promise<MemberContextInput | null> {
    const key = `${guild.id}:${userId}`;
    const known = this.cache.get(key);
    if (known && known.until > this.now()) return known.context;
    try {
      // Expired: ask Discord again rather than trust discord.js's cache (without the Guild Members intent,
      // role changes do not reach it).
      const member = await withTimeout(
        guild.members.fetch({ user: userId, force: known !== undefined }),
        this.options.fetchTimeoutMs,
      );
      const context = contextOf(member, null);
      this.remember(guild.id, userId, context);
      return context;
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) {
        this.remember(guild.id, userId, null);
        return null;
      }
      // Routing goes on without the context rather than the message waiting for Discord.
      this.log.warn(
        { guildId: guild.id, userId, reason: error instanceof Error ? error.message : String(error) },
        'Discord member not fetched; the message goes on without their roles',
      );
      return known?.context ?? null;
    }
  }

  private remember(guildId: string, userId: string, context: MemberContextInput | null): void {
    const key = `${guildId}:${userId}`;
    this.cache.delete(key);
    this.cache.set(key, { context, until: this.now() + this.options.ttlMs });
    while (this.cache.size > this.options.maxSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

/** The promise's value, or a rejection once `ms` have passed (the request itself goes on and is dropped). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function contextOf(member: GuildMember, requestChannel: NamedRef | null): MemberContextInput {
  const guild = member.guild;
  const roles = [...member.roles.cache.values()]
    .filter((role) => role.id !== guild.id)
    .sort((a, b) => b.position - a.position)
    .map((role) => ({ id: role.id, name: role.name }));
  return {
    server: { id: guild.id, name: guild.name },
    roles,
    joinedAt: member.joinedAt?.toISOString() ?? null,
    boostingSince: member.premiumSince?.toISOString() ?? null,
    accountCreatedAt: accountCreatedAt(member.user),
    requestChannel,
  };
}

/** A Discord account's creation, from its snowflake id. */
function accountCreatedAt(user: User): string {
  return user.createdAt.toISOString();
}

/** The server channel a request came from: a thread's (forum post's) parent, else the channel itself. */
function requestChannelOf(channel: Channel | null): NamedRef | null {
  if (!channel || channel.isDMBased()) return null;
  const named = channel.isThread() && channel.parent ? channel.parent : channel;
  return { id: named.id, name: named.name };
}
