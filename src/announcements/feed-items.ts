import { parseFeed } from 'feedsmith';

/** One entry of an RSS 2.0, Atom, RDF or JSON Feed document, as an announcement is made of it. */
export interface FeedItem {
  /** guid / id / link: what makes the item posted once. */
  key: string;
  title: string;
  url: string | null;
  summary: string | null;
  imageUrl: string | null;
  publishedAt: string | null;
}

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

/** Text of a feedsmith value: a string, or Atom's `{ value }` text construct. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object' && 'value' in value)
    return text((value as { value: unknown }).value);
  return null;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Plain text of an HTML summary, clipped for an embed description. */
export function plainText(html: string | null, max = 600): string | null {
  if (!html) return null;
  const plain = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!plain) return null;
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

const httpUrl = (value: string | null): string | null =>
  value && /^https?:\/\//i.test(value) ? value : null;

function isoDate(value: unknown): string | null {
  const raw = text(value);
  if (!raw) return null;
  const time = Date.parse(raw);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * Parses a feed document into items, oldest first (by date; undated items keep document order, which
 * feeds write newest first). Throws FeedParseError when the document is not a feed.
 */
export function parseFeedItems(body: string): FeedItem[] {
  let parsed: { format: string; feed: unknown };
  try {
    const trimmed = body.trim();
    const input: unknown = trimmed.startsWith('{') ? JSON.parse(trimmed) : body;
    parsed = parseFeed(input as string) as { format: string; feed: unknown };
  } catch (error) {
    throw new FeedParseError(`not a valid feed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const feed = record(parsed.feed);
  const raw = list(parsed.format === 'atom' ? feed.entries : feed.items);
  const items: FeedItem[] = [];
  for (const entry of raw.map(record)) {
    let item: Omit<FeedItem, 'key'> & { key: string | null };
    if (parsed.format === 'atom') {
      const links = list(entry.links).map(record);
      const link =
        text(links.find((l) => l.rel === undefined || l.rel === 'alternate')?.href) ?? text(links[0]?.href);
      const image = links.find((l) => l.rel === 'enclosure' && String(l.type ?? '').startsWith('image/'));
      item = {
        key: text(entry.id) ?? link,
        title: text(entry.title) ?? link ?? '',
        url: httpUrl(link),
        summary: plainText(text(entry.summary) ?? text(entry.content)),
        imageUrl: httpUrl(text(image?.href)),
        publishedAt: isoDate(entry.published) ?? isoDate(entry.updated),
      };
    } else if (parsed.format === 'json') {
      const url = text(entry.url);
      item = {
        key: text(entry.id) ?? url,
        title: text(entry.title) ?? plainText(text(entry.content_text), 200) ?? url ?? '',
        url: httpUrl(url),
        summary: text(entry.summary) ?? plainText(text(entry.content_html) ?? text(entry.content_text)),
        imageUrl: httpUrl(text(entry.image) ?? text(entry.banner_image)),
        publishedAt: isoDate(entry.date_published) ?? isoDate(entry.date_modified),
      };
    } else {
      // RSS 2.0 and RDF (RSS 1.0).
      const link = text(entry.link);
      const enclosure = list(entry.enclosures)
        .map(record)
        .find((e) => String(e.type ?? '').startsWith('image/'));
      const media = list(record(entry.media).contents)
        .map(record)
        .find((m) => String(m.type ?? m.medium ?? '').startsWith('image'));
      item = {
        key: text(record(entry.guid).value) ?? text(entry.guid) ?? link ?? text(entry.title),
        title: text(entry.title) ?? link ?? '',
        url: httpUrl(link),
        summary: plainText(text(entry.description)),
        imageUrl: httpUrl(text(enclosure?.url) ?? text(media?.url)),
        publishedAt: isoDate(entry.pubDate) ?? isoDate(record(entry.dc).date),
      };
    }
    if (item.key && item.title) items.push({ ...item, key: item.key });
  }
  // Document order is newest first; reverse it, then a stable sort by date keeps it for equal dates.
  const ordered = items.reverse();
  return ordered
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const da = a.item.publishedAt ?? '';
      const db = b.item.publishedAt ?? '';
      if (da && db && da !== db) return da < db ? -1 : 1;
      return a.index - b.index;
    })
    .map(({ item }) => item);
}
