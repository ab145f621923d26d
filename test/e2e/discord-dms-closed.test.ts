import { describe, expect, it } from 'vitest';
import { eventually, useDiscordWorld } from './discord-harness.ts';

/** Journey 4 of issue 3: Discord refuses the DM (50007); a private thread in #customer-service takes over. */
describe('Discord: a member whose DMs are closed', () => {
  const w = useDiscordWorld();

  it('gets a private thread, is told where, and the conversation continues there both ways', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'private-person', dmsClosed: true });
    const support = w.guild.channels['customer-service']!;
    const interaction = w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'helpme', {
      question: 'Where is my order?',
    });

    const thread = await w.discord.waitFor(
      () => w.discord.threadsOf(support).find((t) => t.memberIds.includes(member.id)),
      10_000,
      'a thread with the member in it',
    );
    expect(thread.type).toBe(12); // private
    expect(thread.memberIds).toContain(member.id);
    const inThread = () =>
      w.discord.messagesIn(thread.id).filter((m) => m.author.id === w.discord.botUser.id);
    await w.discord.waitFor(
      () => inThread().length >= 3,
      10_000,
      'welcome, greeting and answer in the thread',
    );
    expect(inThread()[0]?.content).toContain(`<@${member.id}>`);
    expect(inThread()[0]?.content).toMatch(/DMs are closed/);
    expect(inThread()[1]?.content).toMatch(/hi|hello/i);
    expect(inThread()[2]?.embeds.length).toBeGreaterThan(0);
    expect(w.discord.requests({ status: 403 }).length).toBeGreaterThan(0); // Discord did refuse the DM
    expect(w.discord.dmMessages(member).filter((m) => m.author.id === w.discord.botUser.id)).toEqual([]);

    // The ephemeral reply says where to look.
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(interaction)
          .some((r) => r.kind === 'original-edit' && r.content?.includes(`<#${thread.id}>`)),
      10_000,
      'the ephemeral pointing at the thread',
    );

    // The member writes in the thread: same conversation; hand-off and the agent's reply go there too.
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const written = w.discord.sendGuildMessage(member, thread.id, 'I want a human');
    await w.discord.waitFor(
      () => inThread().find((m) => /case #\d+/.test(m.content)),
      10_000,
      'case in thread',
    );
    const again = await center.conversations.list({ contactId: contact!.id });
    expect(again.map((c) => c.id)).toEqual([conversation!.id]);
    const transcript = await center.conversations.transcript(conversation!.id);
    expect(transcript.some((m) => m.externalId === written.id)).toBe(true);

    const agent = await w.agent('Rui');
    const [offer] = await eventually('an offer', () =>
      center.store.reservations
        .list({ agentId: agent.id, status: 'pending' })
        .then((r) => (r.length ? r : null)),
    );
    await center.router.accept(offer!.id, agent.id);
    await center.conversations.reply(agent.id, conversation!.id, { text: 'Your order ships tomorrow.' });
    await w.discord.waitFor(
      () => inThread().find((m) => m.content === '**Rui**\nYour order ships tomorrow.'),
      10_000,
      'the agent reply in the thread',
    );
    // Only one thread, ever.
    expect(w.discord.threadsOf(support)).toHaveLength(1);
    expect(await center.store.settings.get(`discord:thread:${member.id}`)).toMatchObject({
      threadId: thread.id,
      ready: true,
    });
  });

  it('messages in ordinary server channels are not taken for conversation messages', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'chatty' });
    const inGeneral = w.discord.sendGuildMessage(member, w.guild.channels.general!, 'I want a human');
    // Then a DM, delivered after it on the same gateway session: once the DM is answered, the server
    // message (handled first) has had every chance to become a conversation.
    const dm = w.discord.sendDm(member, 'What are your opening hours?');
    await w.waitForDms(member, (d) => d.length >= 1, 'the answer to the DM');
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const conversations = await center.conversations.list({ contactId: contact!.id });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.caseId).toBeNull();
    const transcript = await center.conversations.transcript(conversations[0]!.id);
    expect(transcript.filter((m) => m.authorKind === 'contact').map((m) => m.externalId)).toEqual([dm.id]);
    expect(transcript.some((m) => m.externalId === inGeneral.id)).toBe(false);
  });
});
