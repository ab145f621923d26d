import { ContactCenter, type ContactCenterOptions } from '../../src/core/contact-center.ts';
import type { HandoffSummarizer } from '../../src/core/knowledge/handoff-summary.ts';
import { KnowledgeVirtualAgent } from '../../src/core/knowledge/knowledge-virtual-agent.ts';
import type { Agent, AgentRole, Presence } from '../../src/core/model.ts';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { Store } from '../../src/core/ports/repositories.ts';
import type { VirtualAgent } from '../../src/core/ports/virtual-agent.ts';
import { ScryptPasswordHasher } from '../../src/http/auth/scrypt-password-hasher.ts';
import { FetchHttpClient } from '../../src/net/fetch-http-client.ts';
import { FetchWebhookSender } from '../../src/net/fetch-webhook-sender.ts';
import { InProcessEventBus } from '../../src/pubsub/in-process-event-bus.ts';
import { Bm25SearchIndex } from '../../src/search/bm25-search-index.ts';
import { openStore } from '../../src/storage/kysely-store.ts';
import { TestConnector } from './test-connector.ts';

export interface TestCenter {
  center: ContactCenter;
  store: Store;
  clock: ManualClock;
  connector: TestConnector;
  bus: InProcessEventBus;
  /** Creates an agent (password `correct horse battery`) with the given presence. */
  agent(
    email: string,
    options?: { presence?: Presence; role?: AgentRole; capacity?: number; skills?: string[]; name?: string },
  ): Promise<Agent>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery';

/**
 * A whole contact center on an in-memory SQLite database (real storage, real search index, real
 * virtual agent) with a manual clock and a `test` channel connector. Nothing runs in the background:
 * tests call `center.dispatcher.tick()` / `router.expireReservations()` themselves, unless they `start()`.
 */
export async function createTestCenter(
  options: {
    url?: string;
    centerOptions?: Partial<ContactCenterOptions>;
    clock?: ManualClock;
    /** Wraps the knowledge-base virtual agent (say, as a model that falls back to it would). */
    virtualAgent?: (knowledge: VirtualAgent) => VirtualAgent;
    /** Hand-off summaries (default: the extractive ones). */
    summarizer?: HandoffSummarizer;
    /** Told of every SQL statement the store runs (counting them). */
    onStatement?: (sql: string) => void;
  } = {},
): Promise<TestCenter> {
  const store = await openStore({
    url: options.url ?? ':memory:',
    ...(options.onStatement ? { onStatement: options.onStatement } : {}),
  });
  const bus = new InProcessEventBus();
  const clock = options.clock ?? new ManualClock('2026-03-01T09:00:00.000Z');
  const searchIndex = new Bm25SearchIndex();
  const center = new ContactCenter(
    {
      store,
      bus,
      clock,
      hasher: new ScryptPasswordHasher({ cost: 1024 }),
      searchIndex,
      virtualAgent: (options.virtualAgent ?? ((agent) => agent))(
        new KnowledgeVirtualAgent(searchIndex, store.articles),
      ),
      http: new FetchHttpClient(),
      webhookSender: new FetchWebhookSender(),
      ...(options.summarizer ? { summarizer: options.summarizer } : {}),
    },
    options.centerOptions,
  );
  const connector = new TestConnector();
  center.addConnector(connector);
  await connector.start(async (message) => {
    await center.conversations.receive(message);
  });
  return {
    center,
    store,
    clock,
    connector,
    bus,
    async agent(email, opts = {}) {
      const created = await center.agents.create({
        email,
        name: opts.name ?? email.split('@')[0]!,
        role: opts.role ?? 'agent',
        capacity: opts.capacity ?? 3,
        skills: opts.skills ?? [],
        password: TEST_PASSWORD,
      });
      return opts.presence ? center.agents.setPresence(created.id, opts.presence) : created;
    },
    async close() {
      await center.stop();
      await store.close();
    },
  };
}
