/**
 * Outbound with a backlog, in `npm run bench:discord`: replies for many conversations written to the outbox at
 * once, delivered while the Discord API emulator enforces Discord's limits (50 requests/s per bot, messages 5 per
 * 5 s per channel, …: `discordRouteRateLimits`). Measured beside a bare discord.js client that posts the same
 * messages with `rest.post` all at once (discord.js queues them per bucket and keeps to the headers).
 *
 *   share   how much of the bot's global limit the client used while the backlog drained. The emulator keeps
 *           Discord's global limit as a fixed 1-second window opened by the first request after the previous
 *           window ran out; share = requests let through in every window but the last ÷ (50 × seconds from
 *           the first window's opening to the last one's). 100 % is a full window every second.
 *   429s    answers with status 429 the emulator gave during the drain (any scope).
 *   drain   from the backlog written (or posted) to its last message received by the emulator.
 *   order   each conversation's messages arrived in the order they were written, none lost, none doubled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Routes } from 'discord.js';
import { loadConfig } from '../../src/config.ts';
import type { Conversation } from '../../src/core/model.ts';
import { postMessage } from '../../src/core/outbox/post-message.ts';
import { inTransaction } from '../../src/core/unit-of-work.ts';
import { createSwitchboard } from '../../src/main.ts';
import type { ApiMessage, ApiUser } from '../../test/support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../../test/support/discord-emulator/discord-emulator.ts';
import { discordRouteRateLimits } from '../../test/support/discord-emulator/rate-limiter.ts';
import { startBareDiscord } from '../support/bare-discord.ts';

const GLOBAL_PER_SECOND = 50;

/** Discord's limits: 50 requests/s per bot, and the per-route buckets Discord announces to a bot. */
const DISCORD_LIMITS: Partial<DiscordEmulatorOptions> = {
  globalRateLimit: { limit: GLOBAL_PER_SECOND, windowMs: 1_000 },
  routeRateLimits: discordRouteRateLimits,
  replayBufferSize: 100,
};

export interface Backlog {
  conversations: number;
  repliesEach: number;
}

export interface DrainResult {
  messages: number;
  requests: number;
  rateLimited: number;
  share: number;
  drainMs: number;
  /** Messages that arrived out of their conversation's order, missing, or twice. */
  misordered: number;
  missing: number;
  doubled: number;
}

/** Waits for the emulator's global window to run out, so that a drain starts in a fresh one. */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 1_200));

function measure(
  discord: DiscordEmulator,
  fromRequest: number,
  fromWindow: number,
  written: number,
  received: Map<string, string[]>,
  expected: Map<string, string[]>,
  drainedAt: number,
): DrainResult {
  const requests = discord.requests().slice(fromRequest);
  const windows = discord.globalRateLimitWindows().slice(fromWindow);
  const first = windows[0];
  const last = windows.at(-1);
  const spanS = first && last ? (last.openedAt - first.openedAt) / 1000 : 0;
  const full = windows.slice(0, -1).reduce((n, w) => n + w.count, 0);
  let misordered = 0;
  let missing = 0;
  let doubled = 0;
  for (const [channel, texts] of expected) {
    const got = received.get(channel) ?? [];
    const seen = new Set<string>();
    for (const text of got) {
      if (seen.has(text)) doubled += 1;
      seen.add(text);
    }
    missing += texts.filter((t) => !seen.has(t)).length;
    const inOrder = texts.filter((t) => seen.has(t));
    const firstSeen = got.filter((t, i) => got.indexOf(t) === i);
    misordered += inOrder.filter((t, i) => firstSeen[i] !== t).length;
  }
  return {
    messages: [...expected.values()].reduce((n, t) => n + t.length, 0),
    requests: requests.length,
    rateLimited: requests.filter((r) => r.status === 429).length,
    share: spanS > 0 ? full / (GLOBAL_PER_SECOND * spanS) : Number.NaN,
    drainMs: drainedAt - written,
    misordered,
    missing,
    doubled,
  };
}

