import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Conversation } from '../../src/core/model.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

const screenshot = { filename: 'screenshot.png', content_type: 'image/png', size: 48_213 };

/**
 * Issue 3's bad input "a DM with only an attachment": in every state of the conversation the file is stored
 * with the member's message, and the member hears something that is true in that state.
 */
describe('Discord: a DM with only an attachment', () => {
  let agent: Agent;
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Ana', 10);
  });

  async function conversationOf(user: ApiUser): Promise<Conversation> {
    const center = w.switchboard.center;
    const contact = await eventually('the contact', () =>
      center.store.contacts.findByIdentity('discord', user.id),
    );
    const [conversation] = await center.conversations.list({ contactId: contact.id });
    return conversation!;
  }

  /** The member's message with this Discord id, once stored. */
  async function stored(user: ApiUser, dmId: string) {
    return eventually('the message in the transcript', async () => {
      const conversation = await conversationOf(user);
      const transcript = await w.switchboard.center.conversations.transcript(conversation.id);
      return transcript.find((m) => m.externalId === dmId);
    });
  }

  it('with the virtual agent: the file is kept and the member is told the assistant reads text only', async () => {
    const member = w.member({ username: 'lee' });
    const dm = w.discord.sendDm(member, '', { attachments: [screenshot] });
    expect(dm.attachments[0]).toMatchObject({
      filename: 'screenshot.png',
      size: 48_213,
      content_type: 'image/png',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/\d+\/\d+\/screenshot\.png$/),
      proxy_url: expect.stringMatching(/^http:/),
      id: expect.stringMatching(/^\d+$/),
    });

    const hint = await w.waitForDms(member, (d) => d.find((m) => /read text only/.test(m.content)), 'hint');
    expect(hint.content).toBe(
      "I received your file, but I'm the automated assistant and I read text only. Please describe your question in words, or press **Talk to a person**: our team will see your file.",
    );
    expect(buttonsOf(hint)).toEqual([['sb:handoff']]);
    const message = await stored(member, dm.id);
    expect(message).toMatchObject({
      authorKind: 'contact',
      text: '',
      attachments: [{ name: 'screenshot.png', url: dm.attachments[0]!.url, contentType: 'image/png' }],
    });
    expect((await conversationOf(member)).state).toBe('bot');

    // The offered button works like the virtual agent's own: the file goes to the team with the case.
    w.discord.clickButton(member, hint.id, 'sb:handoff');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    expect((await conversationOf(member)).state).toMatch(/queued|assigned/);
  });

  it('in Arabic for a member who writes Arabic', async () => {
    const member = w.member({ username: 'layla' });
    w.discord.sendDm(member, 'كيف أغير كلمة المرور؟');
    await w.waitForDms(member, (d) => d.length >= 1, 'the first answer');
    w.discord.sendDm(member, '', { attachments: [screenshot] });
    const hint = await w.waitForDms(member, (d) => d.find((m) => /النصوص/.test(m.content)), 'Arabic hint');
    expect(hint.content).toContain('المساعد الآلي');
    expect(JSON.stringify(hint.components)).toContain('التحدث إلى موظف');
  });

  it('while waiting in the queue: the file is kept and the member is told the agent will see it', async () => {
    // Away: the conversation waits in the queue instead of being offered at once.
    await w.switchboard.center.agents.setPresence(agent.id, 'away');
    const member = w.member({ username: 'wait' });
    w.discord.sendDm(member, 'human');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    expect((await conversationOf(member)).state).toBe('queued');

    const dm = w.discord.sendDm(member, '', { attachments: [{ filename: 'receipt.pdf' }] });
    const told = await w.waitForDms(member, (d) => d.find((m) => /kept it/.test(m.content)), 'kept');
    expect(told.content).toBe(
      'I received your file and kept it with your conversation; the agent who takes it will see it.',
    );
    expect(told.components).toEqual([]);
    expect((await stored(member, dm.id)).attachments).toMatchObject([{ name: 'receipt.pdf' }]);
    await w.switchboard.center.agents.setPresence(agent.id, 'available');
  });

  it('with an agent: the file reaches the transcript and the bot does not interrupt', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'assigned' });
    w.discord.sendDm(member, 'agent');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const conversation = await conversationOf(member);
    // Accept whatever the agent is offered (earlier tests left a conversation waiting) until this one is theirs.
    await eventually('the conversation assigned to Ana', async () => {
      await center.router.offer();
      for (const offer of await center.store.reservations.list({ agentId: agent.id, status: 'pending' }))
        await center.router.accept(offer.id, agent.id);
      return (await center.conversations.get(conversation.id)).state === 'assigned';
    });
    await w.waitForDms(member, (d) => d.find((m) => m.content === 'Ana joined the conversation.'), 'joined');

    const file = w.discord.sendDm(member, '', {
      attachments: [{ filename: 'error-log.txt', content_type: 'text/plain', size: 2_048 }],
    });
    // A text message after the file: once it is stored, any hint about the file would already have been sent.
    const after = w.discord.sendDm(member, 'that is the log');
    expect(await stored(member, file.id)).toMatchObject({
      text: '',
      attachments: [{ name: 'error-log.txt', url: file.attachments[0]!.url, contentType: 'text/plain' }],
    });
    await stored(member, after.id);
    await center.conversations.reply(agent.id, conversation.id, { text: 'Thanks, reading it now' });
    await w.waitForDms(member, (d) => d.find((m) => m.content.endsWith('Thanks, reading it now')), 'reply');
    const botSaid = w.botDms(member).map((m) => m.content);
    expect(botSaid.filter((c) => /read text only|kept it/.test(c))).toEqual([]);
  });
});
