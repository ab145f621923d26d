import { describe, expect, it } from 'vitest';
import type { XMedia, XPost } from './x-api-client.ts';
import { compareIds, isAnnounced, newestId, postItem, postKind, postText } from './x-posts.ts';

const post = (over: Partial<XPost> = {}): XPost => ({ id: '1800000000000000001', text: 'Hello', ...over });

describe('X posts as announcements', () => {
  it('compares post ids as numbers, not as text', () => {
    expect(compareIds('999999999999999998', '1000000000000000001')).toBe(-1);
    expect(newestId([null, '999999999999999998', '1000000000000000001', '5'])).toBe('1000000000000000001');
  });

  it('tells posts, quotes, replies and reposts apart and skips what was not chosen', () => {
    const reply = post({ referenced_tweets: [{ type: 'replied_to', id: '1' }] });
    const repost = post({ referenced_tweets: [{ type: 'retweeted', id: '1' }] });
    const quote = post({ referenced_tweets: [{ type: 'quoted', id: '1' }] });
    expect([post(), quote, reply, repost].map(postKind)).toEqual(['post', 'post', 'reply', 'repost']);
    const none = { includeReplies: false, includeReposts: false };
    expect([post(), quote, reply, repost].map((p) => isAnnounced(p, none))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(isAnnounced(reply, { ...none, includeReplies: true })).toBe(true);
    expect(isAnnounced(repost, { ...none, includeReposts: true })).toBe(true);
  });

  it('expands t.co links, drops the link to its own media (counting code points) and decodes entities', () => {
    const text = '🎉 Launch &amp; more: https://t.co/abc https://t.co/pic';
    const chars = Array.from(text);
    const at = (s: string) => Array.from(text.slice(0, text.indexOf(s))).length;
    const p = post({
      text,
      entities: {
        urls: [
          {
            start: at('https://t.co/abc'),
            end: at('https://t.co/abc') + 16,
            url: 'https://t.co/abc',
            expanded_url: 'https://acme.test/launch',
          },
          {
            start: at('https://t.co/pic'),
            end: chars.length,
            url: 'https://t.co/pic',
            expanded_url: 'https://x.com/acme/status/1/photo/1',
            media_key: '3_1',
          },
        ],
      },
    });
    expect(postText(p)).toBe('🎉 Launch & more: https://acme.test/launch');
  });

  it('makes the announcement: first line as title, picture, link by handle, time', () => {
    const media = new Map<string, XMedia>([
      ['3_1', { media_key: '3_1', type: 'video', preview_image_url: 'https://pbs.twimg.com/v.jpg' }],
      ['3_2', { media_key: '3_2', type: 'photo', url: 'http://insecure.test/p.jpg' }],
    ]);
    const item = postItem(
      post({
        text: 'Title line\nBody',
        created_at: '2026-01-01T00:00:00.000Z',
        attachments: { media_keys: ['3_2', '3_1'] },
      }),
      media,
      'acme',
    );
    expect(item).toEqual({
      id: '1800000000000000001',
      content: {
        title: 'Title line',
        url: 'https://x.com/acme/status/1800000000000000001',
        summary: 'Title line\nBody\n\n▶ Watch the video on X: https://x.com/acme/status/1800000000000000001',
        imageUrl: 'https://pbs.twimg.com/v.jpg',
        publishedAt: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(postItem(post({ text: '' }), new Map(), 'acme').content.title).toBe('New post from @acme');
  });

  it('keeps every photo, in order, the first as the picture and the others for the gallery', () => {
    const photos = ['a', 'b', 'c', 'd'].map(
      (k): XMedia => ({ media_key: k, type: 'photo', url: `https://pbs.twimg.com/${k}.jpg` }),
    );
    const media = new Map(photos.map((m) => [m.media_key, m]));
    const item = postItem(post({ attachments: { media_keys: ['b', 'a', 'd', 'c'] } }), media, 'acme');
    expect(item.content).toMatchObject({
      summary: 'Hello',
      imageUrl: 'https://pbs.twimg.com/b.jpg',
      moreImageUrls: [
        'https://pbs.twimg.com/a.jpg',
        'https://pbs.twimg.com/d.jpg',
        'https://pbs.twimg.com/c.jpg',
      ],
    });
    const gif = new Map<string, XMedia>([
      ['g', { media_key: 'g', type: 'animated_gif', preview_image_url: 'https://pbs.twimg.com/g.jpg' }],
    ]);
    const gifItem = postItem(post({ attachments: { media_keys: ['g'] } }), gif, 'acme');
    expect(gifItem.content.imageUrl).toBe('https://pbs.twimg.com/g.jpg');
    expect(gifItem.content.summary).toBe(
      'Hello\n\n▶ See the GIF on X: https://x.com/acme/status/1800000000000000001',
    );
    expect(gifItem.content).not.toHaveProperty('moreImageUrls');
  });
});
