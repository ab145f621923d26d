/**
 * A steady Discord load for fault tests on real Switchboard processes, and one check at the end that
 * nothing was lost or doubled.
 *
 * ```ts
 * const { discord, guild } = await startLoadDiscord();
 * const server = spawnSwitchboard(discord, guild, { SWITCHBOARD_DATA_DIR: dir });
 * const load = await LoadHarness.start({ discord, guild, urls: [await server.url()], store: { sqlite: `${dir}/switchboard.db` } });
 * // … the fault: kill -9 and restart (then `load.setUrls([newUrl])`), a Discord outage, …
 * await load.stop();                      // members and agents stop writing
 * const report = await load.settle();     // waits until everything arrived (or the time is up)
 * expect(report.problems, report.text).toEqual([]);
 * await load.close();
 * ```
 *
 * The load:
 * - `askers` members (emulator users in the guild) DM the bot a unique question every `messageIntervalMs`;
 *   the virtual agent answers each one.
 * - `handoffMembers` members first ask for a person ("I want to talk to a human": a case number in their DM), then
 *   go on writing unique updates at the same rate; these are stored for the agent and not answered by the bot.
 * - `agents` agents (created through the REST API by the admin, signed in with a session cookie) poll their
 *   reservations, accept every offer, and send each of their conversations a numbered reply every
 *   `replyIntervalMs`. Requests go round-robin over `urls` and move on to the next URL when one does not
 *   answer (fail-over to a live instance). A reply is never retried: without an idempotency key a retry
 *   could double it. A reply answered 201 must arrive exactly once; one whose answer was lost (the
 *   instance died, a 5xx) may arrive at most once.
 *
 * The check (`check()`, or `settle()` which retries it until it passes): every member message is stored
 * exactly once (messages.external_id = the Discord message id, read from the database); each asker got
 * exactly one bot message per question, each hand-off member exactly one case-number message and one
 * "joined the conversation" per agent who accepted; every outbox item is `sent` and its parts are in
 * the member's DM exactly once (Discord nonce) and in outbox order; the bot posted nothing in a DM that no
 * outbox item accounts for; every accepted agent reply reached the member's DM exactly once and in order;
 * an agent reply whose answer was lost arrived at most once. `close()` signs the agents off. The report
 * counts lost and doubled messages with a few examples, so a failing assertion says what went wrong.
 *
 * Knobs (`LoadHarnessOptions`): askers, handoffMembers, messageIntervalMs, agents, agentCapacity,
 * replyIntervalMs, repliesPerConversation, pollIntervalMs, adminEmail/adminPassword, store (SQLite file
 * or PostgreSQL URL), requestTimeoutMs. The processes need `switchboardEnv()` (the emulator's URL and token,
 * the guild, an admin password, a presence grace long enough for agents without a desktop socket).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { deliveryNonce } from '../../src/channels/discord/discord-connector.ts';
import type { ApiMessage, ApiUser } from '../support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
  type EmulatedGuild,
} from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import { type ServerProcess, spawnServer } from '../support/server-process.ts';

/** Harnesses started in this process: each one's members and agents get names of their own. */
let runs = 0;

export const LOAD_ADMIN_PASSWORD = 'fault-test-password';
const AGENT_PASSWORD = 'fault-agent-password';

/** The Discord emulator with the brand's server of the fault tests: Acme, with the official channels. */
export async function startLoadDiscord(
  options: Partial<DiscordEmulatorOptions> = {},
): Promise<{ discord: DiscordEmulator; guild: EmulatedGuild }> {
  const discord = await DiscordEmulator.start(options);
  const guild = discord.createGuild({
    name: 'Acme',
    textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
  });
  return { discord, guild };
}

/** Switchboard as a real process (`node bin/switchboard.mjs start`, as `npm start` runs it) on the emulator. */
export function spawnSwitchboard(
  discord: DiscordEmulator,
  guild: EmulatedGuild,
  extra: Record<string, string> = {},
): ServerProcess {
  return spawnServer('node', ['bin/switchboard.mjs', 'start'], switchboardEnv(discord, guild, extra));
}

