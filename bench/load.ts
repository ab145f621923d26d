/**
 * Load benchmark (`npm run bench:load`): the same workload on one Switchboard on SQLite, one on PostgreSQL,
 * and two on PostgreSQL + Redis, beside the bare discord.js baseline of `bench:discord`. Prints figures (one
 * markdown table plus the steps behind it); asserts nothing. Needs PostgreSQL (TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a database of the run's own, dropped at the end) and Redis
 * (TEST_REDIS_URL, default redis://127.0.0.1:6379; a key prefix of the run's own, deleted at the end); exits 1
 * naming the one that is missing.
 *
 * Each layout runs as `npm start` does (`node bin/switchboard.mjs start`, one process per instance, LOG_LEVEL=warn,
 * the sample knowledge base) against a fresh Discord API emulator in this process that enforces Discord's limits
 * (50 requests/s per bot, per-route buckets, 429s). Agents use the desktop's REST API and realtime WebSocket:
 * 10 agents with capacity 100 (spread over the instances), and a supervisor's desktop (on the last instance, so
 * with two instances events cross Redis) where DM → desktop latency ends. Protocol, in this order, per layout:
 *
 *   1. Hand-off spike: 1,000 new members DM "human" at once. Seconds from the last request until the last member
 *      has a case number in their DM, and until the last conversation has a reservation; agents accept every
 *      offer at once from their desktops. Counts offers of a conversation made while another was still pending
 *      ("offered twice at once", from the desktop's events and from the reservation rows), doubled case numbers
 *      and doubled "joined" notices. Waits at most 120 s.
 *   2. Sustained inbound: the assigned members write in their conversations in an open loop (the live-chat path:
 *      no bot answer). Latency is the emulator's MESSAGE_CREATE → the supervisor desktop's `message.created`.
 *      Rates 25, 50, 100, … msg/s doubling (up to 3,200), then 2 halvings of the interval between the last pass
 *      and the first fail; each step is 3 runs of 1.5 s and passes when the median of the runs' p99 ≤ 100 ms,
 *      nothing is lost (10 s) and the sender kept up. "Sustained" is the last passing rate.
 *   3. p50/p99 at half the sustained rate: medians over 3 runs of 3 s.
 *   4. Outbound backlog: 500 agent replies (one per conversation) posted through the API 25 at a time; successful
 *      Discord REST requests per second while it drained (between the 10th and the 90th percentile of
 *      deliveries: discord.js's fixed 1-second window lets a first burst through), as a share of 50/s, and the
 *      429s the emulator answered from the first post on.
 *   5. Open conversations: new members write once each ("hello…", the virtual agent's path), 64 DMs outstanding,
 *      until 10,000 conversations are open (at most 75 s); then resident memory of each process (VmRSS), and
 *      the peak over the whole layout (VmHWM).
 * The baseline (a bare discord.js client with the connector's intents, bench/support/bare-discord.ts) runs
 * steps 2–4 the same way: inbound to its `messageCreate`, a backlog of 500 `rest.post` DMs.
 * About 10 minutes on two cores. `--quick` (or SWITCHBOARD_BENCH_QUICK=1): small sizes, to check the bench itself.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Routes } from 'discord.js';
import type { ApiUser } from '../test/support/discord-emulator/api-objects.ts';
import { Deployment, type DeploymentSpec } from './load/deployment.ts';
import { connectServices, defaultPostgresUrl, defaultRedisUrl, type Services } from './load/services.ts';
import {
  type BacklogResult,
  deploymentBacklog,
  deploymentTarget,
  handOffSpike,
  type InboundTarget,
  latencyAt,
  openConversations,
  outboundBacklog,
  type RateProtocol,
  type RateResult,
  type SpikeResult,
  sustainedRate,
} from './load/workloads.ts';
import { startBareDiscord } from './support/bare-discord.ts';

const QUICK = process.argv.includes('--quick') || process.env.SWITCHBOARD_BENCH_QUICK === '1';
const SIZES = QUICK
  ? { agents: 2, capacity: 100, spike: 200, backlog: 100, open: 1_000 }
  : { agents: 10, capacity: 100, spike: 1_000, backlog: 500, open: 10_000 };
const PROTOCOL: RateProtocol = {
  runs: QUICK ? 1 : 3,
  runMs: 1_500,
  startRate: 25,
  maxRate: 3_200,
  refinements: QUICK ? 0 : 2,
  p99LimitMs: 100,
};
const HALF_RATE_RUNS = QUICK ? 1 : 3;
const HALF_RATE_MS = 3_000;
const SPIKE_TIMEOUT_MS = 120_000;
const OPEN_TIMEOUT_MS = 75_000;

interface Figures {
  layout: string;
  rate?: RateResult;
  half?: { rate: number; p50: number; p99: number; lost: number };
  spike?: SpikeResult;
  backlog?: BacklogResult;
  open?: { open: number; seconds: number };
  memory?: Array<{ rssMb: number; peakMb: number }>;
  peak?: Array<{ rssMb: number; peakMb: number }>;
  /** 429s the emulator answered over the whole layout (spike and open conversations included). */
  rateLimitedTotal?: number;
  gatewaySessions?: number;
  /** Conversations with two reservations pending at once, from the reservation rows. */
  offeredTwiceStored?: number;
  doubledInbound?: number;
  error?: string;
}

