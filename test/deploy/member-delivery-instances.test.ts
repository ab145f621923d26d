import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordConnector } from '../../src/channels/discord/discord-connector.ts';
import { loadConfig } from '../../src/config.ts';
import type { Agent, Case, CaseStatus, OutboundMessage } from '../../src/core/model.ts';
import { ConnectorError } from '../../src/core/ports/channel-connector.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { DiscordEmulator, type EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.log('Skipping the two-instance delivery tests: TEST_REDIS_URL is not set');
const pgUrl = process.env.TEST_DATABASE_URL;
if (redisUrl && !pgUrl)
  console.log('Skipping the two-instance delivery tests on PostgreSQL: TEST_DATABASE_URL is not set');

/** A fresh PostgreSQL schema of this run's own, as the database of both instances; dropped at the end. */
async function postgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `switchboard_test_${randomUUID().replaceAll('-', '')}`;
  const query = async (text: string) => {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query(text);
    } finally {
      await admin.end();
    }
  };
  await query(`create schema "${schema}"`);
  const url = new URL(pgUrl ?? '');
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => query(`drop schema if exists "${schema}" cascade`) };
}

/**
 * Two instances on one database and one Redis, as `docker-compose.yml` runs them, each with its Discord
 * connector and web chat: what is sent to a member is sent once, by whichever instance delivers it, and
 * reaches a web-chat visitor whose live connection is on the other instance.
 */
const engines = [
  { engine: 'sqlite', skip: !redisUrl },
  { engine: 'postgres', skip: !redisUrl || !pgUrl },
] as const;