/** The environment of a Switchboard process that talks to the emulator; `extra` wins. */
export function switchboardEnv(
  discord: DiscordEmulator,
  guild: EmulatedGuild,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SWITCHBOARD_ADMIN_PASSWORD: LOAD_ADMIN_PASSWORD,
    SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
    // The virtual agent answers every question (a low bar keeps the sample knowledge base's answers stable).
    SWITCHBOARD_VA_CONFIDENCE_THRESHOLD: '0.1',
    // Agents of the harness have no desktop socket: they must not turn `away` during a test.
    SWITCHBOARD_PRESENCE_GRACE_SECONDS: '3600',
    SWITCHBOARD_RESERVATION_TIMEOUT_SECONDS: '3600',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guild.id,
    ...extra,
  };
}

export interface LoadHarnessOptions {
  discord: DiscordEmulator;
  guild: EmulatedGuild;
  /** Base URLs of the running instances (`setUrls` replaces them after a restart). */
  urls: string[];
  /** Where the instances keep their data, for the check. */
  store: { sqlite: string } | { postgres: string };
  /** Members who only ask the virtual agent. */
  askers: number;
  /** Members who ask for a person, then keep writing to their agent. */
  handoffMembers: number;
  /** Each member writes one message this often. */
  messageIntervalMs: number;
  agents: number;
  agentCapacity: number;
  /** Each agent replies to each of its conversations this often. */
  replyIntervalMs: number;
  /** Replies per conversation, then the agent stays silent there. */
  repliesPerConversation: number;
  /** How often agents look for offers. */
  pollIntervalMs: number;
  /** An agent's request without an answer after this long counts as lost. */
  requestTimeoutMs: number;
  adminEmail: string;
  adminPassword: string;
}

export const defaultLoadHarnessOptions: Omit<LoadHarnessOptions, 'discord' | 'guild' | 'urls' | 'store'> = {
  askers: 4,
  handoffMembers: 2,
  messageIntervalMs: 1_000,
  agents: 2,
  agentCapacity: 10,
  replyIntervalMs: 1_000,
  repliesPerConversation: Number.POSITIVE_INFINITY,
  pollIntervalMs: 250,
  requestTimeoutMs: 10_000,
  adminEmail: 'admin@localhost',
  adminPassword: LOAD_ADMIN_PASSWORD,
};

/** One member message the harness sent. */
interface SentMessage {
  member: LoadMember;
  id: string;
  text: string;
}

/** One agent reply the harness posted. */
interface PostedReply {
  agent: LoadAgent;
  conversationId: string;
  member: string;
  number: number;
  text: string;
  /** 201: must arrive once; unknown (no answer, 5xx): at most once; refused (4xx): never. */
  outcome: 'accepted' | 'unknown' | 'refused';
}

export interface LoadMember {
  user: ApiUser;
  kind: 'asker' | 'handoff';
}

interface LoadAgent {
  id: string;
  name: string;
  email: string;
  cookie: string;
  /** Conversation id → the number of replies sent there. */
  conversations: Map<string, number>;
}

export interface LoadReport {
  /** Empty when nothing was lost or doubled; otherwise one readable line per kind of problem. */
  problems: string[];
  counts: {
    memberMessages: number;
    stored: number;
    botMessages: number;
    outboxItems: number;
    repliesAccepted: number;
    repliesUnknown: number;
    conversationsAssigned: number;
  };
  /** The counts and problems as text, for an assertion message or a log. */
  text: string;
}

/** The steady load described at the top of this file. */
export class LoadHarness {
  readonly options: LoadHarnessOptions;
  readonly members: LoadMember[] = [];
  readonly sent: SentMessage[] = [];
  readonly replies: PostedReply[] = [];
  /** Requests of agents that got no answer (instance down), for the report. */
  requestFailures = 0;
  #agents: LoadAgent[] = [];
  #urls: string[];
  #next = 0;
  #running = true;
  #loops: Promise<void>[] = [];
  #adminCookie = '';

  private constructor(options: LoadHarnessOptions) {
    this.options = options;
    this.#urls = [...options.urls];
  }

  /** Creates the members and agents and starts the load. */
  static async start(
    input: Partial<LoadHarnessOptions> & Pick<LoadHarnessOptions, 'discord' | 'guild' | 'urls' | 'store'>,
  ): Promise<LoadHarness> {
    const harness = new LoadHarness({ ...defaultLoadHarnessOptions, ...input });
    await harness.#setUp();
    return harness;
  }

  /** The instances' base URLs changed (a restart on a new port, an instance added or gone). */
  setUrls(urls: string[]): void {
    this.#urls = [...urls];
  }

