import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter({ centerOptions: { outbox: { baseBackoffMs: 1_000, maxAttempts: 4 } } });
});
afterEach(() => t.close());

/** An agent holding the conversation of contact `m1`, ready to reply. */
async function assigned() {
  const agent = await t.agent('dana@example.com', { presence: 'available', name: 'Dana' });
  await t.connector.receive({ from: 'm1', text: 'a person please', action: 'handoff' });
  const [offer] = await t.store.reservations.list({ agentId: agent.id, status: 'pending' });
  const conversation = await t.center.router.accept(offer!.id, agent.id);
  await t.center.dispatcher.tick();
  t.connector.sent.length = 0;
  return { agent, conversation };
}

describe('outbox dispatcher', () => {
  it('delivers each message once, in order, after the channel failed for a while', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(2);
    for (const text of ['one', 'two', 'three'])
      await t.center.conversations.reply(agent.id, conversation.id, { text });
    expect(await t.center.dispatcher.tick()).toBe(0);
    expect(t.connector.sent).toHaveLength(0);
    // Nothing is retried before its back-off has passed, and `two` never overtakes `one`.
    t.clock.advance(999);
    expect(await t.center.dispatcher.tick()).toBe(0);
    t.clock.advance(1);
    await t.center.dispatcher.tick();
    t.clock.advance(2_000);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual(['one', 'two', 'three']);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual(['one', 'two', 'three']);
    const items = await t.store.outbox.listByConversation(conversation.id);
    const replies = items.filter((i) => ['one', 'two', 'three'].includes(i.message.text));
    expect(replies.map((i) => i.status)).toEqual(['sent', 'sent', 'sent']);
    expect(replies[0]!.attempts).toBe(3);
    expect(replies[0]!.externalId).toMatch(/^test-out-/);
  });

  it('gives up on a message the channel refuses for good, and goes on with the next', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(1, false);
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'refused' });
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'next' });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual(['next']);
    const items = await t.store.outbox.listByConversation(conversation.id);
    expect(items.find((i) => i.message.text === 'refused')).toMatchObject({
      status: 'failed',
      lastError: 'test channel unavailable',
    });
  });

  it('marks a message failed after the last attempt', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(10);
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'lost cause' });
    for (let i = 0; i < 6; i++) {
      await t.center.dispatcher.tick();
      t.clock.advance(60_000);
    }
    const [item] = (await t.store.outbox.listByConversation(conversation.id)).filter(
      (i) => i.message.text === 'lost cause',
    );
    expect(item).toMatchObject({ status: 'failed', attempts: 4 });
  });

  it('keeps pending messages across a restart of the process', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(1);
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'survives' });
    await t.center.dispatcher.tick();
    // A new dispatcher over the same store (as after a restart) delivers what was left.
    const { OutboxDispatcher } = await import('./outbox-dispatcher.ts');
    t.clock.advance(5_000);
    const fresh = new OutboxDispatcher(t.store, new Map([['test', t.connector]]), t.clock);
    expect(await fresh.tick()).toBe(1);
    expect(t.connector.textsTo('m1')).toEqual(['survives']);
  });
});
