/**
 * The bot path of `npm run bench:discord`: a member's DM answered by the virtual agent from a knowledge base of
 * 1,000 articles, measured beside a bare discord.js client that answers each DM with a fixed text.
 *
 *   queued    the processing part: emulator `sendDm` → the answer's outbox item written (the answer's
 *             `message.created` on the event bus, published once the transaction with the outbox item is
 *             committed); open loop: every member sends its questions at once, answers ÷ time to the last one.
 *             Baseline: `sendDm` → the bare client's `messageCreate` handler calls `rest.post`.
 *   answered  emulator `sendDm` → the answer received by the emulator; closed loop (one question in flight per
 *             member), p50/p99 pooled over the trials. Baseline: the same, the fixed text received.
 *
 * The knowledge base: 1,000 articles built from CLINC150's training questions (150 intents, each split into
 * parts of 14 questions, one article per part); members ask CLINC150's test questions (those that ask for
 * neither a person nor a greeting, so every one gets the virtual agent's answer).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Events, Routes } from 'discord.js';
import { loadConfig } from '../../src/config.ts';
import { detectConversationalIntent } from '../../src/core/knowledge/handoff-detector.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import type { ApiMessage, ApiUser } from '../../test/support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../../test/support/discord-emulator/discord-emulator.ts';
import { loadClinc } from '../kb.ts';
import { type BareDiscord, startBareDiscord } from '../support/bare-discord.ts';
import { Arrivals, closedLoop, type Summary, summarise, type Trial } from '../support/measuring.ts';

const ARTICLES = 1_000;
const QUESTIONS_PER_ARTICLE = 14;
const BASELINE_ANSWER = 'Thanks for your message! This may help: https://help.example.com/articles/1';

interface Level {
  members: number;
  trials: number;
  /** Questions each member sends at once in a queued trial (open loop). */
  burst: number;
  /** Questions each member sends one after the other in an answered trial (closed loop). */
  rounds: number;
}

const LEVELS: Level[] = [
  { members: 1, trials: 3, burst: 100, rounds: 50 },
  { members: 100, trials: 3, burst: 3, rounds: 2 },
];

/** As the rest of bench:discord: the emulator never answers 429, discord.js's own 50 requests/s still applies. */
const GENEROUS: Partial<DiscordEmulatorOptions> = {
  defaultRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
  globalRateLimit: { limit: 1_000_000_000, windowMs: 1_000 },
  replayBufferSize: 100,
};

interface KnowledgeBase {
  articles: Array<{ id: string; title: string; body: string }>;
  questions: string[];
}

function knowledgeBase(): KnowledgeBase {
  const clinc = loadClinc();
  const byIntent = new Map<string, string[]>();
  for (const example of clinc.dataset.train) {
    const list = byIntent.get(example.intent) ?? [];
    list.push(example.text);
    byIntent.set(example.intent, list);
  }
  const intents = [...byIntent.keys()].sort();
  const articles: KnowledgeBase['articles'] = [];
  for (let part = 0; articles.length < ARTICLES; part++) {
    let added = false;
    for (const intent of intents) {
      if (articles.length >= ARTICLES) break;
      const examples = (byIntent.get(intent) ?? []).slice(
        part * QUESTIONS_PER_ARTICLE,
        (part + 1) * QUESTIONS_PER_ARTICLE,
      );
      if (examples.length === 0) continue;
      added = true;
      const title = `${clinc.dataset.titles.get(intent) ?? intent} (${part + 1})`;
      articles.push({ id: `bench-${intent}-${part + 1}`, title, body: examples.join('\n\n') });
    }
    if (!added) throw new Error(`bench: CLINC150 has questions for only ${articles.length} articles`);
  }
  const questions = clinc.test.map((e) => e.text).filter((text) => detectConversationalIntent(text) === null);
  return { articles, questions };
}

interface Side {
  label: string;
  discord: DiscordEmulator;
  members: ApiUser[];
  /** Answers queued (the outbox item / `rest.post`) so far, with the time of the latest one. */
  queued: { count: number; lastAt: number };
  close(): Promise<void>;
}

const arrivals = new Arrivals();

/** Every bot message in a member's DM channel counts as the answer to that member's oldest open question. */
function watchAnswers(side: Side): void {
  const answered = new Map<string, number>();
  const dmChannels = new Set<string>();
  side.discord.onMessage((message: ApiMessage) => {
    if (!message.author.bot) {
      dmChannels.add(message.channel_id);
      return;
    }
    if (!dmChannels.has(message.channel_id)) return;
    answered.set(message.channel_id, (answered.get(message.channel_id) ?? 0) + 1);
    arrivals.arrived(`${side.label}:${message.channel_id}:${answered.get(message.channel_id)}`);
  });
}

