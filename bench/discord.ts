/**
 * Discord benchmark (`npm run bench:discord`): a real Switchboard (`createSwitchboard`, SQLite in a temporary
 * folder) whose Discord connector runs the real discord.js against the Discord API emulator, measured beside
 * a bare discord.js client fed by the same emulator. Prints figures; asserts nothing.
 *
 *   inbound   emulator `sendDm` → `message.created` on the desktop's realtime WebSocket (signed in as an admin,
 *             who sees every conversation's events); baseline: `sendDm` → the bare client's `messageCreate`.
 *   reply     an agent's `POST /api/v1/conversations/:id/messages` → the emulator receives the DM;
 *             baseline: the bare client's `rest.post` of a DM → the emulator receives it.
 *
 * Each of 1, 100 and 1,000 members has one message in flight at a time (a closed loop): throughput is
 * messages ÷ wall time of a trial, the median of the trials is printed; latencies are pooled over the trials.
 *
 *   npm run bench:discord                full run
 *   npm run bench:discord -- --quick     1 and 100 members only
 *   npm run bench:discord -- --only=inbound,reply --members=100 --trials=20
 *                                        some sections (inbound, reply, bot, outbound, process), levels, trials
 *   npm run bench:discord -- --only=idle   the process section's start-up and idle RSS rows alone
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Routes } from 'discord.js';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.ts';
import type { Agent } from '../src/core/model.ts';
import { createSwitchboard, type Switchboard } from '../src/main.ts';
import type { ApiMessage, ApiUser } from '../test/support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../test/support/discord-emulator/discord-emulator.ts';
import { benchBotPath } from './discord/bot-path.ts';
import { benchOutbound } from './discord/outbound.ts';
import { benchProcess } from './discord/process.ts';
import { type BareDiscord, startBareDiscord } from './support/bare-discord.ts';
import { Arrivals, closedLoop, type Summary, summarise, type Trial } from './support/measuring.ts';
import { api, signIn } from './support/switchboard-api.ts';

const QUICK = process.argv.includes('--quick') || process.env.SWITCHBOARD_BENCH_QUICK === '1';
/** The values of `--name=a,b` on the command line, or null when it is absent (everything). */
function listFlag(name: string): string[] | null {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg
    ? arg
        .slice(name.length + 3)
        .split(',')
        .filter(Boolean)
    : null;
}
const ONLY = listFlag('only');
const section = (name: string) => !ONLY || ONLY.includes(name);
const MEMBERS = listFlag('members')?.map(Number) ?? null;
/** `--trials=N`: more trials per level, for a profile of one section. */
const TRIALS = Number(listFlag('trials')?.[0] ?? 0);
/** `--cpu-prof=DIR`: a CPU profile of each Switchboard inbound trial alone (not the baseline's, not the setup). */
const PROFILE_DIR = listFlag('cpu-prof')?.[0] ?? null;
const ADMIN_PASSWORD = 'bench-admin-password';
const AGENT_PASSWORD = 'bench-agent-password';
const AGENT_CAPACITY = 100;
const HANDOFF_BATCH = 100;

interface Level {
  members: number;
  trials: number;
  /** Messages each member sends per trial (inbound), one after the other. */
  inboundRounds: number;
  replyTrials: number;
  replyRounds: number;
}

// Sized so that the whole run stays within a few minutes on two cores. Replies pass discord.js's global limit
// (50 requests per fixed 1-second window), so a reply trial spans a few windows to show the sustained rate.
const LEVELS: Level[] = [
  { members: 1, trials: 3, inboundRounds: 100, replyTrials: 3, replyRounds: 150 },
  { members: 100, trials: 3, inboundRounds: 5, replyTrials: 3, replyRounds: 3 },
  { members: 1_000, trials: 3, inboundRounds: 1, replyTrials: 1, replyRounds: 1 },
].filter((level) => (!QUICK || level.members <= 100) && (!MEMBERS || MEMBERS.includes(level.members)));
const MAX_MEMBERS = Math.max(...LEVELS.map((l) => l.members));

/** Both emulators: no emulated rate limit, so only Switchboard and discord.js shape the figures. */
const GENEROUS: Partial<DiscordEmulatorOptions> = {
  defaultRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
  globalRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
  replayBufferSize: 100,
};

// ---------------------------------------------------------------------------------------------
// Measuring

