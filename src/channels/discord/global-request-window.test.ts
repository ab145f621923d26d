import { setTimeout as sleep } from 'node:timers/promises';
import { REST, type RESTOptions, Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../../test/support/discord-emulator/discord-emulator.ts';
import { GlobalRequestWindow } from './global-request-window.ts';
import { SharedRestLimiter } from './shared-rest-limiter.ts';

// discord.js counts its own global window as one second, whatever its rate.
const WINDOW_MS = 1_000;
const PER_WINDOW = 3;

let discord: DiscordEmulator;
beforeEach(async () => {
  discord = await DiscordEmulator.start({ globalRateLimit: { limit: PER_WINDOW, windowMs: WINDOW_MS } });
});
afterEach(async () => {
  await discord.close();
});

function rest(options: Partial<RESTOptions> = {}): REST {
  return new REST({ api: `${discord.url}/api`, retries: 0, ...options }).setToken(discord.token);
}

/**
 * The first window's requests reach Discord late (their channels are held for a while, as a slow new
 * connection would hold them), so Discord's window opens late; then as many requests again go.
 */
async function lateFirstWindow(client: REST): Promise<string[][]> {
  const guild = discord.createGuild({ textChannels: ['a', 'b', 'c', 'd', 'e', 'f'] });
  const channels = Object.values(guild.channels).map((c) => c.id);
  const late = channels.slice(0, PER_WINDOW);
  for (const channel of late) discord.holdChannel(channel);
  const posts = channels.map((channel) =>
    client.post(Routes.channelMessages(channel), { body: { content: `to ${channel}` } }),
  );
  await discord.waitFor(
    () => late.every((c) => discord.heldRequests(c).length === 1),
    5_000,
    'first window held',
  );
  await sleep(250);
  for (const channel of late) discord.releaseChannel(channel);
  await Promise.all(posts);
  return channels.map((channel) => discord.messagesIn(channel).map((m) => m.content));
}

describe("Discord's global limit kept by one process", () => {
  it('the next window opens a window after the first answer, not after the first request left: no 429', async () => {
    const limiter = new SharedRestLimiter({
      localGlobalWindow: { perWindow: PER_WINDOW, windowMs: WINDOW_MS },
    });
    const delivered = await lateFirstWindow(rest(limiter.restOptions(5_000)));

    expect(delivered.map((contents) => contents.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(discord.requests({ status: 429 })).toEqual([]);
    // Every window Discord opened was used in full, none above its limit.
    expect(discord.globalRateLimitWindows().map((w) => w.count)).toEqual([PER_WINDOW, PER_WINDOW]);
  });

  it("discord.js's own window, counted from the moment the first request left, meets Discord's with 429s", async () => {
    const delivered = await lateFirstWindow(rest({ globalRequestsPerSecond: PER_WINDOW }));

    // discord.js retries them, so everything arrives, but only after Discord refused some.
    expect(delivered.map((contents) => contents.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(discord.requests({ status: 429 }).length).toBeGreaterThan(0);
  });

  it('a window none of whose requests answered ends after the stale time all the same', async () => {
    const window = new GlobalRequestWindow({ perWindow: 1, windowMs: 50, staleMs: 120 });
    const started = Date.now();
    await window.take(); // never answered
    const answered = await window.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    answered();
    const next = window.take();
    expect(window.waitingCount).toBe(1);
    await next;
    expect(window.waitingCount).toBe(0);
  });
});
