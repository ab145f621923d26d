import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveryNonce } from '../../src/channels/discord/discord-connector.ts';
import { loadConfig } from '../../src/config.ts';
import type { Agent } from '../../src/core/model.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { DiscordEmulator } from '../support/discord-emulator/discord-emulator.ts';
import { agentTexts, assignedMember, eventually, useDiscordWorld } from './discord-harness.ts';

const MESSAGES_ROUTE = 'POST /channels/:channel_id/messages';

/** A send whose response was lost is not posted twice; the parts of a long reply are posted once. */
describe('Discord delivery: "stored, then 500" and split replies', () => {
  let agent: Agent;
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Ana', 10);
  });

  const drained = (conversationId: string) =>
    eventually('the outbox drained', async () =>
      (await w.switchboard.center.store.outbox.listByConversation(conversationId)).every(
        (item) => item.status === 'sent',
      ),
    );

  it('agent replies whose responses are lost (stored, then 500) and a 5xx outage each arrive once, in order', async () => {
    const { member, conversation } = await assignedMember(w, agent, 'lossy');
    // Every other reply is stored by Discord but answered with a 500; then a plain outage.
    w.discord.failNext(MESSAGES_ROUTE, 3, 500, { afterStoring: true });
    const texts = Array.from({ length: 4 }, (_, i) => `Reply ${i + 1}`);
    for (const text of texts)
      await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(member, () => agentTexts(w, agent, member).length >= texts.length, 'all replies');
    w.discord.failNext(MESSAGES_ROUTE, 3, 502);
    const more = ['During the outage 1', 'During the outage 2'];
    for (const text of more)
      await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(
      member,
      () => agentTexts(w, agent, member).length >= texts.length + more.length,
      'the rest',
    );
    await drained(conversation.id);
    expect(agentTexts(w, agent, member)).toEqual([...texts, ...more]);
    expect(w.discord.requests({ route: MESSAGES_ROUTE, status: 500 })).toHaveLength(3);
    // One request per outbox attempt: discord.js does not retry on its own, which would multiply them.
    expect(w.discord.requests({ route: MESSAGES_ROUTE, status: 502 })).toHaveLength(3);
    const items = await w.switchboard.center.store.outbox.listByConversation(conversation.id);
    const first = items.find((item) => item.message.text === 'During the outage 1');
    expect(first?.attempts).toBeGreaterThanOrEqual(3);
  });

  it("the bot's answer whose response is lost arrives once", async () => {
    const member = w.member({ username: 'asker' });
    const lost = () => w.discord.requests({ route: MESSAGES_ROUTE, status: 500 }).length;
    const before = lost();
    w.discord.failNext(MESSAGES_ROUTE, 1, 500, { afterStoring: true });
    w.discord.sendDm(member, 'agent');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    await drained(conversation!.id);
    expect(lost() - before).toBe(1);
    const contents = w.botDms(member).map((m) => m.content);
    expect(new Set(contents).size).toBe(contents.length);
  });

  it('a long reply whose second part is stored, then answered with a 500, is completed without repeating a part', async () => {
    const { member, conversation } = await assignedMember(w, agent, 'patient');
    const text = Array.from({ length: 120 }, (_, i) => `Line ${i + 1} of the long answer.`).join('\n');
    w.discord.failNext(MESSAGES_ROUTE, 1, 500, { skip: 1, afterStoring: true });
    await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await drained(conversation.id);
    const parts = w.botDms(member).filter((m) => m.content.includes('of the long answer.'));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(
      parts
        .map((m) => m.content)
        .join('\n')
        .replace('**Ana**\n', ''),
    ).toBe(text);
  });
});

describe('Discord delivery: a restart in the middle of a long reply', () => {
  it('the new process continues with the next part; the parts already posted are not sent again', async () => {
    const discord = await DiscordEmulator.start();
    const guild = discord.createGuild({ name: 'Acme', textChannels: ['general', 'customer-service'] });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-delivery-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: `${discord.url}/api`,
      DISCORD_GUILD_IDS: guild.id,
    });
    let switchboard: Switchboard | null = await createSwitchboard(config, { announce: () => {} });
    try {
      await switchboard.start();
      let center = switchboard.center;
      const created = await center.agents.create({
        email: 'ana@example.com',
        name: 'Ana',
        role: 'agent',
        capacity: 5,
        skills: [],
        password: 'agent-password-42',
      });
      const agent = await center.agents.setPresence(created.id, 'available');
      const member = discord.createUser({ username: 'restarted' });
      discord.addMember(guild, member);
      const botDms = () => discord.dmMessages(member).filter((m) => m.author.id === discord.botUser.id);
      discord.sendDm(member, 'agent');
      await discord.waitFor(() => botDms().some((m) => /case #\d+/.test(m.content)), 10_000, 'case opened');
      const contact = await center.store.contacts.findByIdentity('discord', member.id);
      const [conversation] = await center.conversations.list({ contactId: contact!.id });
      const [offer] = await eventually('an offer', () =>
        center.store.reservations
          .list({ agentId: agent.id, status: 'pending', conversationId: conversation!.id })
          .then((r) => (r.length ? r : null)),
      );
      await center.router.accept(offer!.id, agent.id);
      await discord.waitFor(() => botDms().some((m) => m.content.includes('joined')), 10_000, 'joined');

      const text = Array.from({ length: 120 }, (_, i) => `Line ${i + 1} of the long answer.`).join('\n');
      discord.failNext(MESSAGES_ROUTE, 1_000, 503, { skip: 1 });
      const message = await center.conversations.reply(agent.id, conversation!.id, { text });
      await discord.waitFor(
        () => discord.requests({ route: MESSAGES_ROUTE, status: 503 }).length > 0,
        10_000,
        'the second part refused',
      );
      await switchboard.stop();
      switchboard = null;
      discord.failNext(MESSAGES_ROUTE, 0);

      switchboard = await createSwitchboard(config, { announce: () => {} });
      await switchboard.start();
      center = switchboard.center;
      await discord.waitFor(
        () => botDms().some((m) => m.content.endsWith('Line 120 of the long answer.')),
        15_000,
        'the last part',
      );
      const parts = botDms().filter((m) => m.content.includes('of the long answer.'));
      expect(
        parts
          .map((m) => m.content)
          .join('\n')
          .replace('**Ana**\n', ''),
      ).toBe(text);
      // The first part was requested once: the new process knew it had been posted.
      const firstNonce = deliveryNonce(message.id, 0);
      const firstPartRequests = discord
        .requests({ route: MESSAGES_ROUTE })
        .filter((r) => (r.body as { nonce?: unknown } | null)?.nonce === firstNonce);
      expect(firstPartRequests).toHaveLength(1);
    } finally {
      await switchboard?.stop();
      await discord.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
