import type { AnyThreadChannel, Message } from 'discord.js';
import type { DiscordContext } from '../discord-context.ts';
import { FORUM_CHANNEL, type ForumPost, forumPost, linkedForums, rememberForumPost } from '../forum-posts.ts';
import { receiveMessage } from './inbound-message.ts';

/**
 * A message in a post of a forum linked as a support entrance: the post's author's messages are its
 * conversation (one per post, answered in the post); other members may join in publicly, but their
 * messages are not the author's conversation. Returns false for a thread that is no such post.
 */
export async function onForumPostMessage(ctx: DiscordContext, message: Message): Promise<boolean> {
  const thread = message.channel as AnyThreadChannel;
  const settings = ctx.core.store.settings;
  let post = await forumPost(settings, thread.id);
  if (!post) {
    const guildId = message.guildId;
    const parentId = thread.parentId;
    if (!guildId || !parentId || thread.parent?.type !== FORUM_CHANNEL) return false;
    if (!(await linkedForums(settings, guildId)).includes(parentId)) return false;
    // The post's first message has the post's id; later ones find the post remembered.
    if (message.id !== thread.id || !thread.ownerId) return false;
    post = { threadId: thread.id, forumId: parentId, guildId, ownerId: thread.ownerId } satisfies ForumPost;
    await rememberForumPost(settings, post);
  }
  if (message.author.id !== post.ownerId) return true;
  // The title is the question's first line: members often write only a title and a detail or two.
  const text =
    message.id === thread.id && thread.name && !message.content.startsWith(thread.name)
      ? `${thread.name}\n${message.content}`.trim()
      : message.content;
  await receiveMessage(
    ctx,
    message,
    { channelId: thread.id, userId: post.ownerId, forumPost: true },
    { thread: thread.id, text },
  );
  return true;
}
