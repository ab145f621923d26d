import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignedConversation } from '../../../test/support/assigned-conversation.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

/** Issue 14: a queue may send members the transcript of their conversation when it closes. */
describe('the transcript sent to the member at close', () => {
  let t: TestCenter;
  beforeEach(async () => {
    t = await createTestCenter();
  });
  afterEach(() => t.close());

  /** A member handed off, taken by an agent who answered, an internal note and a wrap-up note left. */
  async function handled(from: string) {
    const { agent, conversation } = await assignedConversation(t, from, {
      text: 'my order <b>1234</b> is late',
      agentName: 'Dana',
    });
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'It ships tomorrow.' });
    await t.center.monitor.addNote(agent.id, conversation.id, 'INTERNAL: refund if it slips again');
    return { agent, conversation };
  }

  const transcripts = () => t.connector.sent.filter((m) => m.transcript);

  it('is not sent for a queue without the setting (the default)', async () => {
    const { agent, conversation } = await handled('plain');
    const queue = await t.center.queues.get(conversation.queueId!);
    expect(queue.sendTranscript).toBe(false);
    await t.center.conversations.close(agent.id, conversation.id, { note: 'WRAP: customer was upset' });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('plain').at(-1)).toMatch(/How would you rate/);
    expect(transcripts()).toEqual([]);
  });

  it("is sent once, before the rating question, in the member's view only", async () => {
    const { agent, conversation } = await handled('asks');
    await t.center.queues.update(conversation.queueId!, { sendTranscript: true });
    await t.center.conversations.close(agent.id, conversation.id, { note: 'WRAP: customer was upset' });
    await t.center.dispatcher.tick();
    await t.center.dispatcher.tick();

    const [sent, ...more] = transcripts();
    expect(more).toEqual([]);
    const kase = await t.center.cases.get(conversation.caseId!);
    const intro = `Here is the transcript of your conversation about case #${kase.number}.`;
    expect(sent?.transcript).toMatchObject({ intro, fileName: `transcript-case-${kase.number}.html` });
    const html = sent!.transcript!.html;
    expect(html).toContain('my order &lt;b&gt;1234&lt;/b&gt; is late');
    expect(html).toContain('It ships tomorrow.');
    expect(html).toContain('Conversation closed');
    for (const hidden of ['INTERNAL', 'WRAP', 'Case timeline']) expect(html).not.toContain(hidden);
    // A channel without files gets the same in plain text.
    expect(sent!.text.startsWith(`${intro}\n\n`)).toBe(true);
    expect(sent!.text).toContain('Dana (');
    expect(sent!.text).toContain('): It ships tomorrow.');
    for (const hidden of ['INTERNAL', 'WRAP']) expect(sent!.text).not.toContain(hidden);
    // The conversation keeps a short system message saying so, delivered like any other.
    const stored = await t.store.messages.listByConversation(conversation.id);
    expect(stored.filter((m) => m.text === intro)).toMatchObject([
      { authorKind: 'system', id: sent!.messageId },
    ]);
    const texts = t.connector.textsTo('asks');
    expect(texts.at(-2)).toBe(sent!.text);
    expect(texts.at(-1)).toMatch(/How would you rate/);
  });

  it('is sent when a silent conversation is closed for idleness too', async () => {
    const { conversation } = await handled('idle');
    await t.center.queues.update(conversation.queueId!, { sendTranscript: true });
    await t.center.idle.saveSettings({ enabled: true, reminderMinutes: 10, closeMinutes: 5 });
    t.clock.advance(10 * 60_000);
    await t.center.idle.sweep();
    t.clock.advance(5 * 60_000);
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 1 });
    await t.center.dispatcher.tick();
    expect(transcripts().map((m) => m.conversationId)).toEqual([conversation.id]);
  });
});