async function measureDeployment(spec: DeploymentSpec): Promise<Figures> {
  const figures: Figures = { layout: spec.name };
  log(`\n## ${spec.name}: starting ${spec.instances} instance(s)`);
  let deployment: Deployment | undefined;
  try {
    deployment = await Deployment.start(spec, SIZES.agents, SIZES.capacity);
    figures.gatewaySessions = deployment.discord.openGatewayConnections;
    log(`${spec.name}: ready; ${figures.gatewaySessions} gateway session(s) open on the emulator`);
    log(`${spec.name}: hand-off spike of ${SIZES.spike} members`);
    figures.spike = await handOffSpike(deployment, SIZES.spike, SPIKE_TIMEOUT_MS);
    figures.offeredTwiceStored = await deployment.offeredTwiceInDatabase();
    log(
      `${spec.name}: ${describeSpike(figures.spike)}; conversations with two overlapping pending reservations in the database ${figures.offeredTwiceStored}`,
    );
    const assigned = figures.spike.assigned;
    if (assigned.length === 0) throw new Error('no conversation was assigned in the spike');

    log(`${spec.name}: sustained inbound rate`);
    const target = deploymentTarget(
      deployment,
      assigned.map((a) => a.member),
    );
    figures.rate = await sustainedRate(target, PROTOCOL);
    log(`${spec.name}: ${describeSteps(figures.rate)}`);
    figures.half = await latencyAt(target, halfRate(figures.rate), HALF_RATE_RUNS, HALF_RATE_MS);
    deployment.assertAlive();

    log(`${spec.name}: outbound backlog of ${SIZES.backlog} replies`);
    figures.backlog = await outboundBacklog(
      deploymentBacklog(deployment, assigned.slice(0, SIZES.backlog)),
      SIZES.backlog,
      25,
      120_000,
    );
    log(`${spec.name}: ${describeBacklog(figures.backlog)}`);

    log(`${spec.name}: opening conversations up to ${SIZES.open.toLocaleString('en')}`);
    // Open so far: the spike's conversations and the probe's.
    figures.open = await openConversations(deployment, SIZES.spike + 1, SIZES.open, 64, OPEN_TIMEOUT_MS);
    figures.memory = await deployment.memory();
    log(
      `${spec.name}: ${figures.open.open.toLocaleString('en')} open conversations after ${fmt(figures.open.seconds)} s; RSS ${figures.memory.map((m) => fmt(m.rssMb, 0)).join(' + ')} MB`,
    );
    deployment.assertAlive();
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
    log(`${spec.name}: FAILED: ${figures.error}`);
  } finally {
    if (deployment) {
      figures.peak = await deployment.memory();
      const limited = deployment.discord.requests({ status: 429 });
      figures.rateLimitedTotal = limited.length;
      figures.doubledInbound = deployment.doubledInbound;
      log(
        `${spec.name}: ${figures.rateLimitedTotal} × 429 over the whole layout${byRoute(limited.map((r) => r.route))}; ${figures.doubledInbound} member messages shown twice on the desktop`,
      );
      await deployment.close();
    }
  }
  return figures;
}

