import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../http/auth/scrypt-password-hasher.ts';
import { FetchHttpClient } from '../../net/fetch-http-client.ts';
import { InProcessEventBus } from '../../pubsub/in-process-event-bus.ts';
import { Bm25SearchIndex } from '../../search/bm25-search-index.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { ContactCenter } from '../contact-center.ts';
import { DomainError } from '../errors.ts';
import type { InboundMessage } from '../ports/channel-connector.ts';
import { ManualClock } from '../ports/clock.ts';
import type { DomainEvent } from '../ports/event-bus.ts';
import type { VirtualAgent, VirtualAgentReply, VirtualAgentRequest } from '../ports/virtual-agent.ts';

/**
 * Many members writing at once on SQLite: their receives share commits (group commit). Each message is
 * stored once, in order per conversation, a redelivery stores nothing, and one that fails loses no other.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-grouped-receive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class EchoAgent implements VirtualAgent {
  async reply(request: VirtualAgentRequest): Promise<VirtualAgentReply> {
    return {
      intent: 'answer',
      text: `answer to: ${request.text}`,
      articles: [],
      confidence: 0.9,
      language: 'en',
    };
  }
  greet(): string {
    return 'Hello';
  }
}

let sequence = 0;
const clock = new ManualClock('2026-03-01T09:00:00.000Z');
const dm = (from: string, text: string, action?: string): InboundMessage => {
  sequence += 1;
  return {
    channel: 'test',
    externalId: `dm-${sequence}`,
    contact: { externalId: from, name: from },
    address: { to: from },
    text,
    ...(action ? { action } : {}),
    receivedAt: clock.now().toISOString(),
  };
};

it('stores concurrent receives once each, in order per conversation, and a failing one loses no other', async () => {
  const store = await openStore({ url: path.join(dir, 'receive.db') });
  const bus = new InProcessEventBus();
  const center = new ContactCenter({
    store,
    bus,
    clock,
    hasher: new ScryptPasswordHasher({ cost: 1024 }),
    searchIndex: new Bm25SearchIndex(),
    virtualAgent: new EchoAgent(),
    http: new FetchHttpClient(),
    log: { warn: () => {}, error: () => {} },
  });
  const created: string[] = [];
  bus.subscribe((event: DomainEvent) => {
    if (event.type === 'message.created' && event.message.authorKind === 'contact')
      created.push(event.message.text);
  });
  const members = Array.from({ length: 30 }, (_, i) => `member-${i}`);
  const messages = members.flatMap((m) => Array.from({ length: 4 }, (_, n) => dm(m, `${m} says ${n}`)));
  // A rating with nothing to rate fails inside its receive, after its contact was written.
  const failing = dm('rater', '', 'rate:5');
  const results = await Promise.allSettled([
    ...messages.slice(0, 60).map((m) => center.inbound.deliver(m)),
    center.inbound.deliver(failing),
    ...messages.slice(60).map((m) => center.inbound.deliver(m)),
  ]);

  const refused = results.filter((r) => r.status === 'rejected');
  expect(refused).toHaveLength(1);
  expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
  // Nothing of the failed receive was kept, not even its new contact.
  expect(await store.contacts.findByIdentity('test', 'rater')).toBeUndefined();
  for (const m of members) {
    const contact = await store.contacts.findByIdentity('test', m);
    const [conversation] = await store.conversations.list({ contactId: contact?.id ?? '' });
    const stored = (await store.messages.listByConversation(conversation?.id ?? ''))
      .filter((message) => message.authorKind === 'contact')
      .map((message) => message.text);
    expect(stored).toEqual([0, 1, 2, 3].map((n) => `${m} says ${n}`));
  }
  expect(created).toHaveLength(120);

  // The same events delivered again store nothing and tell nobody.
  const again = await Promise.all(messages.map((m) => center.conversations.receive(m)));
  expect(again.every((r) => !r.accepted)).toBe(true);
  expect(created).toHaveLength(120);
  await center.stop();
  await store.close();
});
