import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignedConversation } from '../../../test/support/assigned-conversation.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { parseTypedRating } from './typed-rating.ts';

describe('parseTypedRating', () => {
  it('reads a bare 1–5 in Western, Arabic-Indic and Persian digits, out of 5 or with stars', () => {
    for (const [text, rating] of [
      ['5', 5],
      [' 4 ', 4],
      ['٥', 5],
      ['۳', 3],
      ['5/5', 5],
      ['2 / 5', 2],
      ['3 out of 5', 3],
      ['٤ من ٥', 4],
      ['5 stars', 5],
      ['1 star', 1],
      ['5!', 5],
      ['٥ نجوم', 5],
    ] as const)
      expect(parseTypedRating(text), text).toBe(rating);
  });

  it('leaves everything else an ordinary message', () => {
    for (const text of ['', '0', '6', '10', '5 minutes ago my card failed', 'order 5', '4/10', 'hello', '٦'])
      expect(parseTypedRating(text), text).toBeNull();
  });
});

describe('a rating typed after close', () => {
  let t: TestCenter;
  beforeEach(async () => {
    t = await createTestCenter();
  });
  afterEach(() => t.close());

  /** Hands `from` off, has an agent accept and close; returns the closed conversation and its case id. */
  async function closedByAgent(from: string) {
    const { agent, contact, conversation } = await assignedConversation(t, from, {
      text: 'I need a human please',
    });
    await t.center.conversations.close(agent.id, conversation.id);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo(from).at(-1)).toMatch(/How would you rate/);
    return { contactId: contact.id, conversationId: conversation.id, caseId: conversation.caseId! };
  }

  it.each([
    ['5', 5],
    ['٥', 5],
    ['۴', 4],
  ])(
    '"%s" is the rating: the case has it, the member is thanked, no conversation is opened',
    async (text, rating) => {
      const from = `member-${rating}-${text.charCodeAt(0)}`;
      const { contactId, conversationId, caseId } = await closedByAgent(from);
      await t.connector.receive({ from, text, address: { thread: from } });
      await t.center.dispatcher.tick();

      expect((await t.center.cases.get(caseId)).rating).toBe(rating);
      expect(t.connector.textsTo(from).slice(-2)).toEqual([
        'Thank you for your feedback!',
        'Would you like to tell us more? Write a comment in your next message and it goes to our team with your rating.',
      ]);
      const conversations = await t.store.conversations.list({ contactId });
      expect(conversations.map((c) => c.id)).toEqual([conversationId]);
      expect(conversations[0]?.state).toBe('closed');
      expect(conversations[0]?.ratingRequestedAt).toBeUndefined();

      // Once rated, the next "5" is an ordinary message again: it opens a new conversation.
      await t.connector.receive({ from, text: '5', address: { thread: from } });
      expect(await t.store.conversations.list({ contactId })).toHaveLength(2);
      expect((await t.center.cases.get(caseId)).rating).toBe(rating);
    },
  );

  it('a new conversation ends the wait: a later "5" belongs to it', async () => {
    const from = 'moved-on';
    const { contactId, caseId } = await closedByAgent(from);
    t.clock.advance(60_000);
    await t.connector.receive({ from, text: 'what are your opening hours?', address: { thread: from } });
    await t.connector.receive({ from, text: '5', address: { thread: from } });
    expect((await t.center.cases.get(caseId)).rating).toBeNull();
    const conversations = await t.store.conversations.list({ contactId });
    expect(conversations).toHaveLength(2);
    const open = conversations.find((c) => c.state !== 'closed');
    const transcript = await t.center.conversations.transcript(open!.id);
    expect(transcript.filter((m) => m.authorKind === 'contact').map((m) => m.text)).toEqual([
      'what are your opening hours?',
      '5',
    ]);
  });

  it('a bare number from a member never asked to rate is an ordinary message', async () => {
    await t.connector.receive({ from: 'newcomer', text: '5', address: { thread: 'newcomer' } });
    const contact = await t.store.contacts.findByIdentity('test', 'newcomer');
    const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
    expect(conversation?.state).toBe('bot');
  });
});
