import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { OutboundMessage } from '../model.ts';
import type { ChannelConnector, SendResult } from '../ports/channel-connector.ts';

let t: TestCenter;
const errors: { context: Record<string, unknown>; message: string }[] = [];
beforeEach(async () => {
  errors.length = 0;
  // No jitter, so back-off times are exact under the manual clock.
  t = await createTestCenter({
    centerOptions: { outbox: { baseBackoffMs: 1_000, jitter: 0, sendTimeoutMs: 200 } },
  });
  // The dispatcher's log, to see what a permanent failure tells the operator.
  (t.center.dispatcher as unknown as { log: unknown }).log = {
    warn: () => {},
    error: (context: Record<string, unknown>, message: string) => errors.push({ context, message }),
  };
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

  it('retries through a long outage until delivered, exactly once, with the back-off capped', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(100);
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'eventually' });
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'after it' });
    for (let i = 0; i < 100; i++) {
      await t.center.dispatcher.tick();
      t.clock.advance(60_000);
    }
    const [stillPending] = (await t.store.outbox.listByConversation(conversation.id)).filter(
      (i) => i.message.text === 'eventually',
    );
    // The 100th failure waits no longer than the cap.
    expect(stillPending).toMatchObject({ status: 'pending', attempts: 100 });
    expect(Date.parse(stillPending!.nextAttemptAt) - t.clock.now().getTime()).toBeLessThanOrEqual(0);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual(['eventually', 'after it']);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual(['eventually', 'after it']);
    const items = await t.store.outbox.listByConversation(conversation.id);
    expect(items.find((i) => i.message.text === 'eventually')).toMatchObject({
      status: 'sent',
      attempts: 101,
    });
    expect(errors).toEqual([]);
  });

  it('logs a permanent refusal at error with its context, and sends it once resent', async () => {
    const { agent, conversation } = await assigned();
    t.connector.failNext(1, false);
    const reply = await t.center.conversations.reply(agent.id, conversation.id, { text: 'refused once' });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        context: expect.objectContaining({
          conversationId: conversation.id,
          channel: 'test',
          messageId: reply.id,
          reason: 'test channel unavailable',
        }),
      }),
    ]);
    const [failed] = (await t.store.outbox.listByConversation(conversation.id)).filter(
      (i) => i.message.text === 'refused once',
    );
    expect(failed).toMatchObject({ status: 'failed' });
    await t.store.outbox.resend(conversation.id, failed!.seq, t.clock.now().toISOString());
    expect(await t.center.dispatcher.tick()).toBe(1);
    expect(t.connector.textsTo('m1')).toEqual(['refused once']);
    const [sent] = (await t.store.outbox.listByConversation(conversation.id)).filter(
      (i) => i.message.text === 'refused once',
    );
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it("delivers other conversations while one conversation's send hangs, then times it out and retries", async () => {
    const channel = new HangingConnector(t.connector, 'm1');
    t.center.addConnector(channel);
    await t.connector.receive({ from: 'm1', text: 'hello' });
    await t.connector.receive({ from: 'm2', text: 'hello' });
    const pass = t.center.dispatcher.tick();
    await channel.until(() => channel.hanging > 0 && t.connector.textsTo('m2').length > 0);
    // B writes again while A's send is still hanging; B's answer goes out without waiting for A.
    const before = t.connector.textsTo('m2').length;
    await t.connector.receive({ from: 'm2', text: 'are you there?' });
    void t.center.dispatcher.tick();
    await channel.until(() => t.connector.textsTo('m2').length > before);
    expect(t.connector.textsTo('m1')).toEqual([]);
    const [head] = await pendingOf('m1');
    expect(head).toMatchObject({ attempts: 0 });
    // A's attempt ends at its time-out, as a transient failure that is retried.
    await pass;
    expect((await pendingOf('m1'))[0]).toMatchObject({
      seq: head!.seq,
      attempts: 1,
      lastError: 'no answer from the channel within 200 ms',
    });
    channel.hang = false;
    t.clock.advance(1_000);
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1')[0]).toBe(head!.message.text);
    expect(await pendingOf('m1')).toEqual([]);
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

async function pendingOf(thread: string) {
  const conversations = await t.store.conversations.list({});
  const mine = conversations.filter((c) => c.address.thread === thread);
  const items = (await Promise.all(mine.map((c) => t.store.outbox.listByConversation(c.id)))).flat();
  return items.filter((i) => i.status === 'pending');
}

/** The test channel, except that sends to one contact hang (never answer) while `hang` is set. */
class HangingConnector implements ChannelConnector {
  readonly channel: string;
  hang = true;
  hanging = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly inner: ChannelConnector,
    private readonly thread: string,
  ) {
    this.channel = inner.channel;
  }

  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  health = () => this.inner.health();

  async send(message: OutboundMessage): Promise<SendResult> {
    if (this.hang && message.address.thread === this.thread) {
      this.hanging += 1;
      this.notify();
      return new Promise<SendResult>(() => {});
    }
    const result = await this.inner.send(message);
    queueMicrotask(() => this.notify());
    return result;
  }

  /** Resolves once `condition` holds, checked after every send. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}
