import { beforeAll, describe, expect, it } from 'vitest';
import { newPage, signIn, useBrowser } from '../support/browser.ts';
import { ADMIN_PASSWORD, buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

/** Issue 14, CSAT: after rating with the buttons, the member may add a comment; it is kept with the rating. */
describe('Discord: a comment with the rating', () => {
  const w = useDiscordWorld();
  const browser = useBrowser();
  beforeAll(async () => {
    await w.agent('Dana');
  });

  it('the message after the rating is its comment: on the case and its timeline, and thanked', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'commenter' });
    w.discord.sendDm(member, 'real person please');
    await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const offer = await eventually('an offer', async () => {
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
      (d) => d.find((m) => buttonsOf(m).flat().includes('sb:rate:4')),
      'the rating buttons',
    );
    w.discord.clickButton(member, question.id, 'sb:rate:4');
    await w.waitForDms(
      member,
      (d) => d.find((m) => /Write a comment in your next message/.test(m.content)),
      'ask',
    );

    w.discord.sendDm(member, 'Dana was quick, but I had to repeat my order number twice.');
    await w.waitForDms(
      member,
      (d) => d.find((m) => m.content === 'Thank you, our team will read your comment.'),
      'the thanks for the comment',
    );
    const kase = await center.cases.get(conversation!.caseId!);
    expect(kase).toMatchObject({
      rating: 4,
      ratingComment: 'Dana was quick, but I had to repeat my order number twice.',
    });
    const timeline = await center.cases.timeline(kase.id);
    expect(timeline.find((e) => e.type === 'rating_comment')?.data).toEqual({
      rating: 4,
      comment: 'Dana was quick, but I had to repeat my order number twice.',
    });
    // The comment stays in the closed conversation: no new one was opened for it.
    const conversations = await center.conversations.list({ contactId: contact!.id });
    expect(conversations.map((c) => [c.id, c.state])).toEqual([[conversation!.id, 'closed']]);
    const messages = await center.store.messages.listByConversation(conversation!.id);
    expect(messages.map((m) => m.text)).toContain(
      'Dana was quick, but I had to repeat my order number twice.',
    );

    // Only one comment: the next message starts a new conversation with the bot.
    w.discord.sendDm(member, 'hello again');
    await eventually('a new conversation', async () => {
      const all = await center.conversations.list({ contactId: contact!.id });
      return all.length === 2 ? all : undefined;
    });
    expect((await center.cases.get(kase.id)).ratingComment).toBe(
      'Dana was quick, but I had to repeat my order number twice.',
    );

    // The desktop shows it on the case, and the supervisor's CSAT by agent and channel with the comment.
    const { context, page, watch } = await newPage(browser);
    await signIn(page, w.base, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${w.base}/cases/${kase.number}`);
    await expect
      .poll(() => page.getByLabel('Rating comment').textContent())
      .toBe('Dana was quick, but I had to repeat my order number twice.');
    await page.goto(`${w.base}/supervisor`);
    const byAgent = page.getByRole('table', { name: 'CSAT by agent' });
    await expect.poll(() => byAgent.locator('tbody tr').first().textContent()).toBe('Dana4.0 / 51');
    const byChannel = page.getByRole('table', { name: 'CSAT by channel' });
    await expect.poll(() => byChannel.locator('tbody tr').first().textContent()).toBe('discord4.0 / 51');
    await expect
      .poll(() => page.getByRole('list', { name: 'CSAT comments' }).textContent())
      .toContain('Dana was quick, but I had to repeat my order number twice.');
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
