import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { eventually, useDiscordWorld } from './discord-harness.ts';

/** Issue 9 item 5: after close, a rating typed in the DM ("5", "٥") is the rating, not a new conversation. */
describe('Discord: a rating typed instead of clicked', () => {
  const w = useDiscordWorld();
  beforeAll(async () => {
    await w.agent('Dana');
  });

  /** The member asks for a person, an agent takes and closes the conversation; returns it once asked to rate. */
  async function closedAndAsked(member: ApiUser) {
    const center = w.switchboard.center;
    w.discord.sendDm(member, 'real person please');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const offer = await eventually('an offer of the conversation', async () => {
      const [pending] = await center.store.reservations.list({
        conversationId: conversation!.id,
        status: 'pending',
      });
      return pending;
    });
    await center.router.accept(offer.id, offer.agentId);
    await center.conversations.close(offer.agentId, conversation!.id);
    const question = await w.waitForDms(
      member,
      (d) => d.find((m) => /How would you rate/.test(m.content)),
      'the rating question',
    );
    return { contactId: contact!.id, conversation: conversation!, question };
  }

  it.each([
    ['5', 5],
    ['٥', 5],
  ])(
    'the member types "%s": the case has the rating, no conversation is opened, the member is thanked',
    async (typed, rating) => {
      const center = w.switchboard.center;
      const member = w.member({ username: `rater-${typed.charCodeAt(0)}` });
      const { contactId, conversation, question } = await closedAndAsked(member);

      w.discord.sendDm(member, typed);
      const thanks = await w.waitForDms(
        member,
        (d) => d.find((m) => m.content === 'Thank you for your feedback!'),
        'the thank-you',
      );
      expect((await center.cases.get(conversation.caseId!)).rating).toBe(rating);
      const conversations = await center.conversations.list({ contactId });
      expect(conversations.map((c) => [c.id, c.state])).toEqual([[conversation.id, 'closed']]);
      // Nothing else was said: no greeting or answer of a new bot conversation.
      // Only the thanks and the offer to comment (issue 14).
      const ask = await w.waitForDms(member, (d) => d.find((m) => /Write a comment/.test(m.content)), 'ask');
      const after = w.botDms(member).filter((m) => BigInt(m.id) > BigInt(question.id));
      expect(after.map((m) => m.content)).toEqual([thanks.content, ask.content]);
      // The rating buttons are used up: they are disabled on the question.
      expect(JSON.stringify(w.discord.message(question.id)?.components)).toContain('"disabled":true');
      expect(() => w.discord.clickButton(member, question.id, 'sb:rate:1')).toThrow(/disabled/);
    },
  );

  it('replies keep to the member\'s own language: an English member who rated "٥" is refused /setup in English', async () => {
    const member = w.member({ username: 'english-rater', locale: 'en-US' });
    await closedAndAsked(member);
    w.discord.sendDm(member, '٥');
    await w.waitForDms(member, (d) => d.find((m) => m.content === 'Thank you for your feedback!'), 'thanks');
    const interaction = w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'setup');
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction).find((r) => r.content),
      10_000,
      'the /setup refusal',
    );
    expect(reply).toMatchObject({
      ephemeral: true,
      content: 'Only members with the Manage Server permission can run /setup.',
    });
  });
});