async function measureBaseline(): Promise<Figures> {
  const figures: Figures = { layout: 'bare discord.js (baseline)' };
  log('\n## bare discord.js baseline');
  const waiting = new Map<string, (at: number) => void>();
  let outbound: (content: string) => void = () => {};
  const bare = await startBareDiscord({
    members: SIZES.spike,
    emulator: {},
    onInbound: (id) => {
      const resolve = waiting.get(id);
      if (resolve) {
        waiting.delete(id);
        resolve(performance.now());
      }
    },
    onOutbound: (message) => outbound(message.content),
  });
  try {
    const target: InboundTarget = {
      members: bare.members.length,
      send(member) {
        return new Promise((resolve, reject) => {
          const started = performance.now();
          const dm = bare.discord.sendDm(bare.members[member] as ApiUser, 'load message');
          bare.dmChannels[member] = dm.channel_id;
          const timer = setTimeout(() => {
            waiting.delete(dm.id);
            reject(new Error('lost'));
          }, 10_000);
          waiting.set(dm.id, (at) => {
            clearTimeout(timer);
            resolve(at - started);
          });
        });
      },
    };
    // Every member writes once first, so that each has a DM channel for the backlog.
    for (let i = 0; i < bare.members.length; i += 100)
      await Promise.all(
        Array.from({ length: Math.min(100, bare.members.length - i) }, (_, j) => target.send(i + j)),
      );
    figures.rate = await sustainedRate(target, PROTOCOL);
    log(`baseline: ${describeSteps(figures.rate)}`);
    figures.half = await latencyAt(target, halfRate(figures.rate), HALF_RATE_RUNS, HALF_RATE_MS);
    figures.backlog = await outboundBacklog(
      {
        discord: bare.discord,
        async post(index, token) {
          const channel = bare.dmChannels[index % bare.members.length] as string;
          // Not awaited: discord.js queues the backlog itself.
          void bare.client.rest.post(Routes.channelMessages(channel), { body: { content: token } });
        },
        watch(listener) {
          outbound = listener;
          return () => {
            outbound = () => {};
          };
        },
      },
      SIZES.backlog,
      1,
      120_000,
    );
    log(`baseline: ${describeBacklog(figures.backlog)}`);
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
    log(`baseline: FAILED: ${figures.error}`);
  } finally {
    await bare.close();
  }
  return figures;
}

const halfRate = (rate: RateResult) => Math.max(1, (rate.sustained || PROTOCOL.startRate / 2) / 2);

// ---------------------------------------------------------------------------------------------
// Report

const began = performance.now();
const log = (line: string) =>
  console.log(line.startsWith('\n') ? line : `[${fmt((performance.now() - began) / 1000, 0)} s] ${line}`);
const fmt = (n: number | null | undefined, digits = 1) =>
  n !== null && n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '—';
const mb = (values: number[] | undefined) =>
  values && values.length > 0 ? values.map((v) => fmt(v, 0)).join(' + ') : '—';

/** " (12 POST /users/@me/channels, 3 POST /channels/:channel_id/messages)" */
function byRoute(routes: Array<string | null>): string {
  if (routes.length === 0) return '';
  const counts = new Map<string, number>();
  for (const route of routes) counts.set(route ?? '?', (counts.get(route ?? '?') ?? 0) + 1);
  return ` (${[...counts].map(([route, n]) => `${n} ${route}`).join(', ')})`;
}

function describeSteps(rate: RateResult): string {
  const steps = rate.steps
    .map((s) => `${s.rate}/s p99 ${fmt(s.p99)} ms${s.lost ? ` (${s.lost} lost)` : ''}${s.passed ? '' : ' ✗'}`)
    .join(', ');
  return `sustained ${rate.sustained} msg/s — ${steps}`;
}

function describeSpike(s: SpikeResult): string {
  return [
    `case numbers ${s.cases}/${s.members}, last +${fmt(s.lastCaseS, 2)} s`,
    `reservations ${s.reserved}/${s.members}, last +${fmt(s.lastReservationS, 2)} s`,
    `assigned ${s.assigned.length}, last +${fmt(s.lastAssignedS, 2)} s`,
    `offered twice at once ${s.offeredTwiceAtOnce}`,
    `"joined" notices ${s.joined}/${s.members}`,
    `doubled case DMs ${s.doubledCaseDms}, doubled "joined" ${s.doubledJoined}`,
    `failed accepts ${s.acceptFailures}${s.acceptFailures ? ` (${[...s.acceptFailureReasons].map(([r, n]) => `${n} × ${r}`).join(', ')})` : ''}`,
    ...(s.timedOut ? [`stopped waiting after ${SPIKE_TIMEOUT_MS / 1000} s`] : []),
  ].join('; ');
}

function describeBacklog(b: BacklogResult): string {
  return `${b.delivered}/${b.replies} delivered in ${fmt(b.seconds)} s, ${fmt(b.requestsPerSecond)} req/s = ${fmt(b.share * 100, 0)} % of 50/s, ${b.rateLimited} × 429${byRoute(b.rateLimitedRoutes)}, ${b.doubled} doubled`;
}