async function startSwitchboardSide(kb: KnowledgeBase, members: number): Promise<Side & { sb: Switchboard }> {
  const discord = await DiscordEmulator.start(GENEROUS);
  const guild = discord.createGuild({
    name: 'Acme',
    textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
  });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-bot-path-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: 'bench-admin-password',
    SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
    SWITCHBOARD_SAMPLE_KB: 'false',
    LOG_LEVEL: 'silent',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guild.id,
  });
  const sb = await createSwitchboard(config, { announce: () => {} });
  await sb.start();
  for (const article of kb.articles) await sb.center.articles.create({ ...article, locale: 'en' });
  const side: Side & { sb: Switchboard } = {
    label: 'sb',
    discord,
    sb,
    members: Array.from({ length: members }, (_, i) => {
      const user = discord.createUser({ username: `member${i}` });
      discord.addMember(guild, user);
      return user;
    }),
    queued: { count: 0, lastAt: 0 },
    async close() {
      await sb.stop();
      await discord.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  // The answer's outbox item is written in the transaction that stores the bot's message; the event follows it.
  sb.center.bus.subscribe((event) => {
    if (event.type === 'message.created' && event.message.authorKind === 'bot') {
      side.queued.count += 1;
      side.queued.lastAt = performance.now();
    }
  });
  return side;
}

async function startBaselineSide(members: number): Promise<Side & { bare: BareDiscord }> {
  const bare = await startBareDiscord({
    members,
    emulator: GENEROUS,
    onInbound: () => {},
    onOutbound: () => {},
  });
  const side: Side & { bare: BareDiscord } = {
    label: 'base',
    discord: bare.discord,
    bare,
    members: bare.members,
    queued: { count: 0, lastAt: 0 },
    close: () => bare.close(),
  };
  bare.client.on(Events.MessageCreate, (message) => {
    if (message.author.bot) return;
    side.queued.count += 1;
    side.queued.lastAt = performance.now();
    void bare.client.rest
      .post(Routes.channelMessages(message.channelId), { body: { content: BASELINE_ANSWER } })
      .catch((error: unknown) => console.error(`bench: baseline answer failed: ${String(error)}`));
  });
  return side;
}

interface BotTrial extends Trial {
  /** REST requests the emulator answered during the trial. */
  requests: number;
}

let questionCursor = 0;
function nextQuestion(kb: KnowledgeBase): string {
  const question = kb.questions[questionCursor % kb.questions.length] ?? 'How do I reset my password?';
  questionCursor += 1;
  return question;
}

/** Open loop: every member sends `burst` questions at once; answers queued ÷ time until the last one was. */
async function queuedTrial(side: Side, kb: KnowledgeBase, level: Level): Promise<BotTrial> {
  const expected = side.queued.count + level.members * level.burst;
  const delivered: Array<Promise<number>> = [];
  const started = performance.now();
  for (let round = 0; round < level.burst; round++) {
    for (const member of side.members.slice(0, level.members)) {
      const dm = side.discord.sendDm(member, nextQuestion(kb));
      delivered.push(arrivals.expect(`${side.label}:${dm.channel_id}:${asked(side, dm.channel_id)}`));
    }
  }
  while (side.queued.count < expected) await new Promise((resolve) => setTimeout(resolve, 1));
  const elapsedMs = side.queued.lastAt - started;
  // Not timed: every answer reaches the emulator before the next trial.
  await Promise.all(delivered);
  return { messages: level.members * level.burst, elapsedMs, latencies: [], requests: 0 };
}

const askedPerChannel = new Map<string, number>();
/** Counts a question asked in a DM channel; returns its number there, which its answer's number matches. */
function asked(side: Side, channelId: string): number {
  const key = `${side.label}:${channelId}`;
  const n = (askedPerChannel.get(key) ?? 0) + 1;
  askedPerChannel.set(key, n);
  return n;
}

/** Closed loop: each member asks, waits for the answer in its DM, asks again. */
async function answeredTrial(side: Side, kb: KnowledgeBase, level: Level): Promise<BotTrial> {
  const requestsBefore = side.discord.requests().length;
  const trial = await closedLoop(level.members, level.rounds, async (worker) => {
    const at = performance.now();
    const dm = side.discord.sendDm(side.members[worker] as ApiUser, nextQuestion(kb));
    return (await arrivals.expect(`${side.label}:${dm.channel_id}:${asked(side, dm.channel_id)}`)) - at;
  });
  return { ...trial, requests: side.discord.requests().length - requestsBefore };
}

interface BotSummary extends Summary {
  /** REST requests per message, over the trials. */
  requestsEach: number;
}

function summariseBot(trials: BotTrial[]): BotSummary {
  return {
    ...summarise(trials),
    requestsEach: trials.reduce((n, t) => n + t.requests, 0) / trials.reduce((n, t) => n + t.messages, 0),
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const pad = (s: string, n: number) => s.padStart(n);

/** Prints the bot-path rows of `bench:discord`. */
export async function benchBotPath(options: { quick: boolean }): Promise<void> {
  const kb = knowledgeBase();
  const levels = options.quick ? LEVELS.map((l) => ({ ...l, trials: Math.min(l.trials, 2) })) : LEVELS;
  const maxMembers = Math.max(...levels.map((l) => l.members));
  let setupMs = performance.now();
  const sb = await startSwitchboardSide(kb, maxMembers);
  const base = await startBaselineSide(maxMembers);
  setupMs = performance.now() - setupMs;
  watchAnswers(sb);
  watchAnswers(base);
  const rows: Array<{ level: Level; queued: [BotSummary, BotSummary]; answered: [BotSummary, BotSummary] }> =
    [];
  try {
    for (const level of levels) {
      // Warm-up (not counted): one question per member on each side opens the DMs and the conversations.
      await answeredTrial(base, kb, { ...level, rounds: 1 });
      await answeredTrial(sb, kb, { ...level, rounds: 1 });
      const queued: [BotTrial[], BotTrial[]] = [[], []];
      const answered: [BotTrial[], BotTrial[]] = [[], []];
      // Alternating, so that a noisy neighbour weighs on both sides alike.
      for (let t = 0; t < level.trials; t++) {
        queued[1].push(await queuedTrial(base, kb, level));
        queued[0].push(await queuedTrial(sb, kb, level));
        answered[1].push(await answeredTrial(base, kb, level));
        answered[0].push(await answeredTrial(sb, kb, level));
      }
      rows.push({
        level,
        queued: [summariseBot(queued[0]), summariseBot(queued[1])],
        answered: [summariseBot(answered[0]), summariseBot(answered[1])],
      });
    }
  } finally {
    await sb.close();
    await base.close();
  }

  console.log(
    `\nBot path: member DM → virtual-agent answer from ${kb.articles.length.toLocaleString('en')} articles (CLINC150 training questions), setup ${fmt(setupMs / 1000)} s`,
  );
  console.log(
    "  queued:   sendDm → the answer's outbox item written (message.created of the bot's answer on the event bus);",
  );
  console.log(
    '            every member sends its questions at once; answers ÷ time to the last one (median of trials).',
  );
  console.log(
    '  answered: sendDm → the answer received by the emulator, one question in flight per member (closed loop).',
  );
  console.log(
    `  Baseline: a bare discord.js client answering each DM with a fixed text (messageCreate → rest.post), same`,
  );
  console.log(
    "  emulator options (never 429) and load; both keep to 50 requests per window (Discord's global limit), so",
  );
  console.log(
    '  answered/s is capped by it: req/ans = REST requests per answer (an answer with buttons first disables the',
  );
  console.log("  buttons of the member's previous one: PATCH + POST).");
  console.log(
    `${pad('members', 7)} ${pad('trials×msgs', 11)} │ ${pad('queued/s', 9)} ${pad('base/s', 9)} ${pad('ratio', 6)} │ ${pad('trials×msgs', 11)} ${pad('answered/s', 10)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('req/ans', 7)} │ ${pad('base/s', 8)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('req/ans', 7)}`,
  );
  for (const { level, queued, answered } of rows) {
    const [q, qb] = queued;
    const [a, ab] = answered;
    console.log(
      `${pad(level.members.toLocaleString('en'), 7)} ${pad(`${q.trials}×${q.perTrial}`, 11)} │ ${pad(fmt(q.throughput), 9)} ${pad(fmt(qb.throughput), 9)} ${pad(fmt(q.throughput / qb.throughput, 3), 6)} │ ${pad(`${a.trials}×${a.perTrial}`, 11)} ${pad(fmt(a.throughput), 10)} ${pad(fmt(a.p50), 8)} ${pad(fmt(a.p99), 8)} ${pad(fmt(a.requestsEach, 2), 7)} │ ${pad(fmt(ab.throughput), 8)} ${pad(fmt(ab.p50), 8)} ${pad(fmt(ab.p99), 8)} ${pad(fmt(ab.requestsEach, 2), 7)}`,
    );
  }
}