  /** Member messages sent so far. */
  get sentCount(): number {
    return this.sent.length;
  }

  /** Agent replies answered 201 so far. */
  get acceptedReplies(): number {
    return this.replies.filter((r) => r.outcome === 'accepted').length;
  }

  /** Members and agents stop writing; what is under way ends. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /**
   * Stops the load if it still runs and signs the agents off (offline), so that a later harness on the same
   * instances is not offered to them. The emulator and the servers are the test's to close.
   */
  async close(): Promise<void> {
    await this.stop();
    for (const agent of this.#agents)
      await this.#request(agent.cookie, 'PUT', `/agents/${agent.id}/presence`, { presence: 'offline' });
  }

  /**
   * Waits until `check()` finds nothing wrong (messages in flight arrive, retries deliver), for at most
   * `timeoutMs`; returns the last report either way, for the test to assert on.
   */
  async settle(timeoutMs = 90_000): Promise<LoadReport> {
    let last: LoadReport | undefined;
    try {
      await eventually(
        'the load to settle (everything stored, answered and delivered once)',
        async () => {
          last = await this.check();
          return last.problems.length === 0;
        },
        timeoutMs,
      );
    } catch {
      // The last report says what is still wrong.
    }
    return last ?? (await this.check());
  }

  /** Compares what members and agents sent with the database and with the members' DMs. */
  async check(): Promise<LoadReport> {
    const { discord } = this.options;
    const rows = await readStore(this.options.store);
    const problems: string[] = [];
    const report = (what: string, examples: string[]) => {
      if (examples.length > 0)
        problems.push(`${what}: ${examples.length} (e.g. ${examples.slice(0, 5).join('; ')})`);
    };

    // Inbound: each member message stored exactly once.
    const copies = new Map<string, number>();
    for (const m of rows.contactMessages) copies.set(m.externalId, (copies.get(m.externalId) ?? 0) + 1);
    report(
      'member messages not stored',
      this.sent.filter((s) => !copies.has(s.id)).map((s) => `"${s.text}"`),
    );
    report(
      'member messages stored more than once',
      this.sent.filter((s) => (copies.get(s.id) ?? 0) > 1).map((s) => `"${s.text}" ×${copies.get(s.id)}`),
    );

    // Outbound: every outbox item sent, each part in Discord once; nothing in a DM without an outbox item.
    const botDms = new Map<string, ApiMessage[]>();
    for (const member of this.members)
      botDms.set(
        member.user.id,
        discord.dmMessages(member.user).filter((m) => m.author.id === discord.botUser.id),
      );
    const allBot = [...botDms.values()].flat();
    const byNonce = new Map<string, ApiMessage[]>();
    for (const m of allBot) {
      const nonce = m.nonce === undefined ? '' : String(m.nonce);
      byNonce.set(nonce, [...(byNonce.get(nonce) ?? []), m]);
    }
    const memberUsers = new Set(this.members.map((m) => m.user.id));
    const ours = rows.outbox.filter((o) => o.userId !== null && memberUsers.has(o.userId));
    report(
      'outbox items not sent',
      ours.filter((o) => o.status !== 'sent').map((o) => `${o.status} "${short(o.text)}" (${o.lastError})`),
    );
    /** Nonce → the outbox item's seq and the part, to check the order in which the member saw them. */
    const explained = new Map<string, [number, number]>();
    const doubledParts: string[] = [];
    const missingParts: string[] = [];
    for (const item of ours) {
      if (!item.messageId) continue;
      const first = byNonce.get(deliveryNonce(item.messageId, 0)) ?? [];
      if (item.status === 'sent' && first.length === 0) missingParts.push(`"${short(item.text)}"`);
      for (let part = 0; ; part += 1) {
        const nonce = deliveryNonce(item.messageId, part);
        const found = byNonce.get(nonce);
        if (!found) break;
        explained.set(nonce, [item.seq, part]);
        if (found.length > 1) doubledParts.push(`"${short(found[0]!.content)}" ×${found.length}`);
      }
    }
    report('sent outbox items not in the DM', missingParts);
    report('bot messages in a DM more than once (same nonce)', doubledParts);
    report(
      'bot messages in a DM that no outbox item accounts for',
      allBot
        .filter((m) => m.nonce === undefined || !explained.has(String(m.nonce)))
        .map((m) => `"${short(m.content)}" nonce=${m.nonce ?? 'none'}`),
    );
    // Order: a member sees a conversation's messages in the order of their outbox items (and parts).
    const disordered: string[] = [];
    for (const member of this.members) {
      let previous: [number, number] | null = null;
      let previousText = '';
      for (const m of botDms.get(member.user.id) ?? []) {
        const place = m.nonce === undefined ? undefined : explained.get(String(m.nonce));
        if (!place) continue;
        if (previous && (place[0] < previous[0] || (place[0] === previous[0] && place[1] <= previous[1])))
          disordered.push(`${member.user.username}: "${short(m.content)}" after "${short(previousText)}"`);
        previous = place;
        previousText = m.content;
      }
    }
    report('bot messages out of order in a DM', disordered);

    // Answered: one bot message per question for askers; one case number and one "joined" per hand-off.
    const acceptedBy = new Map<string, Set<string>>();
    for (const r of this.replies) {
      if (!acceptedBy.has(r.member)) acceptedBy.set(r.member, new Set());
      acceptedBy.get(r.member)!.add(r.agent.name);
    }
    const unanswered: string[] = [];
    const overAnswered: string[] = [];
    for (const member of this.members) {
      const dms = botDms.get(member.user.id) ?? [];
      const asked = this.sent.filter((s) => s.member === member).length;
      if (member.kind === 'asker') {
        if (dms.length < asked) unanswered.push(`${member.user.username}: ${dms.length} answers to ${asked}`);
        if (dms.length > asked)
          overAnswered.push(`${member.user.username}: ${dms.length} answers to ${asked}`);
        continue;
      }
      if (asked === 0) continue;
      const cases = dms.filter((m) => /case #\d+/.test(m.content)).length;
      if (cases === 0) unanswered.push(`${member.user.username}: no case number`);
      if (cases > 1) overAnswered.push(`${member.user.username}: ${cases} case numbers`);
      for (const agent of this.#agents) {
        const joined = dms.filter((m) => m.content === `${agent.name} joined the conversation.`).length;
        const accepted = acceptedBy.get(member.user.id)?.has(agent.name) ?? false;
        if (accepted && joined === 0)
          unanswered.push(`${member.user.username}: no "${agent.name} joined the conversation."`);
        if (joined > 1) overAnswered.push(`${member.user.username}: "${agent.name} joined" ×${joined}`);
      }
    }
    report('members not answered', unanswered);
    report('members answered more than once', overAnswered);

    // Agent replies: accepted ones once and in order; unknown ones at most once; refused ones never.
    const lostReplies: string[] = [];
    const doubledReplies: string[] = [];
    const outOfOrder: string[] = [];
    for (const member of this.members) {
      const dms = botDms.get(member.user.id) ?? [];
      const mine = this.replies.filter((r) => r.member === member.user.id);
      const positions: number[] = [];
      for (const reply of mine) {
        const content = `**${reply.agent.name}**\n${reply.text}`;
        const at = dms.flatMap((m, i) => (m.content === content ? [i] : []));
        if (reply.outcome === 'accepted' && at.length === 0) lostReplies.push(`"${reply.text}"`);
        if (at.length > (reply.outcome === 'refused' ? 0 : 1))
          doubledReplies.push(`"${reply.text}" ×${at.length}`);
        if (reply.outcome === 'accepted' && at.length === 1) positions.push(at[0]!);
      }
      // `mine` is in posting order per conversation; their places in the DM must rise.
      for (let i = 1; i < positions.length; i += 1)
        if (positions[i]! < positions[i - 1]!)
          outOfOrder.push(`${member.user.username}: reply ${i + 1} before reply ${i}`);
    }
    report('accepted agent replies not in the DM', lostReplies);
    report('agent replies in the DM more than once', doubledReplies);
    report('agent replies out of order', outOfOrder);

    const counts = {
      memberMessages: this.sent.length,
      stored: rows.contactMessages.filter((m) => this.sent.some((s) => s.id === m.externalId)).length,
      botMessages: allBot.length,
      outboxItems: ours.length,
      repliesAccepted: this.replies.filter((r) => r.outcome === 'accepted').length,
      repliesUnknown: this.replies.filter((r) => r.outcome === 'unknown').length,
      conversationsAssigned: this.#agents.reduce((n, a) => n + a.conversations.size, 0),
    };
    const text = [
      `load: ${Object.entries(counts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} agentRequestsUnanswered=${this.requestFailures}`,
      ...(problems.length === 0 ? ['nothing lost, nothing doubled'] : problems),
    ].join('\n');
    return { problems, counts, text };
  }

  // ---- load ----------------------------------------------------------------------------------

  async #setUp(): Promise<void> {
    const o = this.options;
    runs += 1;
    const run = `${Date.now().toString(36)}${runs}`;
    for (let i = 0; i < o.askers + o.handoffMembers; i += 1) {
      const kind = i < o.askers ? 'asker' : 'handoff';
      const user = o.discord.createUser({ username: `${kind}-${i}-${run}` });
      o.discord.addMember(o.guild, user);
      this.members.push({ user, kind });
    }
    this.#adminCookie = await this.#signIn(o.adminEmail, o.adminPassword);
    for (let i = 0; i < o.agents; i += 1) {
      const email = `load-agent-${i}-${run}@example.com`;
      const name = `Agent ${i} ${run}`;
      const created = await this.#request<{ id: string }>(this.#adminCookie, 'POST', '/agents', {
        email,
        name,
        role: 'agent',
        capacity: o.agentCapacity,
        password: AGENT_PASSWORD,
      });
      if (created.status !== 201) throw new Error(`agent not created: ${created.status} ${created.text}`);
      const cookie = await this.#signIn(email, AGENT_PASSWORD);
      const agent: LoadAgent = { id: created.body.id, name, email, cookie, conversations: new Map() };
      const presence = await this.#request(cookie, 'PUT', `/agents/${agent.id}/presence`, {
        presence: 'available',
      });
      if (presence.status !== 200) throw new Error(`presence not set: ${presence.status} ${presence.text}`);
      this.#agents.push(agent);
    }
    this.#loops = [
      ...this.members.map((m, i) => this.#memberLoop(m, i)),
      ...this.#agents.map((a) => this.#agentLoop(a)),
    ];
  }

  async #memberLoop(member: LoadMember, index: number): Promise<void> {
    const { discord, messageIntervalMs } = this.options;
    // Members start spread over one interval, not all in the same instant.
    await pause((messageIntervalMs * index) / Math.max(1, this.members.length));
    for (let n = 0; this.#running; n += 1) {
      const text =
        member.kind === 'handoff' && n === 0
          ? 'I want to talk to a human'
          : member.kind === 'asker'
            ? `how do I link my account, question ${n} from ${member.user.username}`
            : `update ${n} from ${member.user.username}`;
      const message = discord.sendDm(member.user, text);
      this.sent.push({ member, id: message.id, text });
      await pause(messageIntervalMs);
    }
  }

  async #agentLoop(agent: LoadAgent): Promise<void> {
    const o = this.options;
    let lastReply = 0;
    while (this.#running) {
      const offers = await this.#request<{ reservations: Array<{ id: string; conversationId: string }> }>(
        agent.cookie,
        'GET',
        '/reservations?status=pending',
      );
      for (const offer of offers.status === 200 ? offers.body.reservations : []) {
        if (!this.#running) break;
        await this.#request(agent.cookie, 'POST', `/reservations/${offer.id}/accept`, {});
      }
      // Accepted here or on an instance that died before answering: the conversations are ours either way.
      const mine = await this.#request<{
        conversations: Array<{ id: string; address: { userId?: string } }>;
      }>(agent.cookie, 'GET', `/conversations?state=assigned&agentId=${agent.id}&limit=200`);
      for (const c of mine.status === 200 ? mine.body.conversations : []) {
        if (!agent.conversations.has(c.id)) agent.conversations.set(c.id, 0);
        if (c.address.userId) this.#memberByConversation.set(c.id, c.address.userId);
      }
      if (Date.now() - lastReply >= o.replyIntervalMs) {
        lastReply = Date.now();
        for (const [conversationId, count] of agent.conversations) {
          if (!this.#running || count >= o.repliesPerConversation) continue;
          await this.#reply(agent, conversationId, count + 1);
        }
      }
      await pause(o.pollIntervalMs);
    }
  }

  async #reply(agent: LoadAgent, conversationId: string, number: number): Promise<void> {
    const member = await this.#memberOf(agent, conversationId);
    if (!member) return;
    const text = `reply ${number} from ${agent.name} in ${conversationId}`;
    agent.conversations.set(conversationId, number);
    // No fail-over here: a reply whose answer was lost may be stored, and a resend would double it.
    const answer = await this.#request(
      agent.cookie,
      'POST',
      `/conversations/${conversationId}/messages`,
      { text },
      false,
    );
    const outcome =
      answer.status === 201
        ? 'accepted'
        : answer.status >= 400 && answer.status < 500
          ? 'refused'
          : 'unknown';
    this.replies.push({ agent, conversationId, member, number, text, outcome });
  }

  readonly #memberByConversation = new Map<string, string>();

  /** The Discord user id of a conversation's member, from its address. */
  async #memberOf(agent: LoadAgent, conversationId: string): Promise<string | null> {
    const known = this.#memberByConversation.get(conversationId);
    if (known) return known;
    const answer = await this.#request<{ address?: { userId?: string } }>(
      agent.cookie,
      'GET',
      `/conversations/${conversationId}`,
    );
    const userId = answer.status === 200 ? answer.body.address?.userId : undefined;
    if (!userId) return null;
    this.#memberByConversation.set(conversationId, userId);
    return userId;
  }

  async #signIn(email: string, password: string): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      const url = this.#url();
      try {
        const response = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        const cookie = /sb_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
        if (response.status === 200 && cookie) return cookie;
        throw new Error(`sign-in of ${email} answered ${response.status}: ${await response.text()}`);
      } catch (error) {
        if (attempt >= this.#urls.length) throw error;
      }
    }
  }

  /**
   * One API request as an agent: round-robin over the instances; a request that gets no answer is tried
   * on the next instance when `failOver` (reads and accepts, which cannot double anything).
   */
  async #request<T = unknown>(
    cookie: string,
    method: string,
    path: string,
    body?: unknown,
    failOver = true,
  ): Promise<{ status: number; body: T; text: string }> {
    const tries = failOver ? Math.max(1, this.#urls.length) : 1;
    for (let attempt = 0; attempt < tries; attempt += 1) {
      const url = this.#url();
      try {
        const response = await fetch(`${url}/api/v1${path}`, {
          method,
          headers: {
            cookie,
            'x-switchboard-csrf': '1',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        const text = await response.text();
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the text is kept for the error.
        }
        return { status: response.status, body: parsed as T, text };
      } catch {
        this.requestFailures += 1;
      }
    }
    return { status: 0, body: null as T, text: 'no answer' };
  }

  #url(): string {
    const urls = this.#urls;
    if (urls.length === 0) throw new Error('no instance URL');
    this.#next = (this.#next + 1) % urls.length;
    return urls[this.#next]!;
  }
}

// ---- the store, read the same way on SQLite and PostgreSQL -----------------------------------------

interface StoreRows {
  contactMessages: Array<{ externalId: string }>;
  outbox: Array<{
    seq: number;
    status: string;
    messageId: string | null;
    text: string;
    userId: string | null;
    lastError: string | null;
  }>;
}

async function readStore(store: LoadHarnessOptions['store']): Promise<StoreRows> {
  const contactSql = `select external_id from messages where channel = 'discord' and author_kind = 'contact'`;
  const outboxSql = `select seq, status, message, last_error from outbox where channel = 'discord' order by seq`;
  let contacts: Array<{ external_id: string | null }>;
  let outbox: Array<{ seq: number | string; status: string; message: unknown; last_error: string | null }>;
  if ('sqlite' in store) {
    const db = new Database(store.sqlite, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      contacts = db.prepare(contactSql).all() as typeof contacts;
      outbox = db.prepare(outboxSql).all() as typeof outbox;
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: store.postgres });
    await client.connect();
    try {
      contacts = (await client.query(contactSql)).rows;
      outbox = (await client.query(outboxSql)).rows;
    } finally {
      await client.end();
    }
  }
  return {
    contactMessages: contacts.flatMap((c) => (c.external_id ? [{ externalId: c.external_id }] : [])),
    outbox: outbox.map((o) => {
      const message = (typeof o.message === 'string' ? JSON.parse(o.message) : o.message) as {
        messageId?: string | null;
        text?: string;
        address?: { userId?: string };
      };
      return {
        seq: Number(o.seq),
        status: o.status,
        messageId: message.messageId ?? null,
        text: message.text ?? '',
        userId: message.address?.userId ?? null,
        lastError: o.last_error,
      };
    }),
  };
}

function short(text: string): string {
  const line = text.replaceAll('\n', ' ');
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