function printTable(rows: Figures[]): void {
  const header = [
    'layout',
    'sustained msg/s (p99 ≤ 100 ms)',
    'p50 / p99 ms at half',
    'spike: last case # (s)',
    'spike: last reservation (s)',
    'offered twice at once',
    'outbound share of 50 req/s',
    '429s',
    'peak RSS MB',
    `RSS MB @ ${SIZES.open.toLocaleString('en')} open`,
  ];
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' --- ').join('|')}|`);
  for (const f of rows) {
    const s = f.spike;
    const spikeCell = (seconds: number | null | undefined, got: number | undefined) =>
      s
        ? seconds !== null && seconds !== undefined
          ? fmt(seconds, 2)
          : `${got}/${s.members} in ${SPIKE_TIMEOUT_MS / 1000}`
        : '—';
    const cells = [
      f.layout + (f.error ? ' (failed, see above)' : ''),
      f.rate ? `${f.rate.sustained >= PROTOCOL.maxRate ? '≥ ' : ''}${f.rate.sustained}` : '—',
      f.half ? `${fmt(f.half.p50)} / ${fmt(f.half.p99)} (at ${fmt(f.half.rate, 1)}/s)` : '—',
      spikeCell(s?.lastCaseS, s?.cases),
      spikeCell(s?.lastReservationS, s?.reserved),
      s ? `${s.offeredTwiceAtOnce} (rows: ${f.offeredTwiceStored ?? '—'})` : '—',
      f.backlog ? `${fmt(f.backlog.share * 100, 0)} % (${fmt(f.backlog.requestsPerSecond)} req/s)` : '—',
      f.backlog ? String(f.backlog.rateLimited) : '—',
      mb(f.peak?.map((m) => m.peakMb)),
      f.open && f.memory
        ? `${mb(f.memory.map((m) => m.rssMb))}${f.open.open < SIZES.open ? ` (at ${f.open.open.toLocaleString('en')})` : ''}`
        : '—',
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

async function main(): Promise<number> {
  const postgresUrl = process.env.TEST_DATABASE_URL ?? defaultPostgresUrl;
  const redisUrl = process.env.TEST_REDIS_URL ?? defaultRedisUrl;
  const found = await connectServices(postgresUrl, redisUrl);
  if ('missing' in found) {
    console.error(`bench:load needs PostgreSQL and Redis; not reachable:\n  ${found.missing.join('\n  ')}`);
    console.error(
      'Set TEST_DATABASE_URL / TEST_REDIS_URL, or start the services (see README, "Benchmarks").',
    );
    return 1;
  }
  const services: Services = found;
  const ended = new Promise<never>((_, reject) => {
    process.once('SIGINT', () => reject(new Error('interrupted')));
  });
  console.log(`# Switchboard load benchmark (npm run bench:load${QUICK ? ' --quick' : ''})`);
  console.log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the start`,
  );
  const rows: Figures[] = [];
  try {
    const work = (async () => {
      rows.push(await measureBaseline());
      rows.push(await measureDeployment({ name: 'SQLite ×1', instances: 1 }));
      rows.push(
        await measureDeployment({
          name: 'PostgreSQL ×1',
          instances: 1,
          databaseUrl: await services.createDatabase(),
        }),
      );
      rows.push(
        await measureDeployment({
          name: 'PostgreSQL + Redis ×2',
          instances: 2,
          databaseUrl: await services.createDatabase(),
          redis: { url: services.redisUrl, prefix: services.redisPrefix },
        }),
      );
    })();
    await Promise.race([work, ended]);
  } finally {
    await Promise.all([...Deployment.running].map((d) => d.close()));
    await services.cleanUp();
  }
  printTable(rows);
  console.log(
    `\nLoad average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )} at the end (1, 5, 15 min; ${cpus().length} CPUs; the emulator, the desktops and the baseline share them with Switchboard). Total ${fmt((performance.now() - began) / 1000, 0)} s.`,
  );
  console.log(
    "Sustained: open-loop DMs in assigned conversations until the median p99 of DM → desktop passes 100 ms. Spike: seconds after the last of the members' \"human\" DMs; Discord's 50 requests/s bound the case numbers' delivery. Outbound share: successful Discord REST requests/s while a backlog drained ÷ 50.",
  );
  return rows.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
