import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restrictedAddressKind } from '../net/address-policy.ts';
import { FeedError, FeedReader } from './feed-reader.ts';

const rss =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Acme</title><link>https://acme.test</link>' +
  '<description>news</description><item><title>Hello</title><link>https://acme.test/1</link><guid>1</guid></item></channel></rss>';

/** Feeds on this machine: the requests that reached it are recorded, so a test sees what was never sent. */
describe('FeedReader and private addresses', () => {
  let server: Server;
  let port: number;
  const reached: string[] = [];
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      reached.push(req.url ?? '');
      const handler = routes.get(req.url ?? '');
      if (handler) handler(req, res);
      else res.writeHead(404).end();
    });
    routes.set('/feed.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
      res.end(gzipSync(rss));
    });
    routes.set('/to-private', (_req, res) => res.writeHead(302, { location: 'http://10.0.0.1/admin' }).end());
    routes.set('/to-localhost', (_req, res) =>
      res.writeHead(301, { location: `http://localhost:${port}/feed.xml` }).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const read = (reader: FeedReader, url: string) =>
    reader.read(url, { etag: null, lastModified: null }).catch((error: unknown) => error);

  it('refuses loopback by address and by name, before sending anything', async () => {
    const reader = new FeedReader({ timeoutMs: 5_000 });
    for (const [url, address] of [
      [`http://127.0.0.1:${port}/feed.xml`, '127.0.0.1'],
      [`http://[::1]:${port}/feed.xml`, '::1'],
      [`http://[::ffff:127.0.0.1]:${port}/feed.xml`, '::ffff:7f00:1'],
      [`http://localhost:${port}/feed.xml`, '(of localhost)'],
    ] as const) {
      const error = await read(reader, url);
      expect(error, url).toBeInstanceOf(FeedError);
      expect((error as FeedError).kind, url).toBe('refused');
      expect((error as FeedError).message, url).toContain(
        `address ${address.startsWith('(') ? '' : address}`,
      );
      expect((error as FeedError).message, url).toContain(address);
      expect((error as FeedError).message, url).toMatch(
        /is loopback.*; set SWITCHBOARD_FEEDS_ALLOW_PRIVATE=true/,
      );
    }
    expect(reached).toEqual([]);
  });

  it('checks every redirect hop, by address and by name', async () => {
    // This machine's loopback stands in for a public feed host: only 127.0.0.1 is let through.
    const reader = new FeedReader({
      timeoutMs: 5_000,
      restrictedAddress: (address) => (address === '127.0.0.1' ? null : restrictedAddressKind(address)),
    });
    const literal = await read(reader, `http://127.0.0.1:${port}/to-private`);
    expect(literal).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/^address 10\.0\.0\.1 is private;/),
    });
    expect(reached).toEqual(['/to-private']);

    // `localhost` may resolve to ::1 as well: a name with any restricted address is refused.
    const strict = new FeedReader({
      timeoutMs: 5_000,
      // Until the first hop has been answered, 127.0.0.1 is let through; the redirect's name then is not.
      restrictedAddress: (address) =>
        address === '127.0.0.1' && !reached.includes('/to-localhost') ? null : 'loopback',
    });
    const named = await read(strict, `http://127.0.0.1:${port}/to-localhost`);
    expect(named).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('(of localhost) is loopback'),
    });
    expect(reached).toEqual(['/to-private', '/to-localhost']);
  });

  it('reads a feed on a private network when that is allowed (and decompresses it)', async () => {
    const reader = new FeedReader({ timeoutMs: 5_000, allowPrivate: true });
    const result = await reader.read(`http://localhost:${port}/feed.xml`, { etag: null, lastModified: null });
    expect(result).toMatchObject({ kind: 'items', items: [expect.objectContaining({ title: 'Hello' })] });
  });
});
