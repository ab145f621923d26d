import { performance } from 'node:perf_hooks';
import type { ApiUser } from '../../test/support/discord-emulator/api-objects.ts';
import type { DiscordEmulator } from '../../test/support/discord-emulator/discord-emulator.ts';
import { median, percentile } from '../support/measuring.ts';
import { api } from '../support/switchboard-api.ts';
import type { Deployment, DeskAgent } from './deployment.ts';

/** Discord's global limit for one bot. */
export const DISCORD_GLOBAL_PER_SECOND = 50;
/** A message not on the desktop this long after it was sent counts as lost (and fails its step). */
const LOST_AFTER_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Sustained inbound rate

/** Something members write to: returns the DM → desktop latency of one message, rejects when it is lost. */
export interface InboundTarget {
  members: number;
  send(member: number): Promise<number>;
}

interface Run {
  latencies: number[];
  lost: number;
  /** The rate the sender kept up, msg/s (it may fall behind on a saturated machine). */
  offered: number;
}

let cursor = 0;

/** An open loop: `rate` messages per second for `durationMs`, spread over the members in turn. */
async function openLoop(target: InboundTarget, rate: number, durationMs: number): Promise<Run> {
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const pending: Array<Promise<number>> = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      while (pending.length < due) {
        pending.push(target.send(cursor++ % target.members).catch(() => Number.POSITIVE_INFINITY));
      }
      if (pending.length >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const sendingS = (performance.now() - started) / 1000;
  const latencies = (await Promise.all(pending)).sort((a, b) => a - b);
  const lost = latencies.filter((l) => !Number.isFinite(l)).length;
  return { latencies, lost, offered: total > 1 ? (total - 1) / sendingS : rate };
}

export interface Step {
  rate: number;
  p50: number;
  p99: number;
  lost: number;
  passed: boolean;
}

export interface RateProtocol {
  /** Repeats per step; the step's p99 is their median. */
  runs: number;
  runMs: number;
  startRate: number;
  maxRate: number;
  /** Extra steps halving the interval between the last passing and the first failing rate. */
  refinements: number;
  p99LimitMs: number;
}

async function step(target: InboundTarget, rate: number, protocol: RateProtocol): Promise<Step> {
  const runs: Run[] = [];
  for (let r = 0; r < protocol.runs; r++) {
    runs.push(await openLoop(target, rate, protocol.runMs));
    await sleep(300);
  }
  const p50 = median(runs.map((r) => percentile(r.latencies, 50)));
  const p99 = median(runs.map((r) => percentile(r.latencies, 99)));
  const lost = runs.reduce((n, r) => n + r.lost, 0);
  // The sender must have offered the rate (a saturated machine shows up as a shortfall, not as a pass).
  const offered = median(runs.map((r) => r.offered));
  return { rate, p50, p99, lost, passed: p99 <= protocol.p99LimitMs && lost === 0 && offered >= rate * 0.9 };
}

export interface RateResult {
  /** The highest rate whose p99 stayed within the limit; 0 when even the first step failed. */
  sustained: number;
  steps: Step[];
}

/** Doubling steps until the p99 passes the limit, then halving the interval between pass and fail. */
export async function sustainedRate(target: InboundTarget, protocol: RateProtocol): Promise<RateResult> {
  const steps: Step[] = [];
  let pass = 0;
  let fail = Number.POSITIVE_INFINITY;
  for (let rate = protocol.startRate; rate <= protocol.maxRate; rate *= 2) {
    const s = await step(target, rate, protocol);
    steps.push(s);
    if (!s.passed) {
      fail = rate;
      break;
    }
    pass = rate;
  }
  if (Number.isFinite(fail)) {
    for (let i = 0; i < protocol.refinements && pass > 0; i++) {
      const rate = Math.round((pass + fail) / 2);
      if (rate === pass || rate === fail) break;
      const s = await step(target, rate, protocol);
      steps.push(s);
      if (s.passed) pass = rate;
      else fail = rate;
    }
  }
  return { sustained: pass, steps };
}

/** p50 and p99 at a fixed rate: the medians over `runs` runs. */
export async function latencyAt(
  target: InboundTarget,
  rate: number,
  runs: number,
  runMs: number,
): Promise<{ rate: number; p50: number; p99: number; lost: number }> {
  const results: Run[] = [];
  for (let r = 0; r < runs; r++) {
    results.push(await openLoop(target, rate, runMs));
    await sleep(300);
  }
  return {
    rate,
    p50: median(results.map((r) => percentile(r.latencies, 50))),
    p99: median(results.map((r) => percentile(r.latencies, 99))),
    lost: results.reduce((n, r) => n + r.lost, 0),
  };
}

/** Members of a deployment writing in their (assigned) conversations; arrival on the supervisor's desktop. */
export function deploymentTarget(deployment: Deployment, members: ApiUser[]): InboundTarget {
  const waiting = new Map<string, (at: number) => void>();
  deployment.listeners.inbound = (externalId, at) => {
    const resolve = waiting.get(externalId);
    if (resolve) {
      waiting.delete(externalId);
      resolve(at);
    }
  };
  let n = 0;
  return {
    members: members.length,
    send(member) {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const dm = deployment.discord.sendDm(members[member] as ApiUser, `load message ${++n}`);
        const timer = setTimeout(() => {
          waiting.delete(dm.id);
          reject(new Error(`lost ${dm.id}`));
        }, LOST_AFTER_MS);
        waiting.set(dm.id, (at) => {
          clearTimeout(timer);
          resolve(at - started);
        });
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The hand-off spike

export interface SpikeResult {
  members: number;
  /** Seconds after the last request until the last member had a case number in their DM (null: not all). */
  lastCaseS: number | null;
  cases: number;
  /** Seconds after the last request until the last conversation had a reservation (null: not all). */
  lastReservationS: number | null;
  reserved: number;
  /** Seconds after the last request until the last agent's accept was answered. */
  lastAssignedS: number | null;
  assigned: Array<{ member: ApiUser; conversationId: string; agent: DeskAgent }>;
  /** Times a conversation got a pending offer while it still had another. */
  offeredTwiceAtOnce: number;
  /** Members who received their case number more than once. */
  doubledCaseDms: number;
  /** Conversations where "joined the conversation" was posted more than once. */
  doubledJoined: number;
  acceptFailures: number;
  /** What the failed accepts answered ("409 conflict: …"), with counts. */
  acceptFailureReasons: Map<string, number>;
  /** Conversations whose "joined the conversation" notice reached the member. */
  joined: number;
  timedOut: boolean;
}

/**
 * `members` members ask for a person at once ("human" in a DM); agents accept every offer from their
 * desktops at once. Waits until every member has a case number and an agent (or `timeoutMs`).
 */
export async function handOffSpike(
  deployment: Deployment,
  count: number,
  timeoutMs: number,
): Promise<SpikeResult> {
  const { discord } = deployment;
  const members = deployment.createMembers(count, 'member');
  const memberByChannel = new Map<string, ApiUser>();
  const caseAt = new Map<string, number>();
  const casesPerChannel = new Map<string, number>();
  const joinedPerChannel = new Map<string, number>();
  const reservedAt = new Map<string, number>();
  const pending = new Map<string, Set<string>>();
  const agentById = new Map(deployment.agents.map((a) => [a.id, a]));
  const memberById = new Map(members.map((m) => [m.id, m]));
  const assigned: SpikeResult['assigned'] = [];
  let lastAssigned = 0;
  let offeredTwiceAtOnce = 0;
  let acceptFailures = 0;
  const acceptFailureReasons = new Map<string, number>();
  const failed = (reason: string) => {
    acceptFailures += 1;
    acceptFailureReasons.set(reason, (acceptFailureReasons.get(reason) ?? 0) + 1);
  };

  deployment.listeners.outbound = (message, at) => {
    const channel = message.channel_id;
    if (!memberByChannel.has(channel)) return;
    if (/case #\d+/.test(message.content)) {
      casesPerChannel.set(channel, (casesPerChannel.get(channel) ?? 0) + 1);
      if (!caseAt.has(channel)) caseAt.set(channel, at);
    } else if (message.content.endsWith('joined the conversation.')) {
      joinedPerChannel.set(channel, (joinedPerChannel.get(channel) ?? 0) + 1);
    }
  };
  deployment.listeners.reservation = (kind, reservation, at) => {
    const offers = pending.get(reservation.conversationId) ?? new Set<string>();
    pending.set(reservation.conversationId, offers);
    if (kind === 'updated' || reservation.status !== 'pending') {
      offers.delete(reservation.id);
      return;
    }
    if (offers.size > 0) offeredTwiceAtOnce += 1;
    offers.add(reservation.id);
    if (!reservedAt.has(reservation.conversationId)) reservedAt.set(reservation.conversationId, at);
    // The offered agent accepts at once, from their own desktop's instance.
    const agent = agentById.get(reservation.agentId);
    if (!agent) return;
    void api(agent.base, agent.cookie, 'POST', `/api/v1/reservations/${reservation.id}/accept`).then(
      (res) => {
        const userId = (res.body.address as { userId?: string } | undefined)?.userId;
        const member = userId ? memberById.get(userId) : undefined;
        if (res.status === 200 && member) {
          assigned.push({ member, conversationId: String(res.body.id), agent });
          lastAssigned = performance.now();
        } else {
          const error = (res.body.error ?? {}) as { code?: string; message?: string };
          failed(`${res.status} ${error.code ?? ''}: ${error.message ?? ''}`);
        }
      },
      (error: Error) => failed(error.message),
    );
  };

  // All at once: the gateway delivers them back to back.
  for (const member of members) memberByChannel.set(discord.sendDm(member, 'human').channel_id, member);
  const lastRequest = performance.now();
  const deadline = lastRequest + timeoutMs;
  while (
    (caseAt.size < count || assigned.length < count || joinedPerChannel.size < count) &&
    performance.now() < deadline
  ) {
    deployment.assertAlive();
    await sleep(50);
  }
  // Late doubles (a second "joined", a second case number) would show up now.
  await sleep(1_000);
  deployment.listeners.outbound = () => {};
  deployment.listeners.reservation = () => {};
  const last = (times: Iterable<number>) => Math.max(...times);
  return {
    members: count,
    cases: caseAt.size,
    lastCaseS: caseAt.size === count ? (last(caseAt.values()) - lastRequest) / 1000 : null,
    reserved: reservedAt.size,
    lastReservationS: reservedAt.size >= count ? (last(reservedAt.values()) - lastRequest) / 1000 : null,
    lastAssignedS: assigned.length >= count ? (lastAssigned - lastRequest) / 1000 : null,
    assigned,
    offeredTwiceAtOnce,
    doubledCaseDms: [...casesPerChannel.values()].filter((n) => n > 1).length,
    doubledJoined: [...joinedPerChannel.values()].filter((n) => n > 1).length,
    acceptFailures,
    acceptFailureReasons,
    joined: joinedPerChannel.size,
    timedOut: performance.now() >= deadline,
  };
}

// ---------------------------------------------------------------------------------------------
// Outbound with a backlog

export interface BacklogResult {
  replies: number;
  delivered: number;
  /** Successful Discord REST requests per second while the backlog drained steadily, as a share of 50/s. */
  share: number;
  requestsPerSecond: number;
  rateLimited: number;
  /** Route templates of those 429s. */
  rateLimitedRoutes: Array<string | null>;
  doubled: number;
  seconds: number;
}

/** What a backlog measurement needs of the side sending it. */
export interface BacklogSender {
  discord: DiscordEmulator;
  /** Queue one reply carrying `token` (returns once it is accepted, not delivered). */
  post(index: number, token: string): Promise<void>;
  /** Calls back with the text of every message the bot posts, until the returned function is called. */
  watch(listener: (content: string) => void): () => void;
}

let tokens = 0;

/** `replies` replies queued as fast as the API takes them; the share of Discord's limit used draining them. */
export async function outboundBacklog(
  sender: BacklogSender,
  replies: number,
  concurrency: number,
  timeoutMs: number,
): Promise<BacklogResult> {
  const seen = new Map<string, number>();
  const arrivals: number[] = [];
  const stop = sender.watch((content) => {
    const token = /(bk\d+)\s*$/.exec(content)?.[1];
    if (!token) return;
    seen.set(token, (seen.get(token) ?? 0) + 1);
    arrivals.push(Date.now());
  });
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < replies) {
        const index = next++;
        await sender.post(index, `bk${++tokens}`);
      }
    }),
  );
  const deadline = Date.now() + timeoutMs;
  while (seen.size < replies && Date.now() < deadline) await sleep(50);
  await sleep(500);
  stop();
  const ended = arrivals.at(-1) ?? Date.now();
  // The steady drain: between the 10th and the 90th percentile of deliveries, so that the first fixed
  // 1-second window (which lets a burst through on top of the previous one) does not count as sustained.
  const from = arrivals[Math.floor(arrivals.length * 0.1)] ?? started;
  const to = arrivals[Math.floor(arrivals.length * 0.9)] ?? ended;
  const steady = to - from >= 1_000 ? { from, to } : { from: started, to: ended };
  const seconds = Math.max(0.001, (steady.to - steady.from) / 1000);
  const ok = sender.discord
    .requests()
    .filter((r) => r.at >= steady.from && r.at <= steady.to && r.status < 400).length;
  const limited = sender.discord.requests({ status: 429 }).filter((r) => r.at >= started);
  return {
    replies,
    delivered: seen.size,
    requestsPerSecond: ok / seconds,
    share: ok / seconds / DISCORD_GLOBAL_PER_SECOND,
    rateLimited: limited.length,
    rateLimitedRoutes: limited.map((r) => r.route),
    doubled: [...seen.values()].filter((n) => n > 1).length,
    seconds: (ended - started) / 1000,
  };
}

