/**
 * Process figures of `npm run bench:discord`: what a person running `npm start` sees on the machine.
 *
 *   start     spawn → first 200 from /healthz, on an existing database (a data directory set up by an earlier
 *             start and stopped); the median of a few starts.
 *   idle      resident memory (VmRSS) of the server's node process a few seconds after /healthz answered.
 *   open      VmRSS once 10,000 conversations are open: 10,000 members of a Discord API emulator each DM the
 *             bot once (the real connector over the gateway; the virtual agent answers each), read when every
 *             conversation is stored and the answers are delivered.
 *
 * Each is measured from the real `npm start` (a child process on a temporary data directory) beside the same
 * server started the old way (`node --import tsx src/cli/switchboard.ts start`: TypeScript compiled at run
 * time, an esbuild service beside it) and a bare `node -e "require('http').createServer(…).listen(…)"`
 * answering /healthz, the floor of any Node server.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { DiscordEmulator } from '../../test/support/discord-emulator/discord-emulator.ts';
import {
  groupMembers,
  repoRoot,
  type ServerProcess,
  spawnServer,
} from '../../test/support/server-process.ts';
import { median } from '../support/measuring.ts';

interface Way {
  name: string;
  command: string;
  args: string[];
  /** Whether this way is a Switchboard (has a database). */
  server: boolean;
  /** Whether the open-conversations row measures it. */
  open: boolean;
}

const ways: Way[] = [
  { name: 'npm start (dist/)', command: 'npm', args: ['start', '--silent'], server: true, open: true },
  // The same command without npm in front: npm's own start-up is the difference.
  {
    name: 'node bin/switchboard.mjs',
    command: 'node',
    args: ['bin/switchboard.mjs', 'start'],
    server: true,
    open: false,
  },
  {
    name: 'tsx from src/ (before)',
    command: 'node',
    args: ['--import', 'tsx', 'src/cli/switchboard.ts', 'start'],
    server: true,
    open: true,
  },
  {
    name: 'bare node http (floor)',
    command: 'node',
    args: [
      '-e',
      "require('http').createServer((q,s)=>s.end('ok')).listen(+process.env.PORT,'127.0.0.1',()=>console.log('\"url\":\"http://127.0.0.1:'+process.env.PORT+'\"'))",
    ],
    server: false,
    open: false,
  },
];

const quietEnv = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  SWITCHBOARD_ADMIN_PASSWORD: 'bench-admin-password',
};

export async function benchProcess(options: { quick: boolean; openConversations?: boolean }): Promise<void> {
  const starts = options.quick ? 3 : 5;
  // SWITCHBOARD_BENCH_OPEN: another number of open conversations (the quick run's default is 2,000).
  const conversations = Number(process.env.SWITCHBOARD_BENCH_OPEN) || (options.quick ? 2_000 : 10_000);
  const began = performance.now();
  console.log(
    '\nProcess: start-up and memory of the real `npm start` (a child process, SQLite in a temporary folder)',
  );
  console.log(
    `  start → /healthz on an existing database and idle RSS: median of ${starts} starts each, alternating ways;` +
      ` RSS of the server's node process 3 s after /healthz answered.`,
  );

  // dist/ brought up to date first (`switchboard --help` compiles it when src/ changed), so that no timed start
  // includes a build.
  spawnSync(process.execPath, ['bin/switchboard.mjs', '--help'], { cwd: repoRoot, stdio: 'ignore' });
  const results = new Map<string, { startMs: number[]; cpuMs: number[]; idleMb: number[] }>();
  const dataDirs = new Map<Way, string>();
  try {
    for (const way of ways) {
      results.set(way.name, { startMs: [], cpuMs: [], idleMb: [] });
      if (way.server) dataDirs.set(way, await existingDatabase(way));
    }
    for (let i = 0; i < starts; i++) {
      for (const way of ways) {
        const run = await startAndMeasure(way, dataDirs.get(way), {});
        const figures = results.get(way.name)!;
        figures.startMs.push(run.startMs);
        figures.cpuMs.push(run.cpuMs);
        figures.idleMb.push(await settledRss(run.server, 3_000));
        await stop(run.server);
      }
    }
    console.log(
      `  ${pad('way', 24)} │ ${pad('start → /healthz ms', 20)} │ ${pad('CPU ms to /healthz', 18)} │ ${pad('RSS idle MB', 12)}`,
    );
    for (const way of ways) {
      const f = results.get(way.name)!;
      console.log(
        `  ${pad(way.name, 24)} │ ${pad(fmt(median(f.startMs), 0), 20)} │ ${pad(fmt(median(f.cpuMs), 0), 18)} │ ${pad(fmt(median(f.idleMb), 0), 12)}`,
      );
    }
    const compiled = results.get(ways[0]!.name)!;
    const before = results.get(ways[2]!.name)!;
    console.log(
      `  npm start ÷ tsx: start ${fmt(median(compiled.startMs) / median(before.startMs), 2)}, RSS idle ${fmt(median(compiled.idleMb) / median(before.idleMb), 2)} (targets: start ≤ 1,000 ms, RSS idle ≤ 120 MB)`,
    );

    if (options.openConversations === false) return;
    console.log(
      `\n  RSS with ${conversations.toLocaleString('en')} open conversations: the Discord connector on the emulator, each of ${conversations.toLocaleString('en')} members DMs once (50 in flight);` +
        ' read 5 s after the last conversation is stored; the answers still queued then are in the outbox (the database),' +
        " draining at discord.js's 50 requests/s.",
    );
    console.log(
      `  ${pad('way', 24)} │ ${pad('RSS connected MB', 16)} │ ${pad(`RSS @ ${conversations.toLocaleString('en')} open MB`, 20)} │ ${pad('open', 7)} │ ${pad('seconds', 7)} │ answers queued`,
    );
    for (const way of ways.filter((w) => w.open)) {
      const open = await openConversations(way, conversations);
      console.log(
        `  ${pad(way.name, 24)} │ ${pad(fmt(open.connectedMb, 0), 16)} │ ${pad(fmt(open.openMb, 0), 20)} │ ${pad(open.open.toLocaleString('en'), 7)} │ ${pad(fmt(open.seconds, 1), 7)} │ ${open.queued.toLocaleString('en')}`,
      );
    }
    console.log(
      `  (target: ≤ 300 MB with 10,000 open; process section ${fmt((performance.now() - began) / 1000, 0)} s)`,
    );
  } finally {
    for (const dir of dataDirs.values()) await rm(dir, { recursive: true, force: true });
  }
}

