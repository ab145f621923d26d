import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AnnouncementServiceOptions } from '../../src/announcements/announcement-service.ts';
import type { DiscordConnector } from '../../src/channels/discord/discord-connector.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import type { ApiMessage } from '../support/discord-emulator/api-objects.ts';
import { DiscordEmulator, type EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-42';

/** Short intervals for tests; no test asserts a duration. */
export const testAnnouncementOptions: Partial<AnnouncementServiceOptions> = {
  tickMs: 40,
  backoffBaseMs: 100,
  backoffMaxMs: 400,
  // Long enough for a redirect loop's four hops on a loaded machine; only the never-answering feed waits it out.
  feed: { timeoutMs: 2_000, maxRedirects: 3 },
};

export interface AnnouncementWorld {
  discord: DiscordEmulator;
  guild: EmulatedGuild;
  switchboard: Switchboard;
  base: string;
  /** The announcements channel `/setup` made. */
  channelId: string;
  /** The bot's posts in the announcements channel, oldest first. */
  posts(): ApiMessage[];
  /** An admin's JSON request (session cookie and CSRF header). */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops Switchboard (as a crash or a deploy would) and starts it again on the same database. */
  restart(between?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface AnnouncementWorldOptions {
  /** The scheduler's clock, kept across restarts (default: the system clock). */
  clock?: Clock;
  /** Where Switchboard logs (default: nowhere). */
  logger?: Logger;
  /** More environment variables for the configuration. */
  env?: Record<string, string>;
}

/** A real Switchboard (SQLite in a temp folder) logged in to the Discord emulator, with the server set up. */
export async function startAnnouncementWorld(
  options: Partial<AnnouncementServiceOptions> = testAnnouncementOptions,
  world: AnnouncementWorldOptions = {},
): Promise<AnnouncementWorld> {
  const discord = await DiscordEmulator.start();
  const guild = discord.createGuild({ name: 'Acme', textChannels: ['general'] });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-announce-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHBOARD_SAMPLE_KB: 'false',
    LOG_LEVEL: 'silent',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guild.id,
    // The feed servers of these tests listen on 127.0.0.1.
    SWITCHBOARD_FEEDS_ALLOW_PRIVATE: 'true',
    ...world.env,
  });
  const boot = async () => {
    const switchboard = await createSwitchboard(config, {
      announce: () => {},
      announcements: options,
      ...(world.clock ? { announcementClock: world.clock } : {}),
      ...(world.logger ? { logger: world.logger } : {}),
    });
    const base = await switchboard.start();
    return { switchboard, base };
  };
  let current = await boot();
  const connector = current.switchboard.center.connectors.get('discord') as DiscordConnector;
  const report = await connector.setupGuild(guild.id);
  const channelId = report.steps.find((s) => s.item === 'announcements')?.channelId;
  if (!report.ok || !channelId) throw new Error(`setup failed: ${JSON.stringify(report)}`);
  let cookie = '';
  const signIn = async () => {
    const res = await fetch(`${current.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const header = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
    if (!header) throw new Error(`sign-in failed: ${res.status}`);
    cookie = header.split(';')[0] ?? '';
  };
  await signIn();
  return {
    discord,
    guild,
    get switchboard() {
      return current.switchboard;
    },
    get base() {
      return current.base;
    },
    channelId,
    posts: () => discord.messagesIn(channelId).filter((m) => m.author.id === discord.botUser.id),
    admin: (method, p, body) =>
      fetch(`${current.base}${p}`, {
        method,
        headers: {
          cookie,
          'x-switchboard-csrf': '1',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async restart(between) {
      await current.switchboard.stop();
      await between?.();
      current = await boot();
      await signIn();
    },
    async close() {
      await current.switchboard.stop();
      await discord.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const embedOf = (message: ApiMessage | undefined) =>
  (message?.embeds?.[0] ?? {}) as {
    title?: string;
    url?: string;
    description?: string;
    image?: { url: string };
    footer?: { text: string };
  };

export type FeedHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local feed server on 127.0.0.1: route handlers by path, every request recorded. */
export class FeedServer {
  readonly requests: Array<{ path: string; headers: IncomingMessage['headers']; status: number }> = [];
  readonly routes = new Map<string, FeedHandler>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FeedServer> {
    const server = createServer();
    const feeds = new FeedServer(server);
    server.on('request', (req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const handler = feeds.routes.get(pathname);
      res.on('finish', () =>
        feeds.requests.push({ path: pathname, headers: req.headers, status: res.statusCode }),
      );
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return feeds;
  }

  url(p: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${p}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function rss(
  title: string,
  items: Array<{ guid: string; title: string; date: string; image?: string }>,
) {
  const entries = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>https://acme.test/${i.guid}</link><guid>${i.guid}</guid>` +
        `<description>&lt;p&gt;About ${i.title}&lt;/p&gt;</description><pubDate>${new Date(i.date).toUTCString()}</pubDate>` +
        (i.image ? `<enclosure url="${i.image}" type="image/png" length="10"/>` : '') +
        '</item>',
    )
    .reverse() // feeds list the newest first
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://acme.test</link><description>news</description>${entries}</channel></rss>`;
}
