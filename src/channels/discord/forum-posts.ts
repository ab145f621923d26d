import { type APIChannel, type APIGuildForumTag, Routes } from 'discord.js';
import { z } from 'zod';
import type { Conversation } from '../../core/model.ts';
import type { SettingRepository } from '../../core/ports/repositories.ts';
import type { DiscordContext } from './discord-context.ts';
import { DiscordErrorCode, discordCode } from './discord-errors.ts';

/**
 * Forum posts as support entrances: a forum channel linked to Switchboard (`/setup forum:#help`) makes
 * each new post a conversation of its own, answered in the post; its tags say where it stands (answered
 * by the bot, with an agent, solved) and a solved post is archived.
 */

export const FORUM_CHANNEL = 15;

/** The tags Switchboard keeps on its posts, one at a time; created on the forum when it lacks them. */
export const postTags = {
  answered: 'Answered by bot',
  withAgent: 'With an agent',
  solved: 'Solved',
} as const;
export type PostTag = keyof typeof postTags;

/** A post of a linked forum that is a conversation: where it is and whose it is. */
export interface ForumPost {
  threadId: string;
  forumId: string;
  guildId: string;
  ownerId: string;
}

/** The address of a forum post's conversation: replies go to the post itself, never to a DM. */
export const postAddressSchema = z.object({
  channelId: z.string().min(1),
  userId: z.string().min(1),
  forumPost: z.literal(true),
});

const keys = {
  forums: (guildId: string) => `discord:forums:${guildId}`,
  post: (threadId: string) => `discord:forum-post:${threadId}`,
  privateThreads: (guildId: string) => `discord:private-threads:${guildId}`,
  agentRole: (guildId: string) => `discord:agent-role:${guildId}`,
};

export async function linkedForums(settings: SettingRepository, guildId: string): Promise<string[]> {
  return (await settings.get<string[]>(keys.forums(guildId))) ?? [];
}

export async function linkForum(
  settings: SettingRepository,
  guildId: string,
  forumId: string,
): Promise<void> {
  const forums = await linkedForums(settings, guildId);
  if (!forums.includes(forumId)) await settings.set(keys.forums(guildId), [...forums, forumId]);
}

export async function forumPost(settings: SettingRepository, threadId: string): Promise<ForumPost | null> {
  return (await settings.get<ForumPost>(keys.post(threadId))) ?? null;
}

export async function rememberForumPost(settings: SettingRepository, post: ForumPost): Promise<void> {
  await settings.set(keys.post(post.threadId), post);
}

/** Private-thread mode: the server's members are served in a private thread instead of DMs. */
export async function privateThreadMode(
  settings: SettingRepository,
  guildId: string | null,
): Promise<boolean> {
  if (!guildId) return false;
  return (await settings.get<boolean>(keys.privateThreads(guildId))) === true;
}

export async function setPrivateThreadMode(
  settings: SettingRepository,
  guildId: string,
  on: boolean,
): Promise<void> {
  await settings.set(keys.privateThreads(guildId), on);
}

/** The server's role of its support agents: added to a private thread once an agent has its conversation. */
export async function agentRole(settings: SettingRepository, guildId: string): Promise<string | null> {
  return (await settings.get<string>(keys.agentRole(guildId))) ?? null;
}

export async function setAgentRole(
  settings: SettingRepository,
  guildId: string,
  roleId: string,
): Promise<void> {
  await settings.set(keys.agentRole(guildId), roleId);
}

/** Which of Switchboard's tags a post's conversation in this state carries (null: none yet). */
export function tagFor(conversation: Pick<Conversation, 'state'>, authorKind: string): PostTag | null {
  if (conversation.state === 'closed') return 'solved';
  if (conversation.state !== 'bot') return 'withAgent';
  return authorKind === 'bot' ? 'answered' : null;
}

/**
 * The forum's ids of Switchboard's tags, adding those it lacks (Discord allows 20 tags per forum; a forum
 * that is full, or a bot without Manage Channels there, keeps its tags and the post goes untagged).
 */
export async function ensureForumTags(
  ctx: Pick<DiscordContext, 'rest' | 'options'>,
  forumId: string,
): Promise<Record<PostTag, string> | null> {
  const rest = ctx.rest();
  const forum = (await rest.get(Routes.channel(forumId))) as APIChannel & {
    available_tags?: APIGuildForumTag[];
  };
  const tags = forum.available_tags ?? [];
  const missing = Object.values(postTags).filter((name) => !tags.some((tag) => tag.name === name));
  let current = tags;
  if (missing.length > 0) {
    try {
      const updated = (await rest.patch(Routes.channel(forumId), {
        body: { available_tags: [...tags, ...missing.map((name) => ({ name, moderated: false }))] },
      })) as { available_tags?: APIGuildForumTag[] };
      current = updated.available_tags ?? tags;
    } catch (error) {
      ctx.options.log.warn({ err: error, forumId, missing }, 'forum tags not created');
      return null;
    }
  }
  const ids: Partial<Record<PostTag, string>> = {};
  for (const [key, name] of Object.entries(postTags) as [PostTag, string][]) {
    const id = current.find((tag) => tag.name === name)?.id;
    if (!id) return null;
    ids[key] = id;
  }
  return ids as Record<PostTag, string>;
}

/**
 * Gives the post the tag of where its conversation stands (keeping the member's own tags) and archives
 * it once solved. A refusal is logged, not thrown: the message itself was delivered.
 */
export async function updatePost(
  ctx: Pick<DiscordContext, 'rest' | 'options'>,
  post: ForumPost,
  tag: PostTag,
): Promise<void> {
  try {
    const tags = await ensureForumTags(ctx, post.forumId);
    const rest = ctx.rest();
    const thread = (await rest.get(Routes.channel(post.threadId))) as APIChannel & {
      applied_tags?: string[];
      thread_metadata?: { archived?: boolean };
    };
    if (tags) {
      const ours = new Set(Object.values(tags));
      const kept = (thread.applied_tags ?? []).filter((id) => !ours.has(id));
      const wanted = [...kept, tags[tag]].slice(-5);
      const same =
        wanted.length === (thread.applied_tags ?? []).length &&
        wanted.every((id) => thread.applied_tags?.includes(id));
      if (!same)
        await rest.patch(Routes.channel(post.threadId), {
          body: {
            applied_tags: wanted,
            // An archived post takes its new tag only with its unarchiving (Discord: 50083).
            ...(thread.thread_metadata?.archived ? { archived: false } : {}),
          },
        });
    }
    if (tag === 'solved')
      await rest
        .patch(Routes.channel(post.threadId), { body: { archived: true } })
        .catch((error: unknown) => {
          // Already archived by a moderator meanwhile: what was wanted.
          if (discordCode(error) !== DiscordErrorCode.ThreadArchived) throw error;
        });
  } catch (error) {
    ctx.options.log.warn({ err: error, threadId: post.threadId, tag }, 'forum post not tagged');
  }
}