describe.each(engines)('two instances on $engine: what members are sent', ({ engine, skip }) => {
  if (skip) {
    it.skip('needs TEST_REDIS_URL (and TEST_DATABASE_URL for PostgreSQL)', () => {});
    return;
  }
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> } | null = null;
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  const instances: Switchboard[] = [];
  const bases: string[] = [];
  let agent: Agent;

  beforeAll(async () => {
    discord = await DiscordEmulator.start();
    guild = discord.createGuild({
      name: 'Acme',
      textChannels: ['general', 'bug-report', 'feature-request', 'customer-service'],
    });
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-delivery-'));
    if (engine === 'postgres') database = await postgresSchema();
    const env = {
      ...(database ? { DATABASE_URL: database.url } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
      SWITCHBOARD_SAMPLE_KB: 'false',
      REDIS_URL: redisUrl,
      SWITCHBOARD_REDIS_PREFIX: `switchboard-test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: `${discord.url}/api`,
      DISCORD_GUILD_IDS: guild.id,
    };
    for (let i = 0; i < 2; i++) {
      const switchboard = await createSwitchboard(loadConfig(env), { announce: () => {} });
      instances.push(switchboard);
      bases.push(await switchboard.start());
    }
    const center = instances[0]!.center;
    const created = await center.agents.create({
      email: 'ana@example.com',
      name: 'Ana',
      role: 'agent',
      capacity: 5,
      skills: [],
      password: 'agent-password-42',
    });
    agent = await center.agents.setPresence(created.id, 'available');
  }, 60_000);

  afterAll(async () => {
    for (const switchboard of instances.reverse()) await switchboard.stop();
    await discord?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  const botDms = (user: ApiUser) =>
    discord.dmMessages(user).filter((m) => m.author.id === discord.botUser.id);

  async function reportBug(reporter: ApiUser, title: string): Promise<Case> {
    discord.invokeSlashCommand(reporter, guild, guild.channels.general!, 'bug');
    await discord.waitFor(() => discord.shownModal(reporter, 'sb:bug'), 10_000, 'the /bug modal');
    const submit = discord.submitModal(reporter, 'sb:bug', {
      title,
      happened: 'It closes.',
      steps: '1. Open it',
      expected: 'It stays open',
      platform: 'Windows 11 / 5.1',
    });
    const reply = await discord.waitFor(
      () => discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      10_000,
      'the case number',
    );
    return instances[0]!.center.cases.getByNumber(Number(/#(\d+)/.exec(reply.content ?? '')?.[1]));
  }

  it("sends a bug report's status DM once, though both instances hear of the change", async () => {
    for (const instance of instances) expect(instance.center.store.engine).toBe(engine);
    const reporter = discord.createUser({ username: 'reporter' });
    discord.addMember(guild, reporter);
    const kase = await reportBug(reporter, 'Crash when saving');
    const dmsSaying = (status: string) =>
      botDms(reporter).filter(
        (m) => m.content.includes(`#${kase.number}`) && m.content.includes(`**${status}**`),
      );
    const [a, b] = instances as [Switchboard, Switchboard];
    const by = { kind: 'agent' as const, id: agent.id };

    await a.center.cases.update(kase.id, { status: 'open' }, by);
    await b.center.cases.update(kase.id, { status: 'pending' }, by);
    await a.center.cases.update(kase.id, { status: 'solved' }, by);
    // The reporter's notices are delivered in order: once the last one is there, the others were sent
    // for good, and none may come again.
    await discord.waitFor(() => dmsSaying('solved').length > 0, 15_000, 'the solved DM');
    expect(dmsSaying('open')).toHaveLength(1);
    expect(dmsSaying('pending')).toHaveLength(1);
    expect(dmsSaying('solved')).toHaveLength(1);
    expect(botDms(reporter).map((m) => /\*\*(\w+)\*\*/.exec(m.content)?.[1])).toEqual([
      'open',
      'pending',
      'solved',
    ]);
  });

  it("uses the member's support thread that the other instance opened (DMs closed), and opens no second one", async () => {
    const member = discord.createUser({ username: 'closed-dms' });
    discord.addMember(guild, member);
    const connectors = instances.map((i) => i.center.connectors.get('discord') as DiscordConnector);
    // The instance holding the gateway knows the servers and opens threads; the other sends through REST.
    const holder = connectors.find((c) => (c.discord?.guilds.cache.size ?? 0) > 0)!;
    const other = connectors.find((c) => c !== holder)!;
    const notice = (status: CaseStatus): OutboundMessage => ({
      conversationId: null,
      channel: 'discord',
      address: { contactId: 'none', externalId: member.id },
      authorKind: 'system',
      authorName: null,
      text: '',
      attachments: [],
      articles: [],
      actions: [],
      messageId: null,
      notice: {
        id: randomUUID(),
        type: 'case.status',
        case: { id: randomUUID(), number: 9001, kind: 'bug', subject: 'Thread test', status },
      },
    });
    // Both instances have reached the member in their DM before.
    await holder.send(notice('open'));
    await other.send(notice('pending'));
    discord.setDmsClosed(member, true);
    // Without a gateway session the other instance cannot open the thread: a failure worth retrying (the
    // holder's dispatcher takes the message on a later attempt), not a refusal.
    const refused = await other.send(notice('solved')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ retryable: true });
    await holder.send(notice('solved'));
    await other.send(notice('closed'));
    const support = guild.channels['customer-service']!;
    const threads = discord.threadsOf(support).filter((t) => t.memberIds.includes(member.id));
    expect(threads).toHaveLength(1);
    const inThread = discord.messagesIn(threads[0]!).map((m) => /\*\*(\w+)\*\*/.exec(m.content)?.[1]);
    expect(inThread.filter(Boolean)).toEqual(['solved', 'closed']);
    expect(botDms(member).map((m) => /\*\*(\w+)\*\*/.exec(m.content)?.[1])).toEqual(['open', 'pending']);
  });

  it("pushes an agent's reply, delivered by one instance, to a visitor connected to the other", async () => {
    const [a, b] = instances as [Switchboard, Switchboard];
    // Only the first instance delivers the outbox from here on; the second holds the visitor's socket.
    await b.center.stop();
    const visitor = await WebchatVisitor.start(bases[1]!, { name: 'Layla' });
    try {
      // The visitor's messages reach the first instance (a load balancer may send them anywhere).
      const post = async (text: string, action?: string) => {
        const res = await fetch(`${bases[0]}/api/v1/webchat/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webchat-token': visitor.token },
          body: JSON.stringify({ text, clientMessageId: randomUUID(), ...(action ? { action } : {}) }),
        });
        expect(res.status).toBe(202);
      };
      await post('I need to talk to a person', 'handoff');
      const contact = await eventually('the contact', () =>
        a.center.store.contacts.findByIdentity('webchat', visitor.visitorId),
      );
      const conversation = await eventually(
        'the conversation',
        async () => (await a.center.conversations.list({ contactId: contact.id }))[0],
      );
      const [offer] = await eventually('the offer to Ana', () =>
        a.center.store.reservations
          .list({ agentId: agent.id, status: 'pending', conversationId: conversation.id })
          .then((r) => (r.length ? r : null)),
      );
      await a.center.router.accept(offer!.id, agent.id);
      const text = `Hello Layla, this is Ana ${randomUUID()}`;
      await a.center.conversations.reply(agent.id, conversation.id, { text });
      await eventually('the reply on the visitor socket', () => visitor.texts().includes(text), 15_000);
      expect(visitor.texts().filter((t) => t === text)).toHaveLength(1);
      const reply = visitor.received.find((m) => m.text === text);
      expect(reply).toMatchObject({
        authorKind: 'agent',
        authorName: 'Ana',
        conversationId: conversation.id,
      });
      // Closing asks for a rating with buttons: pushed to the other instance's socket with them too.
      await a.center.conversations.close(agent.id, conversation.id);
      const rate = ['rate:1', 'rate:2', 'rate:3', 'rate:4', 'rate:5'];
      const asked = await eventually('the rating request on the visitor socket', () =>
        visitor.received.find((m) => m.actions.some((x) => x.id === 'rate:5')),
      );
      expect(asked.actions.map((x) => x.id)).toEqual(rate);
      // A reload on either instance shows the same history, buttons included.
      for (const base of bases) {
        const res = await fetch(`${base}/api/v1/webchat/messages`, {
          headers: { 'x-webchat-token': visitor.token },
        });
        const body = (await res.json()) as {
          messages: { id: string; text: string; actions: { id: string }[] }[];
        };
        expect(body.messages.map((m) => m.text)).toContain(text);
        expect(body.messages.find((m) => m.id === asked.id)?.actions.map((x) => x.id)).toEqual(rate);
      }
      // An admin on the first instance blocks the visitor: their live connection on the second one ends.
      const login = await fetch(`${bases[0]}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password: 'admin-password-42' }),
      });
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
      const block = await fetch(`${bases[0]}/api/v1/webchat/visitors/${visitor.visitorId}/block`, {
        method: 'PUT',
        headers: { cookie, 'x-switchboard-csrf': '1' },
      });
      expect(block.status).toBe(200);
      await eventually('the live connection ended', () => visitor.closedWith?.code === 4003, 15_000);
    } finally {
      visitor.close();
    }
  });
});
