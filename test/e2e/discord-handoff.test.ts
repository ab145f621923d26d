import { describe, expect, it } from 'vitest';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

/** Journey 3 of issue 3: the hand-off to a live agent, both directions, close and rating. */
describe('Discord: hand-off to a live agent', () => {
  const w = useDiscordWorld();

  async function conversationOf(user: ApiUser) {
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', user.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    return conversation!;
  }

  it('asking by text ("human", "موظف"), by button and by /agent opens a case and tells the place in the queue at once', async () => {
    const english = w.member({ username: 'en-member' });
    w.discord.sendDm(english, 'human please');
    const told = await w.waitForDms(
      english,
      (d) => d.find((m) => /case #\d+/.test(m.content)),
      'case opened',
    );
    expect(told.content).toMatch(/I have opened case #\d+ .* number 1 in the queue/);

    const arabic = w.member({ username: 'ar-member' });
    w.discord.sendDm(arabic, 'أريد التحدث مع موظف');
    const toldAr = await w.waitForDms(
      arabic,
      (d) => d.find((m) => /#\d+/.test(m.content)),
      'Arabic case opened',
    );
    expect(toldAr.content).toMatch(/فتحت لك الحالة رقم #\d+/);
    expect(toldAr.content).toMatch(/ترتيبك في قائمة الانتظار: 2/);

    const byButton = w.member({ username: 'button-member' });
    w.discord.sendDm(byButton, 'zxqv plorb wibble');
    const unsure = await w.waitForDms(byButton, (d) => d[0], 'unsure reply');
    expect(buttonsOf(unsure)).toEqual([['sb:handoff']]);
    w.discord.clickButton(byButton, unsure.id, 'sb:handoff');
    const toldButton = await w.waitForDms(
      byButton,
      (d) => d.find((m) => /case #\d+/.test(m.content)),
      'case',
    );
    expect(toldButton.content).toMatch(/number 3 in the queue/);
    expect(JSON.stringify(w.discord.message(unsure.id)?.components)).toContain('"disabled":true');

    const bySlash = w.member({ username: 'slash-member' });
    const interaction = w.discord.invokeSlashCommand(bySlash, w.guild, w.guild.channels.general!, 'agent');
    const toldSlash = await w.waitForDms(bySlash, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case');
    expect(toldSlash.content).toMatch(/number 4 in the queue/);
    await w.discord.waitFor(() =>
      w.discord
        .interactionResponses(interaction)
        .find((r) => r.content === "I've sent you a direct message."),
    );

    for (const user of [english, arabic, byButton, bySlash]) {
      const conversation = await conversationOf(user);
      expect(conversation.state).toBe('queued');
      expect(conversation.caseId).not.toBeNull();
    }
  });

  it('an agent joins, replies (split at 2,000 characters), hears the member, closes; the member rates it', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'rating-member' });
    w.discord.sendDm(member, 'My card was charged twice');
    await w.waitForDms(member, (d) => d.length >= 1, 'first answer');
    w.discord.sendDm(member, 'real person');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const conversation = await conversationOf(member);

    const agent = await w.agent('Dana');
    let pending = await eventually('a reservation for the agent', async () => {
      const offers = await center.store.reservations.list({ agentId: agent.id, status: 'pending' });
      return offers.length > 0 ? offers : undefined;
    });
    // The agent was offered the oldest waiting conversations first; accept them all, as a busy desktop would.
    for (let round = 0; round < 6; round++) {
      for (const offer of pending) await center.router.accept(offer.id, agent.id);
      const mine = await center.conversations.get(conversation.id);
      if (mine.state === 'assigned') break;
      const others = await center.conversations.list({ agentId: agent.id, state: 'assigned' });
      for (const other of others)
        if (other.id !== conversation.id) await center.conversations.close(agent.id, other.id);
      await center.router.offer();
      pending = await center.store.reservations.list({ agentId: agent.id, status: 'pending' });
    }
    expect((await center.conversations.get(conversation.id)).state).toBe('assigned');
    await w.waitForDms(
      member,
      (d) => d.find((m) => m.content === 'Dana joined the conversation.'),
      'agent joined',
    );

    const long = Array.from(
      { length: 60 },
      (_, i) => `Step ${i + 1}: this is a detailed instruction line.`,
    ).join('\n');
    const text = `${long}\n\n${long}`;
    expect(text.length).toBeGreaterThan(4_000);
    await center.conversations.reply(agent.id, conversation.id, { text });
    const parts = await w.waitForDms(
      member,
      (d) => {
        const start = d.findIndex((m) => m.content.startsWith('**Dana**'));
        const all = start >= 0 ? d.slice(start) : [];
        return all.some((m) => m.content.includes('Step 60') && m.content.endsWith('line.')) &&
          all.filter((m) => m.content.includes('Step 60:')).length === 2
          ? all
          : null;
      },
      'the split agent reply',
    );
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(part.content.length).toBeLessThanOrEqual(2_000);
    expect(
      parts
        .map((p) => p.content)
        .join('\n')
        .replace(/\s+/g, ' '),
    ).toBe(`**Dana** ${text}`.replace(/\s+/g, ' '));

    const dm = w.discord.sendDm(member, 'Thanks, that worked');
    const received = await eventually('the member DM in the transcript', async () =>
      (await center.conversations.transcript(conversation.id)).find((m) => m.externalId === dm.id),
    );
    expect(received).toMatchObject({
      authorKind: 'contact',
      text: 'Thanks, that worked',
    });

    await center.conversations.close(agent.id, conversation.id);
    const rate = await w.waitForDms(member, (d) => d.find((m) => /rate/.test(m.content)), 'rating question');
    expect(buttonsOf(rate)).toEqual([['sb:rate:1', 'sb:rate:2', 'sb:rate:3', 'sb:rate:4', 'sb:rate:5']]);
    w.discord.clickButton(member, rate.id, 'sb:rate:4');
    await w.waitForDms(member, (d) => d.find((m) => /Thank you for your feedback/.test(m.content)), 'thanks');
    const kase = await center.cases.get(conversation.caseId!);
    expect(kase.rating).toBe(4);
    expect(JSON.stringify(w.discord.message(rate.id)?.components)).toContain('"disabled":true');
  });

  it('"شخص حقيقي" ("a real person") on its own hands off, answered in Arabic', async () => {
    const member = w.member({ username: 'real-person-ar' });
    w.discord.sendDm(member, 'شخص حقيقي');
    const told = await w.waitForDms(
      member,
      (d) => d.find((m) => /#\d+/.test(m.content)),
      'Arabic case opened',
    );
    expect(told.content).toMatch(/فتحت لك الحالة رقم #\d+/);
    expect(told.content).toMatch(/ترتيبك في قائمة الانتظار: \d+/);
    const conversation = await conversationOf(member);
    expect(conversation.state).toMatch(/queued|assigned/);
    expect(conversation.caseId).not.toBeNull();
  });
});
