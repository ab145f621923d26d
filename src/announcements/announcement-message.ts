import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { AnnouncementContent } from '../core/announcements/announcement.ts';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The Discord message an announcement is posted as (also the desktop's preview): one embed, no pings. */
export function announcementMessage(content: AnnouncementContent): RESTPostAPIChannelMessageJSONBody {
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
    ],
    allowed_mentions: { parse: [] },
  };
}