/** Agents' replies in assigned conversations, each through the agent's own instance. */
export function deploymentBacklog(deployment: Deployment, assigned: SpikeResult['assigned']): BacklogSender {
  return {
    discord: deployment.discord,
    async post(index, token) {
      const { conversationId, agent } = assigned[index % assigned.length] as SpikeResult['assigned'][number];
      const res = await api(
        agent.base,
        agent.cookie,
        'POST',
        `/api/v1/conversations/${conversationId}/messages`,
        {
          text: token,
        },
      );
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`bench: reply answered ${res.status} ${JSON.stringify(res.body)}`);
    },
    watch(listener) {
      deployment.listeners.outbound = (message) => listener(message.content);
      return () => {
        deployment.listeners.outbound = () => {};
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Many open conversations

/**
 * New members write until `target` conversations are open (each stored and on the supervisor's desktop),
 * with `inFlight` DMs outstanding at a time, for at most `timeoutMs`. Returns how many are open.
 */
export async function openConversations(
  deployment: Deployment,
  alreadyOpen: number,
  target: number,
  inFlight: number,
  timeoutMs: number,
): Promise<{ open: number; seconds: number }> {
  const wanted = Math.max(0, target - alreadyOpen);
  const members = deployment.createMembers(wanted, 'visitor');
  const waiting = new Map<string, () => void>();
  deployment.listeners.inbound = (externalId) => {
    const resolve = waiting.get(externalId);
    if (resolve) {
      waiting.delete(externalId);
      resolve();
    }
  };
  const started = performance.now();
  const deadline = started + timeoutMs;
  let next = 0;
  let stored = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < wanted && performance.now() < deadline) {
        const member = members[next++] as ApiUser;
        const dm = deployment.discord.sendDm(member, 'hello, how do I link my account?');
        const arrived = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), Math.max(1, deadline - performance.now()));
          waiting.set(dm.id, () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (arrived) stored += 1;
      }
    }),
  );
  deployment.listeners.inbound = () => {};
  return { open: alreadyOpen + stored, seconds: (performance.now() - started) / 1000 };
}
