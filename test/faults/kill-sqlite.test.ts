import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import type { DiscordEmulator, EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { LoadHarness, spawnSwitchboard, startLoadDiscord } from './load-harness.ts';

/** Kills under load, each at a random moment a little after the previous restart. */
const KILLS = 3;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HealthBody {
  connectors?: Record<string, { status: string }>;
}

/**
 * `kill -9` of the single Switchboard instance on SQLite (the default installation), restarted on the
 * same data directory: every member message is stored once and answered once, every agent reply the
 * API accepted reaches the member once, in order. Once under the load harness's steady load, killed at
 * random moments; once with the kill placed exactly between "stored" and "flow ran" (the member's
 * question is stored and the brand's bot, asked by the flow, has not answered yet).
 */
describe('kill -9 of the single SQLite instance', () => {
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    ({ discord, guild } = await startLoadDiscord());
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await discord?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-kill-sqlite-'));
    dataDirs.push(dir);
    return dir;
  };

  /** Starts Switchboard on `dir` and waits until it serves and its gateway is connected. */
  async function start(
    dir: string,
    extra: Record<string, string> = {},
  ): Promise<{ server: ServerProcess; url: string }> {
    const server = spawnSwitchboard(discord, guild, { SWITCHBOARD_DATA_DIR: dir, ...extra });
    servers.push(server);
    const url = await server.url();
    await eventually('the Discord gateway to be connected', async () => {
      const health = (await fetch(`${url}/healthz`).then((r) => r.json())) as HealthBody;
      return health.connectors?.discord?.status === 'connected';
    });
    return { server, url };
  }

  /** The server's log without the request lines, for a failing check. */
  const explain = (problems: string[], server: ServerProcess) => {
    if (problems.length === 0) return;
    console.log(
      server
        .output()
        .split('\n')
        .filter((l) => !/incoming request|request completed/.test(l))
        .slice(-80)
        .join('\n'),
    );
  };

  it('killed at random moments under load: nothing lost, nothing doubled', async () => {
    const dir = dataDir();
    let { server, url } = await start(dir);
    const load = await LoadHarness.start({
      discord,
      guild,
      urls: [url],
      store: { sqlite: path.join(dir, 'switchboard.db') },
      askers: 4,
      handoffMembers: 2,
      agents: 2,
      messageIntervalMs: 700,
      replyIntervalMs: 1_000,
    });
    try {
      await eventually('an agent reply accepted', () => load.acceptedReplies >= 1, 60_000);
      for (let kill = 0; kill < KILLS; kill += 1) {
        const sent = load.sentCount;
        await eventually('members writing to the running instance', () => load.sentCount >= sent + 6, 30_000);
        // A random moment: the process is somewhere between receiving, answering and delivering.
        await pause(Math.floor(Math.random() * 700));
        await server.kill();
        // Members go on writing while it is down; their DMs are read back after the restart.
        await pause(500);
        ({ server, url } = await start(dir));
        load.setUrls([url]);
      }
      const sent = load.sentCount;
      await eventually('members writing after the last restart', () => load.sentCount >= sent + 10, 30_000);
      await load.stop();
      const report = await load.settle(90_000);
      explain(report.problems, server);
      expect(report.problems, report.text).toEqual([]);
      expect(report.counts.memberMessages).toBeGreaterThan(40);
      expect(report.counts.repliesAccepted).toBeGreaterThan(3);
    } finally {
      await load.close();
      // Its gateway would answer the next test's members too.
      await server.kill();
    }
  }, 150_000);

  it('killed after a question was stored and before its flow ran: answered once after the restart', async () => {
    const bot = await FakeBot.start();
    try {
      const dir = dataDir();
      // The brand's bot answers each question; the flow waits for it up to a minute.
      const env = { SWITCHBOARD_BOT_URL: bot.url, SWITCHBOARD_BOT_TIMEOUT_MS: '60000' };
      let { server } = await start(dir, env);
      const member = discord.createUser({ username: 'held-member' });
      discord.addMember(guild, member);
      const answers = (question: string) =>
        botMessages(discord, member).filter((m) => m === `answer to: ${question}`).length;

      discord.sendDm(member, 'first question');
      await eventually('the first answer', () => answers('first question') === 1);

      // The bot holds this one: stored, its flow waiting on the bot, when the process is killed.
      bot.holdNext();
      discord.sendDm(member, 'second question');
      await eventually('the flow asking the bot', () => bot.held === 1);
      const db = path.join(dir, 'switchboard.db');
      expect(readMessages(db, 'second question')).toEqual([{ processed: false }]);
      await server.kill();

      ({ server } = await start(dir, env));
      await eventually('the second answer', () => answers('second question') === 1, 60_000);
      await eventually('the second question processed', () =>
        readMessages(db, 'second question').every((m) => m.processed),
      );
      // The member goes on; a later question is answered, the interrupted one still only once.
      discord.sendDm(member, 'third question');
      await eventually('the third answer', () => answers('third question') === 1);
      expect(readMessages(db, 'second question')).toEqual([{ processed: true }]);
      expect(botMessages(discord, member)).toEqual([
        'answer to: first question',
        'answer to: second question',
        'answer to: third question',
      ]);
      expect(bot.questions).toEqual([
        'first question',
        'second question',
        'second question',
        'third question',
      ]);
      await server.kill();
    } finally {
      await bot.close();
    }
  }, 150_000);
});

/** What the bot posted in the member's DM, oldest first. */
function botMessages(discord: DiscordEmulator, member: ApiUser): string[] {
  return discord
    .dmMessages(member)
    .filter((m) => m.author.id === discord.botUser.id)
    .map((m) => m.content);
}

/** The member's stored copies of a message and whether each is processed, read as an operator would. */
function readMessages(file: string, text: string): { processed: boolean }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db
      .prepare(`select processed_at from messages where author_kind = 'contact' and text = ?`)
      .all(text) as { processed_at: string | null }[];
    return rows.map((r) => ({ processed: r.processed_at !== null }));
  } finally {
    db.close();
  }
}

/** A brand's bot (the external-bot protocol): answers "answer to: <message>"; can hold one request unanswered. */
class FakeBot {
  readonly questions: string[] = [];
  held = 0;
  private holding = false;
  private readonly waiting: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeBot> {
    let bot: FakeBot | undefined;
    const server = createServer((req, res) => bot?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bot = new FakeBot(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/bot`);
    return bot;
  }

  /** The next question gets no answer (the bot hangs). */
  holdNext(): void {
    this.holding = true;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const { message } = JSON.parse(body) as { message: string };
      this.questions.push(message);
      if (this.holding) {
        this.holding = false;
        this.held += 1;
        this.waiting.push(res);
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ text: `answer to: ${message}` }));
    });
  }

  async close(): Promise<void> {
    for (const res of this.waiting) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
