import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { AnnouncementContent } from '../core/announcements/announcement.ts';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Discord shows at most 10 embeds in a message. */
const MAX_EMBEDS = 10;

/**
 * The Discord message an announcement is posted as (also the desktop's preview), no pings: one embed, and
 * one more per further picture carrying only that picture and the same link, which Discord shows as one
 * gallery under the first.
 */
export function announcementMessage(content: AnnouncementContent): RESTPostAPIChannelMessageJSONBody {
  const gallery = (content.imageUrl ? (content.moreImageUrls ?? []) : [])
    .slice(0, MAX_EMBEDS - 1)
    .map((url) => ({ ...(content.url ? { url: content.url } : {}), image: { url } }));
  return {
    embeds: [
      {
        title: clip(content.title, 256),
        ...(content.url ? { url: content.url } : {}),
        ...(content.summary ? { description: clip(content.summary, 4096) } : {}),
        ...(content.imageUrl ? { image: { url: content.imageUrl } } : {}),
        ...(content.sourceName ? { footer: { text: clip(content.sourceName, 2048) } } : {}),
        ...(content.publishedAt ? { timestamp: content.publishedAt } : {}),
        color: 0x5865f2,
      },
      ...gallery,
    ],
    allowed_mentions: { parse: [] },
  };
}