// ---------------------------------------------------------------------------------------------
// The baseline: the same emulator feeding a bare discord.js client that only counts

const inboundArrivals = new Arrivals();
const outboundArrivals = new Arrivals();
let sequence = 0;

async function baselineInbound(b: BareDiscord, level: Level): Promise<Trial> {
  return closedLoop(level.members, level.inboundRounds, async (worker) => {
    const member = b.members[worker] as ApiUser;
    const started = performance.now();
    const dm = b.discord.sendDm(member, `bench message ${++sequence}`);
    b.dmChannels[worker] = dm.channel_id;
    return (await inboundArrivals.expect(`base:${dm.id}`)) - started;
  });
}

async function baselineReply(b: BareDiscord, level: Level): Promise<Trial> {
  return closedLoop(level.members, level.replyRounds, async (worker) => {
    const channelId = b.dmChannels[worker];
    if (!channelId) throw new Error(`bench: baseline member ${worker} has no DM channel yet`);
    const content = `r${++sequence}`;
    const arrived = outboundArrivals.expect(`base:${content}`);
    const started = performance.now();
    await b.client.rest.post(Routes.channelMessages(channelId), { body: { content } });
    return (await arrived) - started;
  });
}

// ---------------------------------------------------------------------------------------------
// Switchboard

interface World {
  discord: DiscordEmulator;
  switchboard: Switchboard;
  base: string;
  members: ApiUser[];
  /** Per member: the conversation and the cookie of the agent it is assigned to. */
  assigned: Array<{ conversationId: string; cookie: string }>;
  desktop: WebSocket;
  close(): Promise<void>;
}

async function startSwitchboard(): Promise<World> {
  const discord = await DiscordEmulator.start(GENEROUS);
  const guild = discord.createGuild({
    name: 'Acme',
    textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
  });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-discord-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
    LOG_LEVEL: 'silent',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guild.id,
  });
  const switchboard = await createSwitchboard(config, { announce: () => {} });
  const base = await switchboard.start();
  const center = switchboard.center;

  const cookies = new Map<string, string>();
  const agents: Agent[] = [];
  for (let i = 0; i < Math.ceil(MAX_MEMBERS / AGENT_CAPACITY); i++) {
    const agent = await center.agents.create({
      email: `agent${i + 1}@example.com`,
      name: `Agent ${i + 1}`,
      role: 'agent',
      capacity: AGENT_CAPACITY,
      skills: [],
      password: AGENT_PASSWORD,
    });
    cookies.set(agent.id, await signIn(base, agent.email, AGENT_PASSWORD));
    agents.push(agent);
  }
  // Each agent's desktop stays connected, as a signed-in agent's would: an available agent whose desktop is
  // gone becomes away after the presence grace (30 s), and the setup of 1,000 hand-offs takes longer.
  const agentDesktops = await Promise.all(
    agents.map(async (agent) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, {
        headers: { cookie: cookies.get(agent.id) ?? '', origin: base },
      });
      await once(socket, 'open');
      return socket;
    }),
  );
  const admin = (await center.store.agents.list()).find((a) => a.role === 'admin');
  if (!admin) throw new Error('bench: no admin agent');
  const adminCookie = await signIn(base, admin.email, ADMIN_PASSWORD);
  cookies.set(admin.id, adminCookie);

  // The desktop: an admin (supervisors see every conversation's events) on the realtime WebSocket.
  const desktop = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, {
    headers: { cookie: adminCookie, origin: base },
  });
  const assignedBy = new Map<string, { conversationId: string; cookie: string }>();
  desktop.on('message', (data) => {
    const event = JSON.parse(String(data)) as {
      type: string;
      message?: { externalId: string | null };
      reservation?: { id: string; agentId: string; status: string };
    };
    if (event.type === 'message.created' && event.message?.externalId) {
      inboundArrivals.arrived(`sb:${event.message.externalId}`);
    } else if (event.type === 'reservation.created' && event.reservation?.status === 'pending') {
      // Setup: the offered agent accepts at once, as a desktop would.
      const { id, agentId } = event.reservation;
      const cookie = cookies.get(agentId) ?? '';
      void api(base, cookie, 'POST', `/api/v1/reservations/${id}/accept`).then((res) => {
        const address = (res.body.address ?? {}) as { userId?: string };
        if (res.status === 200 && address.userId)
          assignedBy.set(address.userId, { conversationId: String(res.body.id), cookie });
        else console.error(`bench: accepting reservation ${id} answered ${res.status}`);
      });
    }
  });
  await once(desktop, 'open');

  discord.onMessage((message: ApiMessage) => {
    if (message.author.id !== discord.botUser.id) return;
    const reply = /^\*\*[^*]+\*\*\n(r\d+)$/.exec(message.content);
    if (reply?.[1]) outboundArrivals.arrived(`sb:${reply[1]}`);
    else if (message.content.endsWith('joined the conversation.'))
      outboundArrivals.arrived(`joined:${message.channel_id}`);
  });

  for (const agent of agents) await center.agents.setPresence(agent.id, 'available');
  const members: ApiUser[] = [];
  // Hand-offs in batches, so the queue (which the router walks on every offer) stays short.
  for (let start = 0; start < MAX_MEMBERS; start += HANDOFF_BATCH) {
    const batch = Array.from({ length: Math.min(HANDOFF_BATCH, MAX_MEMBERS - start) }, (_, i) => {
      const user = discord.createUser({ username: `member${start + i}` });
      discord.addMember(guild, user);
      return user;
    });
    await Promise.all(
      batch.map((user) => {
        const dm = discord.sendDm(user, 'human');
        return outboundArrivals.expect(`joined:${dm.channel_id}`);
      }),
    );
    members.push(...batch);
  }
  const assigned = members.map((m) => {
    const found = assignedBy.get(m.id);
    if (!found) throw new Error(`bench: member ${m.username} was not assigned`);
    return found;
  });

  return {
    discord,
    switchboard,
    base,
    members,
    assigned,
    desktop,
    async close() {
      desktop.close();
      for (const socket of agentDesktops) socket.close();
      await switchboard.stop();
      await discord.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function switchboardInbound(w: World, level: Level): Promise<Trial> {
  return closedLoop(level.members, level.inboundRounds, async (worker) => {
    const member = w.members[worker] as ApiUser;
    const started = performance.now();
    const dm = w.discord.sendDm(member, `bench message ${++sequence}`);
    return (await inboundArrivals.expect(`sb:${dm.id}`)) - started;
  });
}

async function switchboardReply(w: World, level: Level): Promise<Trial> {
  return closedLoop(level.members, level.replyRounds, async (worker) => {
    const { conversationId, cookie } = w.assigned[worker] as { conversationId: string; cookie: string };
    const text = `r${++sequence}`;
    const arrived = outboundArrivals.expect(`sb:${text}`);
    const started = performance.now();
    const res = await api(w.base, cookie, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
      text,
    });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`bench: reply answered ${res.status} ${JSON.stringify(res.body)}`);
    return (await arrived) - started;
  });
}

