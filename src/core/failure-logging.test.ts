import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestConnector } from '../../test/support/test-connector.ts';
import { ScryptPasswordHasher } from '../http/auth/scrypt-password-hasher.ts';
import { FetchHttpClient } from '../net/fetch-http-client.ts';
import { InProcessEventBus } from '../pubsub/in-process-event-bus.ts';
import { Bm25SearchIndex } from '../search/bm25-search-index.ts';
import { type KyselyStore, openStore } from '../storage/kysely-store.ts';
import { ContactCenter } from './contact-center.ts';
import { KnowledgeVirtualAgent } from './knowledge/knowledge-virtual-agent.ts';
import { ManualClock } from './ports/clock.ts';

/** Failures the contact does not see (the flow or the conversation goes on) still reach the log. */
let store: KyselyStore;
let center: ContactCenter;
let connector: TestConnector;
let logged: { context: Record<string, unknown>; message: string }[];
const clock = new ManualClock('2026-03-01T09:00:00.000Z');

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  const searchIndex = new Bm25SearchIndex();
  logged = [];
  center = new ContactCenter({
    store,
    bus: new InProcessEventBus(),
    clock,
    hasher: new ScryptPasswordHasher({ cost: 1024 }),
    searchIndex,
    virtualAgent: new KnowledgeVirtualAgent(searchIndex, store.articles),
    http: new FetchHttpClient(),
    log: { warn: (context, message) => logged.push({ context, message }) },
  });
  connector = new TestConnector();
  center.addConnector(connector);
  await connector.start(async (message) => {
    await center.conversations.receive(message);
  });
  await center.articles.create({
    id: 'reset-password',
    title: 'Reset your password',
    body: 'Open Settings, choose Account, then Reset password. A link arrives by email within a minute.',
    examples: ['I forgot my password', 'how do I change my password', 'cannot log in password'],
  });
});
afterEach(async () => {
  await center.stop();
  await store.close();
});

describe("a flow's HTTP step that fails", () => {
  let server: Server;
  let base: string;
  beforeEach(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 503;
      res.end('down for maintenance');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const flowCalling = (url: string) =>
    center.flows.saveActive({
      name: 'CRM lookup',
      definition: {
        initial: 'start',
        states: [
          { name: 'start', type: 'trigger', next: 'lookup' },
          { name: 'lookup', type: 'http-request', method: 'GET', url, next: 'bot', onFailure: 'sorry' },
          { name: 'sorry', type: 'send-message', text: 'Our records are unavailable.', next: 'bot' },
          { name: 'bot', type: 'virtual-agent' },
        ],
      },
    });

  it('logs the answer status with the step and conversation, without the query string', async () => {
    await flowCalling(`${base}/crm?api_key=s3cret-key`);
    await connector.receive({ from: 'm1', text: 'I forgot my password' });
    await center.dispatcher.tick();
    expect(connector.textsTo('m1')[0]).toBe('Our records are unavailable.');
    const [conversation] = await store.conversations.list({});
    expect(logged).toEqual([
      {
        message: 'flow HTTP request failed',
        context: {
          state: 'lookup',
          url: `${base}/crm`,
          conversationId: conversation!.id,
          reason: 'answered 503',
        },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('s3cret-key');
  });

  it('logs a request that never got an answer', async () => {
    const closed = base;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await flowCalling(`${closed}/crm`);
    await connector.receive({ from: 'm2', text: 'I forgot my password' });
    await center.dispatcher.tick();
    expect(connector.textsTo('m2')[0]).toBe('Our records are unavailable.');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      message: 'flow HTTP request failed',
      context: { state: 'lookup', url: `${closed}/crm`, reason: expect.any(String) },
    });
    expect(logged[0]!.context.reason).not.toBe('');
  });
});

describe('an example question that cannot be stored', () => {
  it('is logged, and the member still gets the answer to "This solved it"', async () => {
    await connector.receive({ from: 'm3', text: 'how do I change my password please' });
    await center.dispatcher.tick();
    expect(connector.sent[0]!.articles[0]!.id).toBe('reset-password');
    // The proposals table is gone (a failed migration, a broken disk): storing a proposal fails.
    await sql`drop table example_proposals`.execute(store.db);
    clock.advance(60_000);
    await connector.receive({ from: 'm3', text: 'This solved it', action: 'resolved' });
    await center.dispatcher.tick();
    expect(connector.sent).toHaveLength(2);
    expect(logged).toEqual([
      {
        message: 'example question not proposed',
        context: expect.objectContaining({ articleId: 'reset-password', source: 'resolved' }),
      },
    ]);
    expect(String(logged[0]!.context.error)).toMatch(/example_proposals/);
  });
});
