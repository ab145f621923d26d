import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { TestConnector } from '../../../test/support/test-connector.ts';
import { DomainError } from '../errors.ts';

/** An outside contact center as the core sees it: a connector that bridges, keeping the work it was sent. */
class TestBridge extends TestConnector {
  readonly bridges = true;
}

let t: TestCenter;
let bridge: TestBridge;

beforeEach(async () => {
  t = await createTestCenter({ centerOptions: { handoffTarget: 'flex' } });
  bridge = new TestBridge('flex');
  t.center.addConnector(bridge);
});
afterEach(() => t.close());

async function conversationOf(from: string) {
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!;
}

async function handOff(from = 'm1') {
  await t.connector.receive({ from, text: 'My invoice shows the wrong amount' });
  await t.connector.receive({ from, text: 'Talk to a person', action: 'handoff' });
  await t.center.dispatcher.tick();
  return conversationOf(from);
}

describe('hand-off to an outside contact center (bridge)', () => {
  it('tells the member the case number at once, even while the bridge is down, and hands over the transcript', async () => {
    bridge.failNext(3);
    const conversation = await handOff();
    const kase = await t.store.cases.get(conversation.caseId!);
    expect(t.connector.textsTo('m1').at(-1)).toBe(
      `I have opened case #${kase!.number} for you and I am transferring you to a person.`,
    );
    expect(conversation).toMatchObject({ state: 'assigned', agentId: null, bridge: { target: 'flex' } });
    expect(bridge.sent).toHaveLength(0);

    for (let i = 0; i < 3; i++) {
      t.clock.advance(120_000);
      await t.center.dispatcher.tick();
    }
    expect(bridge.sent).toHaveLength(1);
    const work = bridge.sent[0]!.bridge;
    expect(work?.type).toBe('open');
    if (work?.type !== 'open') return;
    expect(work.caseNumber).toBe(kase!.number);
    expect(work.transcript.map((l) => [l.authorKind, l.text])).toEqual([
      ['contact', 'My invoice shows the wrong amount'],
      expect.arrayContaining(['bot']),
      ['contact', 'Talk to a person'],
    ]);
    expect(work.summary).toContain('My invoice shows the wrong amount');
    expect(work.summary).toContain(`Case #${kase!.number}`);
  });

  it('never offers the conversation to desktop agents and refuses their replies, wrap-up and close', async () => {
    const agent = await t.agent('a@example.com', { presence: 'available', role: 'admin' });
    const conversation = await handOff();
    expect(await t.store.reservations.list({ conversationId: conversation.id })).toHaveLength(0);
    for (const act of [
      () => t.center.conversations.reply(agent.id, conversation.id, { text: 'hello' }),
      () => t.center.conversations.wrapUp(agent.id, conversation.id, null),
      () => t.center.conversations.close(agent.id, conversation.id),
    ]) {
      const error = await act().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).kind).toBe('conflict');
      expect((error as DomainError).message).toContain('handled in Flex');
    }
  });

  it('passes the member messages on in order, and brings an outside agent message to the member once', async () => {
    const conversation = await handOff();
    await t.center.bridges.linked(conversation.id, 'CH1');
    await t.connector.receive({ from: 'm1', text: 'first' });
    await t.connector.receive({ from: 'm1', text: 'second' });
    await t.center.dispatcher.tick();
    expect(bridge.sent.map((m) => [m.bridge?.type, m.text])).toEqual([
      ['open', ''],
      ['forward', 'first'],
      ['forward', 'second'],
    ]);

    const message = {
      target: 'flex',
      ref: 'CH1',
      externalId: 'IM1',
      authorName: 'Dana',
      text: 'Hi, I am Dana',
    };
    const outcomes = await Promise.all([
      t.center.bridges.agentMessage(message),
      t.center.bridges.agentMessage(message),
    ]);
    expect(outcomes.sort()).toEqual(['delivered', 'duplicate']);
    expect(await t.center.bridges.agentMessage({ ...message, ref: 'CH-unknown' })).toBe('unknown');
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1').filter((text) => text === 'Hi, I am Dana')).toHaveLength(1);
  });

  it('closes the conversation when the outside contact center does: the member is told, the case says so, and the next message starts with the bot', async () => {
    const conversation = await handOff();
    await t.center.bridges.linked(conversation.id, 'CH1');
    expect(await t.center.bridges.ended('flex', 'CH1')).toBe('delivered');
    expect(await t.center.bridges.ended('flex', 'CH1')).toBe('unknown');
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1').at(-1)).toContain('This conversation with our team is now closed');
    expect((await t.store.conversations.get(conversation.id))?.state).toBe('closed');
    const timeline = await t.store.cases.listTimeline(conversation.caseId!);
    // The case's last note (its first is the hand-off summary).
    expect(timeline.findLast((e) => e.type === 'note')?.data).toMatchObject({
      text: 'Closed in Flex (conversation CH1).',
    });
    expect((await t.store.cases.get(conversation.caseId!))?.status).toBe('solved');

    t.clock.advance(1_000);
    await t.connector.receive({ from: 'm1', text: 'How do I reset my password?' });
    const [next] = await t.store.conversations.list({ contactId: conversation.contactId });
    expect(next!.id).not.toBe(conversation.id);
    expect(next!.state).toBe('bot');
    expect(next!.bridge).toBeUndefined();
  });
});
