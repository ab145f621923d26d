import { randomUUID } from 'node:crypto';
import { REST, Routes } from 'discord.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiscordLog } from '../../src/channels/discord/discord-connector.ts';
import type { Agent, Conversation } from '../../src/core/model.ts';
import { assignedMember, eventually, useDiscordWorld } from './discord-harness.ts';

const IDENTIFY = 2;
const RESUME = 6;

/**
 * After a new gateway session (not a resume) Discord does not replay what was sent meanwhile;
 * the connector reads it back from the conversations' DMs, and each message is handled once.
 */
describe('Discord: catching up after a new gateway session', () => {
  let agent: Agent;
  const lines: { context: Record<string, unknown>; message: string }[] = [];
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Ana', 10);
    const log: DiscordLog = w.connector.options.log;
    for (const level of ['info', 'warn'] as const) {
      const original = log[level];
      log[level] = (context, message) => {
        lines.push({ context, message });
        original.call(log, context, message);
      };
    }
  });

  const identifies = () =>
    w.discord.gatewayLog().filter((e) => e.direction === 'in' && e.op === IDENTIFY).length;
  const resumes = () => w.discord.gatewayLog().filter((e) => e.direction === 'in' && e.op === RESUME).length;

  async function memberTexts(conversation: Conversation, count: number): Promise<string[]> {
    return eventually(
      `${count} member messages stored`,
      async () => {
        const messages = await w.switchboard.center.conversations.transcript(conversation.id);
        const texts = messages.filter((m) => m.authorKind === 'contact').map((m) => m.text);
        return texts.length >= count ? texts : undefined;
      },
      15_000,
    );
  }

  /** Drops the connection in the given way, writes while the bot is away, and waits for it to be back. */
  async function writeDuring(
    kind: string,
    drop: () => void,
    newSession: boolean,
  ): Promise<{ conversation: Conversation; expected: string[] }> {
    const { member, conversation } = await assignedMember(w, agent, `member-${kind}`);
    const before = { identifies: identifies(), resumes: resumes() };
    drop();
    const during = [`${kind}: while away 1`, `${kind}: while away 2`, `${kind}: while away 3`];
    for (const text of during) w.discord.sendDm(member, text);
    await w.discord.waitFor(
      () => (newSession ? identifies() > before.identifies : resumes() > before.resumes),
      15_000,
      newSession ? 'a new IDENTIFY' : 'a RESUME',
    );
    await w.discord.waitFor(() => w.connector.health().status === 'connected', 15_000, 'connected');
    w.discord.sendDm(member, `${kind}: back`);
    return { conversation, expected: ['agent', ...during, `${kind}: back`] };
  }

  const cases: { kind: string; drop: () => void; newSession: boolean }[] = [
    { kind: 'op 9', drop: () => w.discord.invalidateSession(false), newSession: true },
    { kind: 'close 4007', drop: () => w.discord.dropGatewayConnection(4007), newSession: true },
    { kind: 'close 1000', drop: () => w.discord.dropGatewayConnection(1000), newSession: true },
    {
      kind: 'failed resume',
      drop: () => {
        // The network drops and Discord forgets the session: the RESUME is refused with op 9.
        w.discord.dropGatewayConnection();
        w.discord.invalidateSession(false);
      },
      newSession: true,
    },
    { kind: 'op 7', drop: () => w.discord.requestReconnect(), newSession: false },
    { kind: 'network', drop: () => w.discord.dropGatewayConnection(), newSession: false },
  ];

  for (const { kind, drop, newSession } of cases) {
    it(`${kind}: the DMs sent while the bot was away are each handled once, in order`, async () => {
      const { conversation, expected } = await writeDuring(kind, drop, newSession);
      expect(await memberTexts(conversation, expected.length)).toEqual(expected);
      // Later catch-ups (the next cases) must not bring them in again: checked once more at the end.
    });
  }

  it('every drop was logged with its shard and close code, resumed or as a new session', async () => {
    expect(
      lines.some((l) => l.message === 'Discord gateway connection closed' && l.context.code === 4007),
    ).toBe(true);
    expect(
      lines.some((l) => l.message === 'Discord gateway connection closed' && l.context.code === 1000),
    ).toBe(true);
    expect(lines.some((l) => l.message === 'Discord gateway session resumed' && l.context.shard === 0)).toBe(
      true,
    );
    expect(
      lines.filter(
        (l) => l.message === 'Discord gateway: new session, catching up' && l.context.resumed === false,
      ).length,
    ).toBeGreaterThanOrEqual(4);
  });

  it('the connector stopped and started again: DMs written meanwhile in an open conversation are answered once', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'returning' });
    w.discord.sendDm(member, 'hello');
    await w.waitForDms(member, (d) => d.length >= 1, 'the first answer');
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    await eventually('the first answer stored as sent', async () =>
      (await center.store.outbox.listByConversation(conversation!.id)).every((i) => i.status === 'sent'),
    );
    const answeredBefore = (await center.store.outbox.listByConversation(conversation!.id)).length;

    await w.connector.stop();
    w.discord.sendDm(member, 'agent');
    await w.connector.start(async (message) => {
      await center.inbound.deliver(message);
    });

    const texts = await memberTexts(conversation!, 2);
    expect(texts).toEqual(['hello', 'agent']);
    // The hand-off was answered (queued, case opened), once.
    const answers = await eventually('the hand-off answered', async () => {
      const items = await center.store.outbox.listByConversation(conversation!.id);
      const sent = items.filter((i) => i.status === 'sent');
      return sent.length > answeredBefore && sent.length === items.length ? items : undefined;
    });
    const caseLines = w.botDms(member).filter((m) => /case #\d+/.test(m.content));
    expect(caseLines).toHaveLength(1);
    expect(answers.length).toBeGreaterThan(answeredBefore);
  });

  it("a bot message another instance delivered during the gap does not hide the member's DMs written before it", async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'behind-a-bot-message' });
    w.discord.sendDm(member, 'hello');
    await w.waitForDms(member, (d) => d.length >= 1, 'the first answer');
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });

    await w.connector.stop();
    w.discord.sendDm(member, 'agent');
    // Meanwhile the instance that took over the sending (REST, no gateway) posts and stores a bot message.
    const dmChannelId = (conversation!.address as { channelId: string }).channelId;
    const rest = new REST({ api: `${w.discord.url}/api` }).setToken(w.discord.token);
    const posted = (await rest.post(Routes.channelMessages(dmChannelId), {
      body: { content: 'Thanks for waiting.' },
    })) as { id: string; timestamp: string };
    await center.store.messages.insert(
      {
        id: randomUUID(),
        conversationId: conversation!.id,
        authorKind: 'bot',
        authorId: null,
        text: 'Thanks for waiting.',
        attachments: [],
        articles: [],
        externalId: posted.id,
        createdAt: posted.timestamp,
      },
      'discord',
    );
    await w.connector.start(async (message) => {
      await center.inbound.deliver(message);
    });

    expect(await memberTexts(conversation!, 2)).toEqual(['hello', 'agent']);
    await w.waitForDms(member, (d) => d.some((m) => /case #\d+/.test(m.content)), 'the hand-off answered');
  });

  it('no member message was stored twice by the catch-ups', async () => {
    const all = await w.switchboard.center.conversations.list({ channel: 'discord' });
    for (const conversation of all) {
      const messages = await w.switchboard.center.conversations.transcript(conversation.id);
      const ids = messages.filter((m) => m.authorKind === 'contact').map((m) => m.text);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
