import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordEmulator, EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { LoadHarness, spawnSwitchboard, startLoadDiscord } from './load-harness.ts';

/**
 * The instance's delivery stall (SWITCHBOARD_DELIVERY_STALL_SECONDS) and retry cap
 * (SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS), set low so that the 2-minute outage (the length the product
 * must ride out) passes many stalls and far more attempts than the outbox once gave up after, and recovery
 * takes seconds.
 */
const STALL_SECONDS = 10;
const MAX_RETRY_DELAY_SECONDS = 2;
/** How long Discord's REST answers 5xx: the 2-minute outage the product must ride out. */
const OUTAGE_MS = 120_000;
/** An outbox that gave up after this many attempts lost messages in an outage: the test's messages get more. */
const OLD_GIVE_UP_ATTEMPTS = 8;
/** How long Discord stores posted messages but answers 500. */
const STORED_THEN_500_MS = 10_000;
/** The outage test's bound: the outage, then the recovery. */
const OUTAGE_TEST_MS = OUTAGE_MS + 90_000;
const POST_MESSAGE = 'POST /channels/:channel_id/messages';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One real Switchboard process (SQLite) talking to the Discord emulator under the load harness's members
 * and agents, while Discord's REST fails: every member message is stored and answered once, every
 * message to a member (answers, case numbers, agent replies) arrives exactly once and in order after
 * Discord recovers. Both faults run against one process, each with a load of its own.
 */
describe('Discord REST failing under load', () => {
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  let server: ServerProcess;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    ({ discord, guild } = await startLoadDiscord());
    dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-discord-outage-'));
    // Retries at most 2 s apart: after the outage everything is delivered within seconds, which keeps the test short.
    server = spawnSwitchboard(discord, guild, {
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS: String(MAX_RETRY_DELAY_SECONDS),
      SWITCHBOARD_DELIVERY_STALL_SECONDS: String(STALL_SECONDS),
    });
    url = await server.url();
    await eventually('the Discord gateway to be connected', async () => {
      const ready = await fetch(`${url}/healthz`).then((r) => r.json() as Promise<HealthBody>);
      return ready.connectors?.discord?.status === 'connected';
    });
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await discord?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const startLoad = (intervalMs: number) =>
    LoadHarness.start({
      discord,
      guild,
      urls: [url],
      store: { sqlite: path.join(dataDir, 'switchboard.db') },
      askers: 3,
      handoffMembers: 2,
      agents: 1,
      messageIntervalMs: intervalMs,
      replyIntervalMs: intervalMs,
    });

  /** Logs the server's warnings when a check failed, without the request lines. */
  const explain = (problems: string[]) => {
    if (problems.length === 0) return;
    const lines = server.output().split('\n');
    console.log(
      lines
        .filter((l) => !/incoming request|request completed/.test(l))
        .slice(-60)
        .join('\n'),
    );
  };

  it('"stored, then 500" for a while: every message arrives exactly once', async () => {
    const load = await startLoad(1_000);
    try {
      await eventually('an agent reply accepted', () => load.acceptedReplies >= 1, 60_000);
      const failedBefore = discord.requests({ route: POST_MESSAGE, status: 500 }).length;
      discord.failNext(POST_MESSAGE, 1_000_000, 500, { afterStoring: true });
      // The fault lasts a fixed time while the load goes on.
      await pause(STORED_THEN_500_MS);
      discord.failNext(POST_MESSAGE, 0);
      const failed = discord.requests({ route: POST_MESSAGE, status: 500 }).length - failedBefore;
      expect(failed, 'posts stored but answered 500 during the window').toBeGreaterThan(0);
      await load.stop();
      const report = await load.settle(60_000);
      explain(report.problems);
      expect(report.problems, report.text).toEqual([]);
    } finally {
      await load.close();
    }
  }, 150_000);

  it(
    `a ${OUTAGE_MS / 1000} s outage of 5xx: every message arrives exactly once, in order, after recovery`,
    async () => {
      const load = await startLoad(1_000);
      // What is left of the test's time after the outage goes to the recovery, so that a failure is a report.
      const deadline = Date.now() + OUTAGE_TEST_MS - 10_000;
      try {
        const refusedBefore = discord.requests({ status: 503 }).length;
        const sentBefore = load.sentCount;
        const repliesBefore = load.acceptedReplies;
        discord.startOutage(503);
        const outageEnds = Date.now() + OUTAGE_MS;
        // Messages that wait longer than the stall make the delivery health say so while Discord is down.
        const degraded = await eventually(
          '/healthz to report Discord delivery degraded',
          async () => {
            const body = (await fetch(`${url}/healthz`).then((r) => r.json())) as HealthBody;
            return body.delivery?.channels.find((c) => c.channel === 'discord' && c.status === 'degraded');
          },
          OUTAGE_MS,
        );
        await pause(Math.max(0, outageEnds - Date.now()));
        discord.endOutage();
        expect(degraded.pending).toBeGreaterThan(0);
        expect(discord.requests({ status: 503 }).length - refusedBefore).toBeGreaterThan(0);
        // The load went on during the outage: members wrote and agents' replies were accepted meanwhile.
        expect(load.sentCount - sentBefore).toBeGreaterThan(20);
        expect(load.acceptedReplies - repliesBefore).toBeGreaterThan(5);
        await load.stop();
        const report = await load.settle(deadline - Date.now() - 5_000);
        explain(report.problems);
        expect(report.problems, report.text).toEqual([]);
        // Delivered after more refused attempts than the outbox once gave up at.
        const attempts = mostAttempts(path.join(dataDir, 'switchboard.db'));
        console.log(`most delivery attempts of one message: ${attempts}`);
        expect(attempts).toBeGreaterThan(OLD_GIVE_UP_ATTEMPTS);
        await eventually(
          '/healthz to report Discord delivery ok again',
          async () => {
            const body = (await fetch(`${url}/healthz`).then((r) => r.json())) as HealthBody;
            return body.status === 'ok';
          },
          Math.max(1_000, deadline - Date.now()),
        );
      } finally {
        await load.close();
      }
    },
    OUTAGE_TEST_MS,
  );
});

/** The most attempts any delivered Discord message took, read from the instance's database. */
function mostAttempts(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const row = db
      .prepare(`select max(attempts) as most from outbox where channel = 'discord' and status = 'sent'`)
      .get() as { most: number | null };
    return row.most ?? 0;
  } finally {
    db.close();
  }
}

interface HealthBody {
  status: string;
  connectors?: Record<string, { status: string }>;
  delivery?: { channels: { channel: string; status: string; pending: number }[] };
}
