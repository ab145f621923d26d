import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiFake } from '../../test/support/openai-fake.ts';
import { createTestCenter, type TestCenter } from '../../test/support/test-center.ts';
import { TestConnector } from '../../test/support/test-connector.ts';
import { detectHandoff } from '../core/knowledge/handoff-detector.ts';
import { ExtractiveHandoffSummarizer } from '../core/knowledge/handoff-summary.ts';
import { handoffSummaryInstructions, ModelHandoffSummarizer } from './model-handoff-summarizer.ts';
import { OpenAiClient } from './openai-client.ts';

/** An outside contact center (Flex) as the core sees it: a connector that bridges, keeping what it was sent. */
class TestBridge extends TestConnector {
  readonly bridges = true;
}

const written =
  'The member reports a wrong invoice amount; the bot suggested no article. Still open: the refund of the difference.';

describe('hand-off summary: written by the model, on the case and in the bridge hand-off', () => {
  let fake: OpenAiFake;
  let t: TestCenter;
  let bridge: TestBridge;

  beforeAll(async () => {
    fake = await OpenAiFake.start({ chat: () => written });
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    fake.mode = 'normal';
    await t?.close();
  });

  const start = async () => {
    const client = new OpenAiClient({
      url: fake.url,
      apiKey: null,
      chatModel: 'test-chat',
      embeddingsModel: null,
      timeoutMs: 500,
      embeddingsTimeoutMs: 500,
    });
    const extractive = new ExtractiveHandoffSummarizer({ isHandoffRequest: detectHandoff });
    t = await createTestCenter({
      centerOptions: { handoffTarget: 'flex' },
      summarizer: new ModelHandoffSummarizer(client, extractive),
    });
    bridge = new TestBridge('flex');
    t.center.addConnector(bridge);
  };

  const handOff = async () => {
    await t.connector.receive({ from: 'm1', text: 'My invoice shows the wrong amount' });
    await t.connector.receive({ from: 'm1', text: 'Talk to a person', action: 'handoff' });
    await t.center.dispatcher.tick();
    const contact = await t.store.contacts.findByIdentity('test', 'm1');
    const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
    const kase = await t.store.cases.get(conversation!.caseId!);
    const notes = (await t.store.cases.listTimeline(kase!.id)).filter((e) => e.type === 'note');
    const work = bridge.sent[0]?.bridge;
    return { kase: kase!, notes, summary: work?.type === 'open' ? work.summary : undefined };
  };

  it('notes the model’s summary on the new case and gives it to the bridge', async () => {
    await start();
    const { kase, notes, summary } = await handOff();
    expect(notes.map((n) => n.data)).toEqual([
      { text: written, internal: true, handoffSummary: true, by: 'model' },
    ]);
    expect(summary).toBe(`Case #${kase.number}: My invoice shows the wrong amount\n${written}`);
    const request = fake.chatRequests().at(-1);
    const messages = request?.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: handoffSummaryInstructions });
    expect(messages[1]?.content).toContain('"text": "My invoice shows the wrong amount"');
  });

  it('falls back to the member’s words when the model fails', async () => {
    await start();
    fake.mode = 'error';
    const { notes, summary } = await handOff();
    expect(notes.map((n) => n.data)).toEqual([
      {
        text: 'The member wrote: “My invoice shows the wrong amount”\nThe virtual agent suggested no article.',
        internal: true,
        handoffSummary: true,
        by: 'extractive',
      },
    ]);
    expect(summary).toContain('The member wrote: “My invoice shows the wrong amount”');
  });
});