/** Resolves once every expected text arrived (at the time the last did), or rejects after `timeoutMs`. */
function drained(
  received: Map<string, string[]>,
  total: number,
  onArrival: { notify: () => void },
  timeoutMs = 180_000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench: the backlog did not drain within ${timeoutMs} ms`)),
      timeoutMs,
    );
    onArrival.notify = () => {
      const count = [...received.values()].reduce((n, t) => n + t.length, 0);
      if (count >= total) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
  });
}

function addMembers(discord: DiscordEmulator, count: number): { members: ApiUser[]; guildId: string } {
  const guild = discord.createGuild({
    name: 'Acme',
    textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
  });
  const members = Array.from({ length: count }, (_, i) => {
    const user = discord.createUser({ username: `member${i}` });
    discord.addMember(guild, user);
    return user;
  });
  return { members, guildId: guild.id };
}

/** Switchboard: the backlog written to the outbox in one transaction, as replies of an agent. */
async function switchboardDrain(backlog: Backlog): Promise<DrainResult> {
  const discord = await DiscordEmulator.start(DISCORD_LIMITS);
  const { members, guildId } = addMembers(discord, backlog.conversations);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-outbound-'));
  const sb = await createSwitchboard(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: 'bench-admin-password',
      SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: `${discord.url}/api`,
      DISCORD_GUILD_IDS: guildId,
    }),
    { announce: () => {} },
  );
  try {
    await sb.start();
    // Setup (not measured): every member says hello, so each has a conversation with a DM address.
    for (const member of members) discord.sendDm(member, 'hello');
    const store = sb.center.store;
    await discord.waitFor(
      () => members.every((m) => discord.dmMessages(m).some((x) => x.author.bot)),
      120_000,
      'every member greeted',
    );
    const conversations = (await store.conversations.list({ channel: 'discord' })).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    if (conversations.length !== backlog.conversations)
      throw new Error(`bench: ${conversations.length} conversations, not ${backlog.conversations}`);

    const expected = new Map<string, string[]>();
    const received = new Map<string, string[]>();
    const onArrival = { notify: () => {} };
    const channelOf = (c: Conversation) => String((c.address as { channelId?: string }).channelId);
    const wanted = new Set<string>();
    for (const c of conversations) {
      const texts = Array.from({ length: backlog.repliesEach }, (_, i) => `backlog ${c.id} ${i + 1}`);
      expected.set(channelOf(c), texts);
      for (const t of texts) wanted.add(t);
    }
    discord.onMessage((message: ApiMessage) => {
      const text = message.content.split('\n').at(-1) ?? '';
      if (!message.author.bot || !wanted.has(text)) return;
      received.set(message.channel_id, [...(received.get(message.channel_id) ?? []), text]);
      onArrival.notify();
    });
    const total = backlog.conversations * backlog.repliesEach;
    const done = drained(received, total, onArrival);
    await quiet();
    const fromRequest = discord.requests().length;
    const fromWindow = discord.globalRateLimitWindows().length;
    // The backlog: every conversation's replies, oldest first, written together (the dispatcher wakes after).
    const now = new Date().toISOString();
    await inTransaction(store, sb.center.bus, async (tx, emit) => {
      for (let i = 0; i < backlog.repliesEach; i++) {
        for (const c of conversations) {
          await postMessage(
            tx,
            emit,
            c,
            { authorKind: 'agent', authorName: 'Agent', text: `backlog ${c.id} ${i + 1}` },
            now,
          );
        }
      }
    });
    const written = performance.now();
    const drainedAt = await done;
    return measure(discord, fromRequest, fromWindow, written, received, expected, drainedAt);
  } finally {
    await sb.stop();
    await discord.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Baseline: the bare discord.js client posts the same messages at once; its REST queues them per bucket. */
async function baselineDrain(backlog: Backlog): Promise<DrainResult> {
  const bare = await startBareDiscord({
    members: backlog.conversations,
    emulator: DISCORD_LIMITS,
    onInbound: () => {},
    onOutbound: () => {},
  });
  const { discord, client } = bare;
  try {
    const channels = bare.members.map((m) => discord.sendDm(m, 'hello').channel_id);
    const expected = new Map<string, string[]>();
    const received = new Map<string, string[]>();
    const onArrival = { notify: () => {} };
    for (const channel of channels) {
      expected.set(
        channel,
        Array.from({ length: backlog.repliesEach }, (_, i) => `backlog ${channel} ${i + 1}`),
      );
    }
    discord.onMessage((message: ApiMessage) => {
      if (!message.author.bot) return;
      received.set(message.channel_id, [...(received.get(message.channel_id) ?? []), message.content]);
      onArrival.notify();
    });
    const total = backlog.conversations * backlog.repliesEach;
    const done = drained(received, total, onArrival);
    await quiet();
    const fromRequest = discord.requests().length;
    const fromWindow = discord.globalRateLimitWindows().length;
    const written = performance.now();
    const posts: Array<Promise<unknown>> = [];
    for (let i = 0; i < backlog.repliesEach; i++) {
      for (const channel of channels) {
        posts.push(
          client.rest.post(Routes.channelMessages(channel), {
            body: { content: `backlog ${channel} ${i + 1}` },
          }),
        );
      }
    }
    const drainedAt = await done;
    await Promise.all(posts);
    return measure(discord, fromRequest, fromWindow, written, received, expected, drainedAt);
  } finally {
    await bare.close();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const pad = (s: string, n: number) => s.padStart(n);

/** Prints the outbound-backlog rows of `bench:discord`. */
export async function benchOutbound(options: { quick: boolean }): Promise<void> {
  const backlogs: Backlog[] = options.quick
    ? [{ conversations: 100, repliesEach: 5 }]
    : [
        { conversations: 100, repliesEach: 5 },
        { conversations: 200, repliesEach: 5 },
      ];
  const rows: Array<{ backlog: Backlog; sb: DrainResult; base: DrainResult }> = [];
  for (const backlog of backlogs) {
    const base = await baselineDrain(backlog);
    const sb = await switchboardDrain(backlog);
    rows.push({ backlog, sb, base });
  }
  console.log(
    "\nOutbound with a backlog: replies written to the outbox at once, the emulator enforcing Discord's limits",
  );
  console.log(
    '  (50 requests/s per bot; messages 5 per 5 s per channel). Baseline: a bare discord.js client posting the same',
  );
  console.log(
    "  messages with rest.post all at once. share = requests in the emulator's full global windows ÷ (50/s × their",
  );
  console.log(
    '  span); 429s: answers with status 429; drain: written → last message received; order: per conversation.',
  );
  console.log(
    `${pad('backlog', 9)} │ ${pad('Switchboard share', 17)} ${pad('429s', 5)} ${pad('req', 5)} ${pad('drain s', 8)} ${pad('order', 14)} │ ${pad('bare discord.js share', 21)} ${pad('429s', 5)} ${pad('drain s', 8)} ${pad('order', 14)}`,
  );
  const order = (r: DrainResult) =>
    r.misordered + r.missing + r.doubled === 0
      ? 'kept'
      : `${r.misordered} out,${r.missing} lost,${r.doubled} 2×`;
  for (const { backlog, sb, base } of rows) {
    console.log(
      `${pad(`${backlog.conversations}×${backlog.repliesEach}`, 9)} │ ${pad(`${fmt(sb.share * 100)} %`, 17)} ${pad(String(sb.rateLimited), 5)} ${pad(String(sb.requests), 5)} ${pad(fmt(sb.drainMs / 1000, 2), 8)} ${pad(order(sb), 14)} │ ${pad(`${fmt(base.share * 100)} %`, 21)} ${pad(String(base.rateLimited), 5)} ${pad(fmt(base.drainMs / 1000, 2), 8)} ${pad(order(base), 14)}`,
    );
  }
}
