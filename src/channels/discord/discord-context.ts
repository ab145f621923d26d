import { createHash } from 'node:crypto';
import type { APIActionRowComponent, APIButtonComponentWithCustomId, Client, REST, User } from 'discord.js';
import { z } from 'zod';
import type { ContactService } from '../../core/contacts/contact-service.ts';
import type { ServerRef } from '../../core/model.ts';
import type { InboundHandler, InboundMessage } from '../../core/ports/channel-connector.ts';
import type { DiscordConnectorOptions, DiscordCore } from './discord-connector.ts';
import type { SetupReport } from './discord-setup.ts';
import type { DiscordMemberContexts } from './member-contexts.ts';
import type { PendingReplies } from './pending-replies.ts';
import type { SupportThreads } from './support-threads.ts';

/**
 * What the connector's handlers share: the core, the options, the connector's clients and the support
 * threads. The connector builds one and hands it to each handler, the way discord.js hands its client to
 * each gateway event handler.
 */
export interface DiscordContext {
  readonly core: DiscordCore;
  readonly options: DiscordConnectorOptions;
  readonly contacts: ContactService;
  readonly threads: SupportThreads;
  /** Members' roles, join date and boost for the core, cached with an expiry. */
  readonly members: DiscordMemberContexts;
  /** The last `/helpme` or `/agent` of each member, to tell them where the conversation went. */
  readonly pendingReplies: PendingReplies;
  /** The core's inbound handler while the connector runs; null once it stopped. */
  inbound(): InboundHandler | null;
  /** The client with caches: the gateway session's while this instance holds one, else the REST client. */
  client(): Client | null;
  /** REST through the connector's own client (throws a retryable ConnectorError while not connected). */
  rest(): REST;
  languageOf(userId: string, locale: string | null | undefined, text?: string): Promise<string>;
  setupGuild(guildId: string): Promise<SetupReport>;
}

export const CHANNEL = 'discord';
export const PRIVATE_THREAD = 12;
export const GUILD_TEXT = 0;
export const ANNOUNCEMENT_CHANNEL = 5;

/** Where a Discord conversation's replies go: the DM (or fallback thread) and the member. */
export const addressSchema = z.object({ channelId: z.string().min(1), userId: z.string().min(1).optional() });

export interface ThreadRecord {
  threadId: string;
  guildId: string;
  /** The member was added and told where they are; until then, opening is finished on the next send. */
  ready: boolean;
  /** Why it was opened: the member's DMs are closed (absent in older records), or private-thread mode. */
  reason?: ThreadReason;
}

export type ThreadReason = 'dms-closed' | 'private-mode';

export interface CasePost {
  channelId: string;
  messageId: string;
  guildId: string;
  /** The similar requests the post named when it was made (kept by its later edits). */
  similar?: string[];
  /** The server's language the post was written in (its edits keep it, whichever instance makes them). */
  language?: string;
}

export const settingKeys = {
  thread: (userId: string) => `discord:thread:${userId}`,
  threadOwner: (threadId: string) => `discord:thread-owner:${threadId}`,
  guild: (userId: string) => `discord:guild:${userId}`,
  casePost: (caseId: string) => `discord:case-post:${caseId}`,
  liveButtons: (member: string) => `discord:live-buttons:${member}`,
  delivery: (key: string) => `discord:delivery:${key}`,
};

/**
 * Discord's idempotency key for one part of one outgoing message (at most 25 characters): with
 * `enforce_nonce`, a resend whose first response was lost returns the message already created.
 */
export function deliveryNonce(key: string, part: number): string {
  return `${createHash('sha256').update(key).digest('base64url').slice(0, 20)}.${part}`;
}

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

export function profileOf(user: User, locale: string | null): InboundMessage['contact'] {
  return {
    externalId: user.id,
    name: user.globalName ?? user.username,
    avatarUrl: user.displayAvatarURL(),
    ...(locale ? { locale } : {}),
  };
}

/** A server (guild) as conversations and cases keep it: its id and its name now (the id while unknown). */
export function serverOf(ctx: DiscordContext, guildId: string | null | undefined): ServerRef | null {
  if (!guildId) return null;
  const name = ctx.client()?.guilds.cache.get(guildId)?.name;
  return { id: guildId, name: name ?? guildId };
}

/**
 * The server a member's message came through: the guild of its channel (a thread, a forum post), else, for
 * a DM, the server of the member's last command there (`/helpme`, `/bug`…); null when none is known.
 */
export async function serverOfMember(
  ctx: DiscordContext,
  userId: string,
  guildId: string | null | undefined,
): Promise<ServerRef | null> {
  const known = guildId ?? (await ctx.core.store.settings.get<string>(settingKeys.guild(userId)));
  return serverOf(ctx, known);
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The link that opens a message in Discord (app or browser). */
export function casePostUrl(post: CasePost): string {
  return `https://discord.com/channels/${post.guildId}/${post.channelId}/${post.messageId}`;
}

/** A Discord id as a number, or null for ids of other kinds (messages sent by Switchboard have none). */
export function snowflake(id: string | null): bigint | null {
  return id && /^\d{1,20}$/.test(id) ? BigInt(id) : null;
}
