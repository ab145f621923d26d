import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignedConversation } from '../../../test/support/assigned-conversation.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { commentWindowMs } from './conversation-service.ts';

/** Issue 14, CSAT: the message after a rating is its comment, within the wait the test clock measures. */
describe('a comment with the rating', () => {
  let t: TestCenter;
  beforeEach(async () => {
    t = await createTestCenter();
  });
  afterEach(() => t.close());

  async function rated(from: string, rating: string) {
    const { agent, contact, conversation } = await assignedConversation(t, from);
    await t.center.conversations.close(agent.id, conversation.id);
    await t.connector.receive({ from, text: rating, address: { thread: from } });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo(from).at(-1)).toMatch(/Write a comment in your next message/);
    return { contactId: contact.id, caseId: conversation.caseId!, agent };
  }

  it('is kept with the rating, on the timeline and in the stats by agent, queue and channel', async () => {
    const { contactId, caseId, agent } = await rated('commenter', '2');
    t.clock.advance(commentWindowMs - 1_000);
    await t.connector.receive({
      from: 'commenter',
      text: '  I waited too long.  ',
      address: { thread: 'commenter' },
    });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('commenter').at(-1)).toBe('Thank you, our team will read your comment.');
    expect(await t.center.cases.get(caseId)).toMatchObject({
      rating: 2,
      ratingComment: 'I waited too long.',
    });
    expect(await t.store.conversations.list({ contactId })).toHaveLength(1);

    const stats = await t.center.stats.figures('2026-03-01T00:00:00.000Z');
    expect(stats.csat).toMatchObject({
      average: 2,
      count: 1,
      byAgent: [{ id: agent.id, name: agent.name, average: 2, count: 1 }],
      byChannel: [{ id: 'test', name: 'test', average: 2, count: 1 }],
      comments: [{ caseId, rating: 2, comment: 'I waited too long.', channel: 'test', agentId: agent.id }],
    });
    expect(stats.csat.byQueue).toHaveLength(1);
  });

  it('is not awaited any more after the wait: the message starts a new conversation', async () => {
    const { contactId, caseId } = await rated('late', '5');
    t.clock.advance(commentWindowMs);
    await t.connector.receive({ from: 'late', text: 'my card is blocked', address: { thread: 'late' } });
    await t.center.dispatcher.tick();
    expect((await t.center.cases.get(caseId)).ratingComment).toBeUndefined();
    expect(await t.store.conversations.list({ contactId })).toHaveLength(2);
  });
});