/** A data directory that a first start set up (migrations, the admin, the sample knowledge base), stopped. */
async function existingDatabase(way: Way): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-process-'));
  const run = await startAndMeasure(way, dataDir, {});
  await stop(run.server);
  return dataDir;
}

async function startAndMeasure(
  way: Way,
  dataDir: string | undefined,
  env: Record<string, string>,
): Promise<{ server: ServerProcess; startMs: number; cpuMs: number; base: string }> {
  const port = await freePort();
  const started = performance.now();
  const server = spawnServer(way.command, way.args, {
    ...quietEnv,
    PORT: String(port),
    ...(dataDir ? { SWITCHBOARD_DATA_DIR: dataDir } : {}),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const status = await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (!server.groupAlive() || performance.now() - started > 120_000) {
      await server.kill();
      throw new Error(`bench: ${way.name} did not answer /healthz:\n${server.output().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startMs = performance.now() - started;
  return { server, startMs, cpuMs: groupCpuMs(server), base };
}

/**
 * CPU time the command's processes used so far (user + system, with their ended children's), in ms: less
 * swayed than wall time by other work on a shared machine.
 */
function groupCpuMs(server: ServerProcess): number {
  let ticks = 0;
  for (const pid of groupMembers(server.child.pid!)) {
    const stat = readFileSyncSafe(`/proc/${pid}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    for (const index of [11, 12, 13, 14]) ticks += Number(fields[index] ?? 0);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The server's node process: the group's member that is not npm (npm's shell `exec`s node). */
function serverPid(server: ServerProcess): number {
  const nodes = groupMembers(server.child.pid!).filter((pid) => {
    const command = commandLine(pid);
    return /(^|\/)node /.test(command) && !/npm-cli|\/npm /.test(command) && !command.includes('esbuild');
  });
  return nodes[0] ?? server.child.pid!;
}

function commandLine(pid: number): string {
  return readFileSyncSafe(`/proc/${pid}/cmdline`)?.split('\0').join(' ').trim() ?? '';
}

function readFileSyncSafe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function settledRss(server: ServerProcess, afterMs: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  return rssMb(serverPid(server));
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  const ended = await Promise.race([
    server.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
  ]);
  if (!ended || server.groupAlive()) await server.kill();
}

/** A fresh installation connected to a Discord emulator, then `count` members each DM the bot once. */
async function openConversations(
  way: Way,
  count: number,
): Promise<{ connectedMb: number; openMb: number; open: number; seconds: number; queued: number }> {
  const discord = await DiscordEmulator.start({
    defaultRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
    globalRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
  });
  const guild = discord.createGuild({ name: 'Bench' });
  const members = Array.from({ length: count }, (_, i) => {
    const user = discord.createUser({ username: `member${i}` });
    discord.addMember(guild, user);
    return user;
  });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-open-'));
  const env = {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guild.id,
    SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
  };
  let server: ServerProcess | null = null;
  let db: Database.Database | null = null;
  try {
    const run = await startAndMeasure(way, dataDir, env);
    server = run.server;
    await until(`${way.name}: the gateway connected`, 60_000, async () => {
      const ready = await fetch(`${run.base}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      return ready === 200;
    });
    const connectedMb = await settledRss(server, 2_000);
    db = new Database(path.join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
    const openCount = db.prepare("SELECT count(*) AS n FROM conversations WHERE state <> 'closed'");
    const openNow = () => (openCount.get() as { n: number }).n;
    const started = performance.now();
    // 50 DMs in flight: send more as conversations are stored. Each new member's first DM waits for their
    // member context (a REST fetch of the guild member) and is answered (a REST post): both share discord.js's
    // 50 requests/s, so new conversations open at about 25/s, and the time allowed grows with the count.
    const sendingMs = Math.max(300_000, (count / 20) * 1000);
    let sent = 0;
    while (sent < count) {
      const stored = openNow();
      while (sent < count && sent - stored < 50)
        discord.sendDm(members[sent++]!, 'hello, how do I link my account?');
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (performance.now() - started > sendingMs) break;
    }
    await until(`${way.name}: ${count} conversations stored`, 120_000, () => openNow() >= count);
    const seconds = (performance.now() - started) / 1000;
    const openMb = await settledRss(server, 5_000);
    const pending = db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'");
    return { connectedMb, openMb, open: openNow(), seconds, queued: (pending.get() as { n: number }).n };
  } finally {
    db?.close();
    if (server) await stop(server);
    await discord.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function until(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits }) : '–';
}
