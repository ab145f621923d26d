import type { AnnouncementContent, XAccount } from '../core/announcements/announcement.ts';
import type { XMedia, XPost } from './x-api-client.ts';

/** An X post as an announcement is made of it: keyed by the post id. */
export interface XPostItem {
  id: string;
  content: Omit<AnnouncementContent, 'sourceName'>;
}

/** Post ids are 64-bit numbers in strings: compared as numbers, not as text. */
export const compareIds = (a: string, b: string): number => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export const newestId = (ids: Array<string | null>): string | null =>
  ids.reduce<string | null>((max, id) => (id && (!max || compareIds(id, max) > 0) ? id : max), null);

/** What a post is to the source: its own post (quotes too), a reply or a repost. */
export function postKind(post: XPost): 'post' | 'reply' | 'repost' {
  const types = new Set((post.referenced_tweets ?? []).map((r) => r.type));
  if (types.has('retweeted')) return 'repost';
  if (types.has('replied_to')) return 'reply';
  return 'post';
}

export function isAnnounced(
  post: XPost,
  account: Pick<XAccount, 'includeReplies' | 'includeReposts'>,
): boolean {
  const kind = postKind(post);
  return (
    kind === 'post' ||
    (kind === 'reply' && account.includeReplies) ||
    (kind === 'repost' && account.includeReposts)
  );
}

/** X escapes these three in `text`. */
const decodeEntities = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * The post's text as a reader should see it: t.co links replaced by the links they stand for, the links
 * to the post's own media removed (the media is shown as the embed's image). `start`/`end` count code points.
 */
export function postText(post: XPost): string {
  const chars = Array.from(post.text);
  const urls = [...(post.entities?.urls ?? [])]
    .filter((u) => u.start >= 0 && u.end <= chars.length && u.start < u.end)
    .sort((a, b) => b.start - a.start);
  for (const u of urls) {
    const isMedia =
      u.media_key !== undefined ||
      /^https?:\/\/(x|twitter)\.com\/[^/]+\/status\/\d+\/(photo|video)\//.test(u.expanded_url ?? '');
    const replacement = isMedia ? '' : (u.expanded_url ?? u.url);
    // Only where the text really holds the short link (entities of an edited post may be stale).
    if (chars.slice(u.start, u.end).join('') === u.url) chars.splice(u.start, u.end - u.start, replacement);
  }
  return decodeEntities(chars.join(''))
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

const httpsUrl = (value: string | undefined): string | null =>
  value && /^https:\/\//i.test(value) ? value : null;

/** Discord shows at most 10 embeds, so a gallery of 10 pictures (X allows 4 photos, or one video or GIF). */
const MAX_PICTURES = 10;

/** The post's pictures, in order: each photo's own URL, a video's or GIF's preview image. */
export function postImages(post: XPost, media: Map<string, XMedia>): string[] {
  const urls: string[] = [];
  for (const key of post.attachments?.media_keys ?? []) {
    const m = media.get(key);
    if (!m) continue;
    const url = httpsUrl(
      m.type === 'photo' ? (m.url ?? m.preview_image_url) : (m.preview_image_url ?? m.url),
    );
    if (url && !urls.includes(url)) urls.push(url);
  }
  return urls.slice(0, MAX_PICTURES);
}

/** A video or GIF cannot play in an embed: its preview image is shown and this line says where it plays. */
function playLine(post: XPost, media: Map<string, XMedia>, url: string): string | null {
  const kinds = (post.attachments?.media_keys ?? []).map((key) => media.get(key)?.type);
  if (kinds.includes('video')) return `▶ Watch the video on X: ${url}`;
  if (kinds.includes('animated_gif')) return `▶ See the GIF on X: ${url}`;
  return null;
}

/** The first line of the text as the embed's title; the whole text below it. */
function titleOf(text: string, handle: string): string {
  const first =
    text
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? '';
  if (!first) return `New post from @${handle}`;
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

/**
 * The announcement of one post: its text, every picture (a video's or GIF's preview with a line linking to
 * the post, where it plays), its link on x.com and when it was posted.
 */
export function postItem(post: XPost, media: Map<string, XMedia>, handle: string): XPostItem {
  const text = postText(post);
  const created = post.created_at ? Date.parse(post.created_at) : Number.NaN;
  const url = `https://x.com/${encodeURIComponent(handle)}/status/${post.id}`;
  const [first = null, ...more] = postImages(post, media);
  const play = playLine(post, media, url);
  const summary = [text, play].filter(Boolean).join('\n\n');
  return {
    id: post.id,
    content: {
      title: titleOf(text, handle),
      url,
      summary: summary || null,
      imageUrl: first,
      ...(more.length > 0 ? { moreImageUrls: more } : {}),
      publishedAt: Number.isNaN(created) ? null : new Date(created).toISOString(),
    },
  };
}
