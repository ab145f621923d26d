import { afterAll, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { TestConnector } from '../../../test/support/test-connector.ts';
import { sharedDatabases } from '../../storage/test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL bridge tests: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(pgUrl, 'switchboard-bridge-');
afterAll(() => databases.drop());

class TestBridge extends TestConnector {
  readonly bridges = true;
}

/**
 * Two instances (two stores) on one PostgreSQL database, with the bridge `flex` as the hand-off target. On
 * SQLite one store: its single connection runs transactions one at a time (a second store in the same
 * process would block on the file lock).
 */
async function instances(engine: 'sqlite' | 'postgres', url: string): Promise<[TestCenter, TestCenter]> {
  // One after the other: the first migrates the database.
  const pair: TestCenter[] = [];
  for (const _ of engine === 'sqlite' ? [1] : [1, 2])
    pair.push(await createTestCenter({ url, centerOptions: { handoffTarget: 'flex' } }));
  for (const t of pair) t.center.addConnector(new TestBridge('flex'));
  return [pair[0]!, pair[1] ?? pair[0]!];
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !pgUrl)(`bridge events arriving twice at once (${engine})`, () => {
    it('one outside message posted to two instances at once reaches the contact once; one close closes once', async () => {
      const [a, b] = await instances(engine, await databases.url(engine));
      try {
        await a.connector.receive({ from: 'm1', text: 'Talk to a person', action: 'handoff' });
        const contact = await a.store.contacts.findByIdentity('test', 'm1');
        const [conversation] = await a.store.conversations.list({ contactId: contact!.id });
        expect(conversation?.bridge?.target).toBe('flex');
        await a.center.bridges.linked(conversation!.id, 'CH1');

        const message = { target: 'flex', ref: 'CH1', externalId: 'IM1', authorName: 'Dana', text: 'Hello' };
        for (let round = 0; round < 5; round++) {
          const copy = { ...message, externalId: `IM${round}` };
          const outcomes = await Promise.all([
            a.center.bridges.agentMessage(copy),
            b.center.bridges.agentMessage(copy),
            a.center.bridges.agentMessage(copy),
          ]);
          expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
        }
        const ended = await Promise.all([
          a.center.bridges.ended('flex', 'CH1'),
          b.center.bridges.ended('flex', 'CH1'),
        ]);
        expect(ended.filter((o) => o === 'delivered')).toHaveLength(1);

        const outbox = (await a.store.outbox.listByConversation(conversation!.id)).filter(
          (i) => i.channel === 'test',
        );
        expect(outbox.filter((i) => i.message.text === 'Hello')).toHaveLength(5);
        expect(outbox.filter((i) => i.message.text.includes('is now closed'))).toHaveLength(1);
        const timeline = await a.store.cases.listTimeline(conversation!.caseId!);
        // One close note (beside the hand-off summary noted when the case was opened).
        expect(timeline.filter((e) => e.type === 'note' && !e.data.handoffSummary)).toHaveLength(1);
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });
  });
}
