import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  DiscordEmulator,
  EmulatedGuild,
  RecordedRequest,
} from '../support/discord-emulator/discord-emulator.ts';
import { discordRouteRateLimits } from '../support/discord-emulator/rate-limiter.ts';
import { eventually } from '../support/eventually.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { LoadHarness, spawnSwitchboard, startLoadDiscord } from './load-harness.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
if (!databaseUrl || !redisUrl)
  console.log('Discord REST limits fault test skipped: TEST_DATABASE_URL and TEST_REDIS_URL are needed');

const MEMBERS = 50;
const REPLIES_PER_MEMBER = 10;
const POST_MESSAGE = 'POST /channels/:channel_id/messages';
/** Discord's global limit for a bot. */
const GLOBAL_PER_SECOND = 50;
const METRICS_TOKEN = 'rest-limits-metrics-token';

/** A connection URL whose sessions see only `schema`, so parallel runs never share tables. */
function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Outbox items not delivered yet (the backlog), read from the instances' database. */
async function pendingMessages(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from outbox where channel = 'discord' and status = 'pending'`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What the bot's requests during the backlog came to: the figures the test prints. */
function figures(requests: RecordedRequest[]) {
  // Interaction callbacks are outside the global limit; everything else counts against the bot's 50/s.
  const counted = requests.filter((r) => !r.path.includes('/interactions/'));
  const first = counted[0]?.at ?? 0;
  const last = counted.at(-1)?.at ?? first;
  const seconds = Math.max(0.001, (last - first) / 1000);
  let peak = 0;
  for (let i = 0, j = 0; i < counted.length; i += 1) {
    while (counted[i]!.at - counted[j]!.at >= 1000) j += 1;
    peak = Math.max(peak, i - j + 1);
  }
  return {
    requests: counted.length,
    seconds: Number(seconds.toFixed(1)),
    perSecond: Number((counted.length / seconds).toFixed(1)),
    share: `${((100 * counted.length) / seconds / GLOBAL_PER_SECOND).toFixed(0)}%`,
    peakPerSecond: peak,
    tooMany: counted.filter((r) => r.status === 429).length,
  };
}

/**
 * Two real Switchboard processes on one PostgreSQL schema of the test's own deliver a backlog together,
 * against an emulator that enforces Discord's limits the way Discord does: 50 requests/s for the bot
 * whichever process sends them, messages 5 per 5 s per channel (`discordRouteRateLimits`).
 *
 * The backlog: 50 members ask for a person and an agent sends each of them 10 replies while Discord's
 * REST answers 503 (with the case-number and "joined" messages, 600 messages in the outbox); that
 * instance stops, Discord recovers, and two instances start and deliver everything. With Redis the
 * instances keep Discord's limits together: no 429 at all, every message once and in order. Without
 * Redis each keeps discord.js's own per-process limits, and the same backlog draws 429s (delivery still
 * completes: discord.js waits them out) — what the shared limits are for.
 */
describe.skipIf(!databaseUrl || !redisUrl)('two instances sending a backlog under Discord’s limits', () => {
  let discord: DiscordEmulator | undefined;
  let guild: EmulatedGuild;
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  let schema = '';
  let prefix = '';
  let load: LoadHarness | undefined;

  afterEach(async () => {
    await load?.stop();
    load = undefined;
    for (const server of servers.splice(0)) await server.kill();
    await discord?.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (schema) await admin(`drop schema if exists "${schema}" cascade`);
    if (prefix) {
      // What the instances kept in Redis (the shared limits) goes with the run.
      const redis = new Redis(redisUrl!);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  }, 60_000);

  const explain = () =>
    servers
      .map(
        (server, i) =>
          `instance ${i + 1}:\n${server
            .output()
            .split('\n')
            .filter((line) => !/incoming request|request completed/.test(line))
            .slice(-30)
            .join('\n')}`,
      )
      .join('\n');

  /** Starts a Switchboard process; `shared`: with Redis (the limits kept together), else without. */
  const startInstance = (shared: boolean, database: string): ServerProcess => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-rest-limits-'));
    dirs.push(dir);
    const server = spawnSwitchboard(discord!, guild, {
      SWITCHBOARD_DATA_DIR: dir,
      DATABASE_URL: database,
      SWITCHBOARD_METRICS_TOKEN: METRICS_TOKEN,
      // Every conversation of the backlog in flight at once (16 by default): the instances press on Discord's
      // limits as hard as they can, and the per-channel limits, not the instances, set the pace.
      SWITCHBOARD_OUTBOX_CONCURRENCY: String(MEMBERS),
      ...(shared ? { REDIS_URL: redisUrl!, SWITCHBOARD_REDIS_PREFIX: prefix } : {}),
    });
    servers.push(server);
    return server;
  };

  /** Builds the backlog on one instance while Discord's REST fails, then delivers it with two. */
  async function deliverBacklog(shared: boolean) {
    ({ discord, guild } = await startLoadDiscord({ routeRateLimits: discordRouteRateLimits }));
    schema = `switchboard_rest_limits_${randomUUID().replaceAll('-', '')}`;
    await admin(`create schema "${schema}"`);
    const database = urlWithSchema(databaseUrl!, schema);
    prefix = `switchboard-test-${randomUUID()}`;

    // The backlog: written while Discord's REST answers 503 to every message posted.
    const first = startInstance(shared, database);
    const firstUrl = await first.url();
    discord.failNext(POST_MESSAGE, 1_000_000, 503);
    load = await LoadHarness.start({
      discord,
      guild,
      urls: [firstUrl],
      store: { postgres: database },
      askers: 0,
      handoffMembers: MEMBERS,
      // Hand-off members write once more after their request; their updates are stored, not answered.
      messageIntervalMs: 5_000,
      agents: 1,
      agentCapacity: MEMBERS,
      replyIntervalMs: 0,
      repliesPerConversation: REPLIES_PER_MEMBER,
    });
    await eventually(
      `${MEMBERS * REPLIES_PER_MEMBER} agent replies accepted`,
      () => {
        if (!first.groupAlive()) throw new Error(`the instance exited:\n${explain()}`);
        return load!.acceptedReplies >= MEMBERS * REPLIES_PER_MEMBER;
      },
      90_000,
    );
    await load.stop();
    first.child.kill('SIGTERM');
    await first.exited;
    const backlog = await pendingMessages(database);

    // Discord recovers; two instances deliver the backlog together.
    discord.failNext(POST_MESSAGE, 0);
    const mark = discord.requests().length;
    const bot = discord.botUser.id;
    let delivered = 0;
    const stopCounting = discord.onMessage((message) => {
      if (message.author.id === bot) delivered += 1;
    });
    const instances = [startInstance(shared, database), startInstance(shared, database)];
    const urls = await Promise.all(instances.map((server) => server.url()));
    load.setUrls(urls);
    // A cheap wait while the instances deliver (this process is the emulator: it must stay responsive),
    // then the full check once.
    await eventually(
      `the ${backlog} messages of the backlog posted`,
      () => {
        for (const server of instances)
          if (!server.groupAlive()) throw new Error(`an instance exited:\n${explain()}`);
        return delivered >= backlog;
      },
      120_000,
    );
    stopCounting();
    const report = await load.settle(60_000);
    const delivery = discord.requests().slice(mark);
    // The 429s each instance counted for Prometheus.
    let counted = 0;
    for (const url of urls) {
      const metrics = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      for (const [, value] of (await metrics.text()).matchAll(
        /^switchboard_discord_rate_limited_total\{[^}]*\} (\d+)$/gm,
      ))
        counted += Number(value);
    }
    return {
      report,
      backlog: { messages: backlog, ...figures(delivery) },
      counted,
      tooMany: delivery.filter((r) => r.status === 429),
    };
  }

  it('with Redis: 0 429s, every message delivered once and in order', async () => {
    const { report, backlog, counted } = await deliverBacklog(true);
    console.log('backlog with the limits shared (Redis):', backlog);
    expect(report.problems, `${report.text}\n${explain()}`).toEqual([]);
    expect(report.counts.repliesAccepted).toBe(MEMBERS * REPLIES_PER_MEMBER);
    // The replies, the case numbers and the "joined" messages were all waiting when the instances started.
    expect(backlog.messages).toBe(MEMBERS * (REPLIES_PER_MEMBER + 2));
    expect(discord!.requests({ status: 429 }).map((r) => `${r.route} ${r.status}`)).toEqual([]);
    expect(counted).toBe(0);
  }, 150_000);

  it('without Redis (per-process limits), the same backlog draws 429s', async () => {
    const { report, backlog, counted, tooMany } = await deliverBacklog(false);
    console.log('backlog with per-process limits (no Redis):', backlog);
    expect(report.problems, `${report.text}\n${explain()}`).toEqual([]);
    expect(tooMany.length).toBeGreaterThan(0);
    // Every one of them shows in /metrics (switchboard_discord_rate_limited_total) of the instance that got it.
    expect(counted).toBe(tooMany.length);
  }, 150_000);
});