/** Runs `work` under the CPU profiler when `--cpu-prof` asks for it. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(PROFILE_DIR, { recursive: true });
    await writeFile(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const pad = (s: string, n: number) => s.padStart(n);

function table(title: string, rows: Array<{ level: Level; sb: Summary; base: Summary }>): void {
  console.log(`\n${title}`);
  console.log(
    `${pad('members', 7)} ${pad('trials×msgs', 11)} │ ${pad('Switchboard msg/s', 17)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} │ ${pad('bare discord.js msg/s', 21)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} │ ${pad('ratio', 6)}`,
  );
  for (const { level, sb, base } of rows) {
    console.log(
      `${pad(level.members.toLocaleString('en'), 7)} ${pad(`${sb.trials}×${sb.perTrial}`, 11)} │ ${pad(fmt(sb.throughput), 17)} ${pad(fmt(sb.p50), 8)} ${pad(fmt(sb.p99), 8)} │ ${pad(fmt(base.throughput), 21)} ${pad(fmt(base.p50), 8)} ${pad(fmt(base.p99), 8)} │ ${pad(fmt(sb.throughput / base.throughput, 3), 6)}`,
    );
  }
}

async function main(): Promise<void> {
  const began = performance.now();
  console.log('Switchboard Discord benchmark (npm run bench:discord)');
  console.log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); one process runs the emulators, Switchboard, the desktop client and the baseline client`,
  );
  console.log(
    [
      'Method:',
      '  Switchboard: createSwitchboard (as npm start), SQLite in a temporary folder, LOG_LEVEL=silent, the sample',
      '  knowledge base; its Discord connector (discord.js 14) logs in to the Discord API emulator via DISCORD_API_URL.',
      `  Setup (not timed): ${MAX_MEMBERS} members each DM "human" (hand-off, case opened, queued) in batches of ${HANDOFF_BATCH};`,
      `  ${Math.ceil(MAX_MEMBERS / AGENT_CAPACITY)} agents with capacity ${AGENT_CAPACITY} accept every reservation through POST /api/v1/reservations/:id/accept,`,
      '  so every conversation is assigned and member DMs take the live-chat path (the virtual agent is not on it).',
      '  inbound: emulator sendDm → message.created on /api/v1/realtime (signed in as the admin, who sees all events).',
      '  reply:   agent POST /api/v1/conversations/:id/messages (session cookie) → the emulator receives the DM',
      '           (outbox → dispatcher → connector → discord.js REST).',
      '  Baseline: a second instance of the same emulator (same options) feeding a bare discord.js client with the',
      "  connector's intents that only counts messageCreate (inbound) and posts DMs with client.rest.post (reply).",
      '  Each member keeps one message in flight (closed loop); msg/s is the median over trials, latencies are pooled.',
      '  Rate limits: both emulators allow 10^9 requests/s per route and globally (Discord: 50/s global), so the',
      "  emulator never answers 429. A client-side global limit of 50 requests per window (Discord's real one) still",
      "  applies to both: the connector's own for Switchboard, discord.js's for the baseline; replies are capped near",
      '  50 msg/s sustained (fixed windows, so a trial that starts in a fresh window can show somewhat more).',
    ].join('\n'),
  );

  const baseline = await startBareDiscord({
    members: MAX_MEMBERS,
    emulator: GENEROUS,
    onInbound: (id) => inboundArrivals.arrived(`base:${id}`),
    onOutbound: (message) => outboundArrivals.arrived(`base:${message.content}`),
  });
  let setupMs = performance.now();
  const world = await startSwitchboard();
  setupMs = performance.now() - setupMs;
  console.log(`Setup: ${MAX_MEMBERS} members handed off and assigned in ${fmt(setupMs / 1000)} s`);

  const inbound: Array<{ level: Level; sb: Summary; base: Summary }> = [];
  const reply: Array<{ level: Level; sb: Summary; base: Summary }> = [];
  try {
    for (const level of LEVELS) {
      // Warm-up (not counted): one message per member on each side, which also opens the baseline DMs.
      await baselineInbound(baseline, { ...level, inboundRounds: 1 });
      await switchboardInbound(world, { ...level, inboundRounds: 1 });
      if (TRIALS > 0) level.trials = TRIALS;
      if (!section('inbound')) level.trials = 0;
      if (!section('reply')) level.replyTrials = 0;
      const sbTrials: Trial[] = [];
      const baseTrials: Trial[] = [];
      // Alternating, so that a noisy neighbour weighs on both sides alike.
      for (let t = 0; t < level.trials; t++) {
        baseTrials.push(await baselineInbound(baseline, level));
        sbTrials.push(
          await profiled(`inbound-${level.members}-${t + 1}`, () => switchboardInbound(world, level)),
        );
      }
      inbound.push({ level, sb: summarise(sbTrials), base: summarise(baseTrials) });

      const sbReplies: Trial[] = [];
      const baseReplies: Trial[] = [];
      for (let t = 0; t < level.replyTrials; t++) {
        baseReplies.push(await baselineReply(baseline, level));
        sbReplies.push(await switchboardReply(world, level));
      }
      reply.push({ level, sb: summarise(sbReplies), base: summarise(baseReplies) });
    }
  } finally {
    await world.close();
    await baseline.close();
  }

  if (section('inbound'))
    table(
      'Inbound: DM injected by the emulator → message.created on the desktop WebSocket (baseline: → messageCreate)',
      inbound,
    );
  if (section('reply'))
    table(
      'Reply: agent REST reply → DM received by the emulator (baseline: client.rest.post → received)',
      reply,
    );
  if (section('bot')) await benchBotPath({ quick: QUICK });
  if (section('outbound')) await benchOutbound({ quick: QUICK });
  // `idle`: the process section's start-up and idle rows alone, without the open-conversations row.
  if (section('process') || section('idle'))
    await benchProcess({ quick: QUICK, openConversations: section('process') });
  console.log(
    `\nratio = Switchboard msg/s ÷ bare discord.js msg/s. Total time ${fmt((performance.now() - began) / 1000)} s.`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
