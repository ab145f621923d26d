import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { ScryptPasswordHasher } from '../../http/auth/scrypt-password-hasher.ts';
import { FetchHttpClient } from '../../net/fetch-http-client.ts';
import { InProcessEventBus } from '../../pubsub/in-process-event-bus.ts';
import { Bm25SearchIndex } from '../../search/bm25-search-index.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { ContactCenter, type ContactCenterOptions } from '../contact-center.ts';
import type { InboundMessage } from '../ports/channel-connector.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import type { VirtualAgent, VirtualAgentReply, VirtualAgentRequest } from '../ports/virtual-agent.ts';
import { defaultInboundProcessingOptions } from './inbound-processing.ts';

/**
 * Stored but not yet handled: a contact's message whose flow never committed (the process died, stalled
 * or failed in between) is handled again, once, and a conversation's messages are answered in order.
 * Each "instance" is a ContactCenter on its own store, all on one SQLite file.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A virtual agent that answers "answer to: <question>"; it can be held (a slow model) or fail. */
class ScriptedAgent implements VirtualAgent {
  questions: string[] = [];
  failing: (text: string) => boolean = () => false;
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** Every reply from now on waits until `letGo()`. */
  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  letGo(): void {
    this.release?.();
    this.held = null;
  }
  async reply(request: VirtualAgentRequest): Promise<VirtualAgentReply> {
    this.questions.push(request.text);
    if (this.held) await this.held;
    if (this.failing(request.text)) throw new Error('model endpoint down');
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

interface Instance {
  center: ContactCenter;
  store: Store;
  agent: ScriptedAgent;
  logged: { level: 'warn' | 'error'; message: string; context: Record<string, unknown> }[];
}

const open: Instance[] = [];
let database = '';
let counter = 0;
const clock = new ManualClock('2026-03-01T09:00:00.000Z');

/** A fresh database for the test; instances made after this share it. */
function freshDatabase(): void {
  counter += 1;
  database = path.join(dir, `replay-${counter}.db`);
}

async function instance(options: Partial<ContactCenterOptions> = {}): Promise<Instance> {
  const store = await openStore({ url: database });
  const agent = new ScriptedAgent();
  const logged: Instance['logged'] = [];
  const center = new ContactCenter(
    {
      store,
      bus: new InProcessEventBus(),
      clock,
      hasher: new ScryptPasswordHasher({ cost: 1024 }),
      searchIndex: new Bm25SearchIndex(),
      virtualAgent: agent,
      http: new FetchHttpClient(),
      log: {
        warn: (context, message) => logged.push({ level: 'warn', message, context }),
        error: (context, message) => logged.push({ level: 'error', message, context }),
      },
    },
    { inbound: { initialDelayMs: 10, maxDelayMs: 50 }, ...options },
  );
  const made = { center, store, agent, logged };
  open.push(made);
  return made;
}

afterEach(async () => {
  for (const { center, store, agent } of open.splice(0)) {
    agent.letGo();
    await center.stop();
    await store.close();
  }
});

const lease = defaultInboundProcessingOptions.leaseMs;
let sequence = 0;
const dm = (from: string, text: string): InboundMessage => {
  sequence += 1;
  return {
    channel: 'test',
    externalId: `dm-${sequence}`,
    contact: { externalId: from, name: from },
    address: { to: from },
    text,
    receivedAt: clock.now().toISOString(),
  };
};

/** The conversation's messages as `contact: …` / `bot: …` lines, oldest first. */
async function transcriptOf(store: Store, from: string): Promise<string[]> {
  const contact = await store.contacts.findByIdentity('test', from);
  if (!contact) return [];
  const [conversation] = await store.conversations.list({ contactId: contact.id });
  if (!conversation) return [];
  const messages = await store.messages.listByConversation(conversation.id);
  return messages.map((m) => `${m.authorKind}: ${m.text}`);
}

/** Lets the stalled handling go on and waits for it; what it tried to commit is refused. */
async function finishStalled(stalled: Instance, handling: Promise<unknown>): Promise<void> {
  stalled.agent.letGo();
  await handling;
}

/** Messages left by an instance that stalled, swept by three others at once: each answered once. */
async function sweepTogether(): Promise<void> {
  const died = await instance();
  died.agent.hold();
  const members = Array.from({ length: 12 }, (_, i) => `m3-${i}`);
  const stalled = members.map((m) => died.center.conversations.receive(dm(m, `question of ${m}`)));
  await eventually('every message stored', async () => {
    const counts = await Promise.all(members.map((m) => transcriptOf(died.store, m)));
    return counts.every((t) => t.length === 1);
  });
  const others = await Promise.all([instance(), instance(), instance()]);
  clock.advance(lease + 1);
  const handled = await Promise.all(others.map((o) => o.center.conversations.replayPending()));
  expect(handled.reduce((a, b) => a + b, 0)).toBe(12);
  for (const m of members) {
    expect(await transcriptOf(others[0]!.store, m)).toEqual([
      `contact: question of ${m}`,
      `bot: answer to: question of ${m}`,
    ]);
  }
  died.agent.letGo();
  await Promise.all(stalled);
  for (const m of members) expect(await transcriptOf(others[0]!.store, m)).toHaveLength(2);
}

describe('a message stored whose handling never finished', () => {
  it('is answered once by the next instance to start, after the claim of the one that died ran out', async () => {
    freshDatabase();
    const died = await instance();
    died.agent.hold();
    // Stored and claimed; the flow waits on the model when the process "dies".
    const stalled = died.center.conversations.receive(dm('m1', 'where is my order?'));
    await eventually('the message stored', async () => (await transcriptOf(died.store, 'm1')).length === 1);

    const next = await instance();
    expect(await next.center.conversations.replayPending()).toBe(0);
    clock.advance(lease + 1);
    expect(await next.center.conversations.replayPending()).toBe(1);
    expect(await transcriptOf(next.store, 'm1')).toEqual([
      'contact: where is my order?',
      'bot: answer to: where is my order?',
    ]);
    expect(next.logged.map((l) => l.message)).toContain(
      'inbound message handled after its first handling did not finish',
    );

    // The first instance was only stalled: its late answer is refused, nothing is doubled.
    await finishStalled(died, stalled);
    expect(died.logged.map((l) => l.message)).toContain(
      'inbound message taken over by another instance; this one stopped handling it',
    );
    clock.advance(lease + 1);
    expect(await next.center.conversations.replayPending()).toBe(0);
    expect(await transcriptOf(next.store, 'm1')).toEqual([
      'contact: where is my order?',
      'bot: answer to: where is my order?',
    ]);
    const [conversation] = await next.store.conversations.list({});
    expect(await next.store.outbox.listByConversation(conversation!.id)).toHaveLength(1);
  });

  it("keeps the member's order: a later message waits for the one that was interrupted", async () => {
    freshDatabase();
    const died = await instance();
    died.agent.hold();
    const stalled = died.center.conversations.receive(dm('m2', 'first question'));
    await eventually(
      'the first message stored',
      async () => (await transcriptOf(died.store, 'm2')).length === 1,
    );

    const next = await instance();
    const later = await next.center.conversations.receive(dm('m2', 'second question'));
    expect(later.accepted).toBe(true);
    // Not answered before the first one.
    expect(next.agent.questions).toEqual([]);
    clock.advance(lease + 1);
    expect(await next.center.conversations.replayPending()).toBe(2);
    expect(next.agent.questions).toEqual(['first question', 'second question']);
    expect(await transcriptOf(next.store, 'm2')).toEqual([
      'contact: first question',
      'contact: second question',
      'bot: answer to: first question',
      'bot: answer to: second question',
    ]);
    await finishStalled(died, stalled);
  });

  it('is answered once when several instances sweep at the same time', async () => {
    freshDatabase();
    await sweepTogether();
  });

  it('is swept at start', async () => {
    freshDatabase();
    const died = await instance();
    died.agent.hold();
    const stalled = died.center.conversations.receive(dm('m4', 'are you there?'));
    await eventually('the message stored', async () => (await transcriptOf(died.store, 'm4')).length === 1);
    clock.advance(lease + 1);
    const next = await instance();
    next.center.start();
    await eventually('the answer', async () => (await transcriptOf(next.store, 'm4')).length === 2);
    expect(await transcriptOf(next.store, 'm4')).toEqual([
      'contact: are you there?',
      'bot: answer to: are you there?',
    ]);
    await finishStalled(died, stalled);
  });
});

describe("a flow's first answer", () => {
  let hanging: Server | undefined;
  afterEach(async () => {
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve) ?? resolve(undefined));
    hanging = undefined;
  });

  it('marks the message processed in its own transaction: a crash after it never answers twice', async () => {
    freshDatabase();
    // A lookup that never answers (until the test ends), after the flow's first answer.
    const held: ServerResponse[] = [];
    hanging = createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/crm`;
    const died = await instance();
    await died.center.flows.saveActive({
      name: 'look it up',
      definition: {
        initial: 'start',
        states: [
          { name: 'start', type: 'trigger', next: 'thanks' },
          { name: 'thanks', type: 'send-message', text: 'Thanks, let me look that up.', next: 'lookup' },
          { name: 'lookup', type: 'http-request', method: 'GET', url, timeoutMs: 60_000, next: 'bot' },
          { name: 'bot', type: 'virtual-agent' },
        ],
      },
    });
    const stalled = died.center.conversations.receive(dm('m7', 'my order?'));
    await eventually('the first answer', async () => (await transcriptOf(died.store, 'm7')).length === 2);
    await eventually('the lookup under way', () => held.length === 1);

    const next = await instance();
    clock.advance(lease + 1);
    expect(await next.center.conversations.replayPending()).toBe(0);
    expect(await transcriptOf(next.store, 'm7')).toEqual([
      'contact: my order?',
      'bot: Thanks, let me look that up.',
    ]);
    // The instance was only slow: its flow goes on once the lookup fails, and finishes once.
    for (const res of held) res.writeHead(503).end();
    await stalled;
    expect(await transcriptOf(next.store, 'm7')).toEqual([
      'contact: my order?',
      'bot: Thanks, let me look that up.',
      'bot: answer to: my order?',
    ]);
  });
});

describe('a handling that fails', () => {
  it('is tried again until it succeeds, and the member is answered once', async () => {
    freshDatabase();
    const one = await instance();
    let failures = 2;
    one.agent.failing = () => failures-- > 0;
    // As a connector delivers: a failure is retried (the message is stored already).
    await one.center.inbound.deliver(dm('m5', 'can you help?'));
    expect(one.agent.questions).toEqual(['can you help?', 'can you help?', 'can you help?']);
    expect(await transcriptOf(one.store, 'm5')).toEqual([
      'contact: can you help?',
      'bot: answer to: can you help?',
    ]);
    clock.advance(lease + 1);
    expect(await one.center.conversations.replayPending()).toBe(0);
  });

  it('is given up after the last attempt, logged at error, and the conversation goes on', async () => {
    freshDatabase();
    const one = await instance({ inboundProcessing: { maxAttempts: 3 } });
    one.agent.failing = (text) => text === 'poison';
    await expect(one.center.conversations.receive(dm('m6', 'poison'))).rejects.toThrow('model endpoint down');
    for (let sweep = 0; sweep < 3; sweep += 1) {
      clock.advance(lease + 1);
      await one.center.conversations.replayPending();
    }
    expect(one.agent.questions).toEqual(['poison', 'poison', 'poison']);
    expect(one.logged.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'inbound message given up: its handling failed',
    ]);
    await one.center.conversations.receive(dm('m6', 'hello again'));
    expect(await transcriptOf(one.store, 'm6')).toEqual([
      'contact: poison',
      'contact: hello again',
      'bot: answer to: hello again',
    ]);
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) console.log('Skipping the PostgreSQL inbound replay test: TEST_DATABASE_URL is not set');

describe.skipIf(!postgresUrl)('on PostgreSQL', () => {
  const schema = `switchboard_replay_${randomUUID().replaceAll('-', '')}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  afterAll(() => admin(`drop schema if exists "${schema}" cascade`));

  it('a message left by a stalled instance is answered once when several instances sweep at once', async () => {
    await admin(`create schema "${schema}"`);
    const url = new URL(postgresUrl ?? '');
    url.searchParams.set('options', `-c search_path=${schema}`);
    database = url.toString();
    await sweepTogether();
  });
});
