import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import type { ApiMessage, ApiUser } from '../../test/support/discord-emulator/api-objects.ts';
import { DiscordEmulator, type EmulatedGuild } from '../../test/support/discord-emulator/discord-emulator.ts';
import { type ServerProcess, spawnServer } from '../../test/support/server-process.ts';
import { api, signIn } from '../support/switchboard-api.ts';

/** One of the layouts `bench:load` measures. */
export interface DeploymentSpec {
  name: string;
  instances: number;
  /** A PostgreSQL database URL of the run's own; absent: SQLite in the data folder. */
  databaseUrl?: string;
  /** Redis and the run's own key prefix, for many instances. */
  redis?: { url: string; prefix: string };
}

export const ADMIN_EMAIL = 'admin@localhost';
const ADMIN_PASSWORD = 'bench-admin-password';
const AGENT_PASSWORD = 'bench-agent-password';

export interface Instance {
  base: string;
  server: ServerProcess;
}

export interface DeskAgent {
  id: string;
  email: string;
  cookie: string;
  /** The instance this agent's desktop talks to (agents are spread over the instances, as a load balancer does). */
  base: string;
  socket: WebSocket;
}

export interface Reservation {
  id: string;
  conversationId: string;
  agentId: string;
  status: string;
}

/** What the desktops see and what the emulator receives, handed to whoever measures at the moment. */
export interface Listeners {
  /** A member's message shown on the supervisor's desktop (`message.created` with Discord's message id). */
  inbound(externalId: string, at: number): void;
  reservation(kind: 'created' | 'updated', reservation: Reservation, at: number): void;
  /** A message the bot posted, as the emulator stored it. */
  outbound(message: ApiMessage, at: number): void;
}

const idle: Listeners = { inbound() {}, reservation() {}, outbound() {} };

/**
 * Switchboard as `npm start` runs it (`node bin/switchboard.mjs start`, one process per instance), its
 * Discord connector logged in to an emulator in this process that enforces Discord's limits (50 requests/s
 * per bot and per route bucket); a supervisor desktop and agents' desktops on the realtime WebSocket.
 */
export class Deployment {
  /** Deployments not closed yet, for an interrupted run to end their processes. */
  static readonly running = new Set<Deployment>();
  readonly listeners: Listeners = { ...idle };
  readonly agents: DeskAgent[] = [];
  /** Member messages the supervisor's desktop was shown more than once. */
  doubledInbound = 0;
  private readonly shown = new Set<string>();
  private desktop: WebSocket | undefined;
  private memberCount = 0;

  private constructor(
    readonly spec: DeploymentSpec,
    readonly discord: DiscordEmulator,
    readonly guild: EmulatedGuild,
    readonly instances: Instance[],
    private readonly dataDirs: string[],
  ) {}

  static async start(spec: DeploymentSpec, agentCount: number, agentCapacity: number): Promise<Deployment> {
    // Discord's own limits: every figure is taken where a real bot would be.
    const discord = await DiscordEmulator.start();
    const guild = discord.createGuild({
      name: 'Acme',
      textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
    });
    const deployment = new Deployment(spec, discord, guild, [], []);
    Deployment.running.add(deployment);
    discord.onMessage((message) => {
      if (message.author.id === discord.botUser.id) deployment.listeners.outbound(message, performance.now());
    });
    try {
      // One after the other, as an operator brings instances up: the first sets the database up.
      for (let i = 0; i < spec.instances; i++) await deployment.startInstance();
      await deployment.signInDesks(agentCount, agentCapacity);
      await deployment.probe();
      return deployment;
    } catch (error) {
      await deployment.close();
      throw error;
    }
  }

