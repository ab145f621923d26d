import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BrandSite {
  /** The brand's help page, which embeds the web-chat widget. */
  url: string;
  close(): Promise<void>;
}

/**
 * A brand's own web site on another origin (another port of 127.0.0.1), whose page embeds the widget with
 * the one script tag the README documents. A real server, not a routed response: Chromium lets only pages
 * served from the loopback address load scripts from it.
 */
export async function startBrandSite(
  switchboardUrl: string,
  options: { lang?: string } = {},
): Promise<BrandSite> {
  const page = `<!doctype html><html lang="${options.lang ?? 'en'}"><head><meta charset="utf-8"><title>Brand help</title></head><body><h1>Brand help</h1><script src="${switchboardUrl}/widget.js" async></script></body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/help`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
