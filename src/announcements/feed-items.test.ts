import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeedItems, plainText } from './feed-items.ts';

describe('parseFeedItems', () => {
  it('reads RSS 2.0 oldest first, with guid, link, summary and image', () => {
    const items = parseFeedItems(
      '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://a.test</link><description>d</description>' +
        '<item><title>Two</title><link>https://a.test/2</link><guid isPermaLink="false">g2</guid><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item>' +
        '<item><title>One</title><link>https://a.test/1</link><guid>g1</guid><description>&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;</description>' +
        '<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><enclosure url="https://a.test/1.png" type="image/png" length="1"/></item>' +
        '</channel></rss>',
    );
    expect(items).toEqual([
      {
        key: 'g1',
        title: 'One',
        url: 'https://a.test/1',
        summary: 'Hi & bye',
        imageUrl: 'https://a.test/1.png',
        publishedAt: '2024-01-01T00:00:00.000Z',
      },
      {
        key: 'g2',
        title: 'Two',
        url: 'https://a.test/2',
        summary: null,
        imageUrl: null,
        publishedAt: '2024-01-02T00:00:00.000Z',
      },
    ]);
  });

  it('falls back to the link when an RSS item has no guid, and keeps document order for undated items', () => {
    const items = parseFeedItems(
      '<rss version="2.0"><channel><title>T</title><link>https://a.test</link><description>d</description>' +
        '<item><title>Newer</title><link>https://a.test/b</link></item><item><title>Older</title><link>https://a.test/a</link></item>' +
        '</channel></rss>',
    );
    expect(items.map((i) => [i.key, i.title])).toEqual([
      ['https://a.test/a', 'Older'],
      ['https://a.test/b', 'Newer'],
    ]);
  });

  it('reads Atom entries by id and JSON Feed items', () => {
    const atom = parseFeedItems(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id><updated>2024-01-01T00:00:00Z</updated>' +
        '<entry><title>E</title><id>urn:e</id><link rel="alternate" href="https://a.test/e"/><updated>2024-01-02T00:00:00Z</updated><summary>S</summary></entry></feed>',
    );
    expect(atom).toEqual([
      {
        key: 'urn:e',
        title: 'E',
        url: 'https://a.test/e',
        summary: 'S',
        imageUrl: null,
        publishedAt: '2024-01-02T00:00:00.000Z',
      },
    ]);
    const json = parseFeedItems(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        items: [
          {
            id: '7',
            url: 'https://a.test/7',
            title: 'Seven',
            content_html: '<b>Bold</b>',
            image: 'https://a.test/7.png',
          },
        ],
      }),
    );
    expect(json).toEqual([
      {
        key: '7',
        title: 'Seven',
        url: 'https://a.test/7',
        summary: 'Bold',
        imageUrl: 'https://a.test/7.png',
        publishedAt: null,
      },
    ]);
  });

  it('refuses what is not a feed', () => {
    expect(() => parseFeedItems('<rss version="2.0"><channel><title>Oops</ti')).toThrow(FeedParseError);
    expect(() => parseFeedItems('<html><body>hi</body></html>')).toThrow(FeedParseError);
    expect(() => parseFeedItems('{"not":"a feed"')).toThrow(FeedParseError);
  });

  it('keeps only http(s) links and images', () => {
    const [item] = parseFeedItems(
      '<rss version="2.0"><channel><title>T</title><link>https://a.test</link><description>d</description>' +
        '<item><title>X</title><link>javascript:alert(1)</link><guid>x</guid></item></channel></rss>',
    );
    expect(item?.url).toBeNull();
  });
});

describe('plainText', () => {
  it('strips tags and scripts and clips', () => {
    expect(plainText('<script>x()</script><p>a</p><p>b</p>')).toBe('a\nb');
    expect(plainText('x'.repeat(700), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(plainText('<br>')).toBeNull();
  });
});
