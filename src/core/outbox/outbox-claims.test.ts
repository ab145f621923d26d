import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../storage/kysely-store.ts';
import { sharedDatabases } from '../../storage/test-support/shared-databases.ts';
import type { OutboundMessage } from '../model.ts';
import type { ChannelConnector, SendResult } from '../ports/channel-connector.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { OutboxDispatcher } from './outbox-dispatcher.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL outbox claim test: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(pgUrl, 'switchboard-outbox-');
afterAll(() => databases.drop());

/** A channel that records what each dispatcher sent; every send yields, so dispatchers interleave. */
class RecordingConnector implements ChannelConnector {
  readonly channel = 'test';
  constructor(
    private readonly name: string,
    private readonly log: { by: string; thread: string; text: string }[],
  ) {}
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  health = () => ({ status: 'connected' as const, detail: null });
  async send(message: OutboundMessage): Promise<SendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    this.log.push({ by: this.name, thread: String(message.address.thread), text: message.text });
    return { externalId: `${this.name}-${this.log.length}` };
  }
}

async function seed(store: Store, conversations: number, perConversation: number, at: string) {
  for (let c = 0; c < conversations; c++) {
    const contactId = randomUUID();
    const conversationId = randomUUID();
    await store.contacts.create({
      id: contactId,
      name: `Member ${c}`,
      avatarUrl: null,
      locale: null,
      identities: [],
      createdAt: at,
    });
    await store.conversations.create({
      id: conversationId,
      contactId,
      channel: 'test',
      state: 'bot',
      address: { thread: `c${c}` },
      queueId: null,
      agentId: null,
      caseId: null,
      language: null,
      wrapUpNote: null,
      queuedAt: null,
      assignedAt: null,
      firstAgentReplyAt: null,
      closedAt: null,
      createdAt: at,
      updatedAt: at,
    });
    for (let m = 0; m < perConversation; m++)
      await store.outbox.add({
        conversationId,
        channel: 'test',
        message: {
          conversationId,
          channel: 'test',
          address: { thread: `c${c}` },
          authorKind: 'agent',
          authorName: null,
          text: `c${c}-${m}`,
          attachments: [],
          articles: [],
          actions: [],
          messageId: null,
        },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at,
        lastError: null,
        externalId: null,
        createdAt: at,
        sentAt: null,
      });
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !pgUrl)(`outbox claims across instances (${engine})`, () => {
    it('two dispatchers on one database send each of 500 items once, in order per conversation', async () => {
      const url = await databases.url(engine);
      const one = await openStore({ url });
      const two = await openStore({ url });
      try {
        const clock = new ManualClock('2026-03-01T09:00:00.000Z');
        await seed(one, 50, 10, clock.now().toISOString());
        const sent: { by: string; thread: string; text: string }[] = [];
        const dispatchers = [
          new OutboxDispatcher(one, new Map([['test', new RecordingConnector('one', sent)]]), clock, {
            concurrency: 8,
          }),
          new OutboxDispatcher(two, new Map([['test', new RecordingConnector('two', sent)]]), clock, {
            concurrency: 8,
          }),
        ];
        // Each pass ends when it finds nothing it may claim; the other may still be busy, so go on until done.
        for (let round = 0; sent.length < 500 && round < 50; round++)
          await Promise.all(dispatchers.map((d) => d.tick()));

        expect(sent).toHaveLength(500);
        expect(new Set(sent.map((s) => s.text)).size).toBe(500);
        for (let c = 0; c < 50; c++)
          expect(sent.filter((s) => s.thread === `c${c}`).map((s) => s.text)).toEqual(
            Array.from({ length: 10 }, (_, m) => `c${c}-${m}`),
          );
        // Both took part: the claims were shared, not won by one for good.
        expect(sent.some((s) => s.by === 'one')).toBe(true);
        expect(sent.some((s) => s.by === 'two')).toBe(true);
        const items = (
          await Promise.all(
            (await one.conversations.list({})).map((c) => one.outbox.listByConversation(c.id)),
          )
        ).flat();
        expect(items.every((i) => i.status === 'sent' && i.attempts === 1)).toBe(true);
      } finally {
        await one.close();
        await two.close();
      }
    });

    it("takes over a dead instance's claim only once its lease has run out", async () => {
      const url = await databases.url(engine);
      const one = await openStore({ url });
      const two = await openStore({ url });
      try {
        const clock = new ManualClock('2026-03-01T09:00:00.000Z');
        await seed(one, 1, 2, clock.now().toISOString());
        // The first instance claims the conversation's head and dies before sending it.
        const now = clock.now();
        const [held] = await one.outbox.claimDue({
          now: now.toISOString(),
          leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
          owner: 'dead-instance',
          limit: 10,
        });
        expect(held?.message.text).toBe('c0-0');
        const sent: { by: string; thread: string; text: string }[] = [];
        const survivor = new OutboxDispatcher(
          two,
          new Map([['test', new RecordingConnector('two', sent)]]),
          clock,
          { leaseMs: 60_000 },
        );
        // Neither the held item nor the one behind it goes while the lease runs.
        expect(await survivor.tick()).toBe(0);
        clock.advance(60_000);
        expect(await survivor.tick()).toBe(2);
        expect(sent.map((s) => s.text)).toEqual(['c0-0', 'c0-1']);
        // The dead instance's late outcome is not stored over the survivor's.
        expect(
          await one.outbox.finish({ ...held!, status: 'failed', lastError: 'late' }, 'dead-instance'),
        ).toBe(false);
        const [first] = await one.outbox.listByConversation(held!.conversationId!);
        expect(first).toMatchObject({ status: 'sent', lastError: null });
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
}