  private async startInstance(): Promise<void> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-load-'));
    this.dataDirs.push(dataDir);
    const port = await freePort();
    const server = spawnServer('node', ['bin/switchboard.mjs', 'start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
      LOG_LEVEL: 'warn',
      DISCORD_TOKEN: this.discord.token,
      DISCORD_API_URL: `${this.discord.url}/api`,
      DISCORD_GUILD_IDS: this.guild.id,
      DATABASE_URL: this.spec.databaseUrl,
      REDIS_URL: this.spec.redis?.url,
      SWITCHBOARD_REDIS_PREFIX: this.spec.redis?.prefix,
    });
    const base = `http://127.0.0.1:${port}`;
    this.instances.push({ base, server });
    await waitReady(base, server);
  }

  /** Agents created by the admin, each signed in on an instance in turn, desktop connected, available. */
  private async signInDesks(agentCount: number, capacity: number): Promise<void> {
    const instanceBase = (i: number) => (this.instances[i % this.instances.length] as Instance).base;
    const first = instanceBase(0);
    const adminCookie = await signIn(first, ADMIN_EMAIL, ADMIN_PASSWORD);
    // The supervisor's desktop on the last instance: with two, events cross instances to reach it.
    const deskBase = instanceBase(this.instances.length - 1);
    const deskCookie = deskBase === first ? adminCookie : await signIn(deskBase, ADMIN_EMAIL, ADMIN_PASSWORD);
    this.desktop = await openDesktop(deskBase, deskCookie, (event) => this.onDesktopEvent(event));
    for (let i = 0; i < agentCount; i++) {
      const email = `agent${i + 1}@example.com`;
      const created = await api(first, adminCookie, 'POST', '/api/v1/agents', {
        email,
        name: `Agent ${i + 1}`,
        role: 'agent',
        capacity,
        password: AGENT_PASSWORD,
      });
      if (created.status !== 201) throw new Error(`bench: creating ${email} answered ${created.status}`);
      const id = String(created.body.id);
      const base = instanceBase(i);
      const cookie = await signIn(base, email, AGENT_PASSWORD);
      const socket = await openDesktop(base, cookie, () => {});
      const presence = await api(base, cookie, 'PUT', `/api/v1/agents/${id}/presence`, {
        presence: 'available',
      });
      if (presence.status !== 200) throw new Error(`bench: presence of ${email} answered ${presence.status}`);
      this.agents.push({ id, email, cookie, base, socket });
    }
  }

  private onDesktopEvent(event: DesktopEvent): void {
    const at = performance.now();
    if (event.type === 'message.created' && event.message?.externalId) {
      if (this.shown.has(event.message.externalId)) this.doubledInbound += 1;
      this.shown.add(event.message.externalId);
      this.listeners.inbound(event.message.externalId, at);
    } else if (
      (event.type === 'reservation.created' || event.type === 'reservation.updated') &&
      event.reservation
    )
      this.listeners.reservation(
        event.type === 'reservation.created' ? 'created' : 'updated',
        event.reservation,
        at,
      );
  }

  /** One member's DM reaches the supervisor's desktop: the gateway (whoever holds it) is up. */
  private async probe(): Promise<void> {
    const member = this.createMembers(1, 'probe')[0] as ApiUser;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const dm = this.discord.sendDm(member, 'hello');
      const seen = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 3_000);
        this.listeners.inbound = (externalId) => {
          if (externalId !== dm.id) return;
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.listeners.inbound = idle.inbound;
      if (seen) return;
      if (Date.now() > deadline)
        throw new Error(`bench: ${this.spec.name}: no DM reached the desktop in 60 s`);
    }
  }

  createMembers(count: number, label: string): ApiUser[] {
    return Array.from({ length: count }, () => {
      const user = this.discord.createUser({ username: `${label}${++this.memberCount}` });
      this.discord.addMember(this.guild, user);
      return user;
    });
  }

  /** Resident and peak resident memory of each instance's process, in MB. */
  async memory(): Promise<Array<{ rssMb: number; peakMb: number }>> {
    return Promise.all(
      this.instances.map(async ({ server }) => {
        const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8').catch(() => '');
        const kb = (field: string) =>
          Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
        return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
      }),
    );
  }

  /**
   * Conversations that had two reservations pending at the same time, read from the database (the desktop's
   * events may arrive out of order across instances; the rows do not).
   */
  async offeredTwiceInDatabase(): Promise<number> {
    const sql = `select count(distinct a.conversation_id) as n from reservations a join reservations b
      on a.conversation_id = b.conversation_id and a.id < b.id
      and a.created_at < coalesce(b.responded_at, '9999') and b.created_at < coalesce(a.responded_at, '9999')`;
    if (this.spec.databaseUrl) {
      const client = new pg.Client({ connectionString: this.spec.databaseUrl });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
      } finally {
        await client.end();
      }
    }
    const db = new Sqlite(path.join(this.dataDirs[0] as string, 'switchboard.db'), { readonly: true });
    try {
      return Number((db.prepare(sql).get() as { n: number } | undefined)?.n ?? 0);
    } finally {
      db.close();
    }
  }

  /** Fails with the instance's last output when one of them died. */
  assertAlive(): void {
    for (const { server, base } of this.instances) {
      if (!server.groupAlive())
        throw new Error(`bench: the instance at ${base} exited:\n${server.output().slice(-3000)}`);
    }
  }

  async close(): Promise<void> {
    Deployment.running.delete(this);
    for (const agent of this.agents) agent.socket.close();
    this.desktop?.close();
    await Promise.all(this.instances.map(({ server }) => server.kill()));
    await this.discord.close();
    await Promise.all(this.dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

interface DesktopEvent {
  type: string;
  heartbeatMs?: number;
  message?: { externalId: string | null };
  reservation?: Reservation;
}

/** A desktop's realtime connection; it sends the heartbeats the server asks for (presence follows them). */
async function openDesktop(
  base: string,
  cookie: string,
  onEvent: (event: DesktopEvent) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, {
    headers: { cookie, origin: base },
  });
  let beat: NodeJS.Timeout | undefined;
  socket.on('message', (data) => {
    const event = JSON.parse(String(data)) as DesktopEvent;
    if (event.type === 'hello' && event.heartbeatMs && !beat) {
      beat = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'heartbeat' }));
      }, event.heartbeatMs);
      beat.unref();
    }
    onEvent(event);
  });
  socket.on('close', () => clearInterval(beat));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`bench: realtime at ${base} answered ${res.statusCode}`)),
    );
  });
  return socket;
}

/** Ready for traffic: `/readyz` (or `/healthz` where there is none) answers 200. */
async function waitReady(base: string, server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (!server.groupAlive())
      throw new Error(`bench: Switchboard exited while starting:\n${server.output().slice(-3000)}`);
    const status = async (url: string) => (await fetch(base + url).catch(() => undefined))?.status ?? 0;
    const ready = await status('/readyz');
    if (ready === 200 || (ready === 404 && (await status('/healthz')) === 200)) return;
    if (Date.now() > deadline)
      throw new Error(
        `bench: ${base} not ready after 120 s (readyz ${ready}):\n${server.output().slice(-3000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
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
