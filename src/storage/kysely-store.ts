import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type Kysely } from 'kysely';
import type { BotTextRepository } from '../core/ports/bot-text-repository.ts';
import type { ExportRepository } from '../core/ports/export-repository.ts';
import type {
  AgentViewingRepository,
  ConversationNoteRepository,
} from '../core/ports/monitor-repositories.ts';
import type {
  AgentRepository,
  AnnouncementRepository,
  ApiTokenRepository,
  ArticleRepository,
  BotOutcomeRepository,
  CannedResponseRepository,
  CaseRepository,
  ChannelOptOutRepository,
  ChannelReceiptRepository,
  ContactRepository,
  ConversationRepository,
  ExampleProposalRepository,
  FlowRepository,
  LeaseRepository,
  MessageRepository,
  OutboxRepository,
  QueueRepository,
  Repositories,
  ReservationRepository,
  SessionRepository,
  SettingRepository,
  Store,
  WebchatVisitorRepository,
} from '../core/ports/repositories.ts';
import type { RetentionRepository } from '../core/ports/retention-repository.ts';
import type { SearchRepository } from '../core/ports/search-repository.ts';
import type { SlaRepository } from '../core/ports/sla-repository.ts';
import type { WebhookRepository } from '../core/ports/webhook-repository.ts';
import { KyselyAgentRepository } from './agent-repository.ts';
import { KyselyAnnouncementRepository } from './announcement-repository.ts';
import { KyselyApiTokenRepository } from './api-token-repository.ts';
import { KyselyArticleRepository } from './article-repository.ts';
import { KyselyBotOutcomeRepository } from './bot-outcome-repository.ts';
import { KyselyBotTextRepository } from './bot-text-repository.ts';
import { KyselyCannedResponseRepository } from './canned-response-repository.ts';
import { KyselyCaseRepository } from './case-repository.ts';
import {
  KyselyChannelOptOutRepository,
  KyselyChannelReceiptRepository,
} from './channel-receipt-repository.ts';
import { KyselyContactRepository } from './contact-repository.ts';
import { KyselyConversationRepository } from './conversation-repository.ts';
import {
  createDatabase,
  type Database,
  type DatabaseOptions,
  type Engine,
  engineOf,
  openDirectStatements,
} from './database.ts';
import { type DbScope, executeCompiled } from './db-scope.ts';
import { KyselyExampleProposalRepository } from './example-proposal-repository.ts';
import { KyselyExportRepository } from './export-repository.ts';
import { KyselyFlowRepository } from './flow-repository.ts';
import { KyselyLeaseRepository } from './lease-repository.ts';
import { KyselyMessageRepository } from './message-repository.ts';
import { migrateToLatest } from './migrations/migrate-to-latest.ts';
import { KyselyAgentViewingRepository, KyselyConversationNoteRepository } from './monitor-repositories.ts';
import { KyselyOutboxRepository } from './outbox-repository.ts';
import { KyselyQueueRepository } from './queue-repository.ts';
import { KyselyReservationRepository } from './reservation-repository.ts';
import { KyselyRetentionRepository } from './retention-repository.ts';
import { KyselySearchRepository } from './search-repository.ts';
import { KyselySessionRepository } from './session-repository.ts';
import { KyselySettingRepository } from './setting-repository.ts';
import { KyselySlaRepository } from './sla-repository.ts';
import { KyselyWebchatVisitorRepository } from './webchat-visitor-repository.ts';
import { forgetSubscriptionReads, KyselyWebhookRepository } from './webhook-repository.ts';

/** A grouped transaction waiting for its group's commit. */
interface GroupedWork {
  work: (tx: Repositories) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The most grouped transactions one commit takes; the rest wait for the next. */
const MAX_GROUP = 256;

// Compiled once: every grouped transaction runs two of them.
const savepoint = CompiledQuery.raw('savepoint grouped');
const release = CompiledQuery.raw('release grouped');
const rollbackTo = CompiledQuery.raw('rollback to grouped');

/** The transaction running in the current async context, while it is still open. */
interface ActiveTransaction {
  store: KyselyStore;
  open: boolean;
}

/**
 * The `Store` over Kysely, for SQLite and PostgreSQL alike.
 *
 * `transaction(work)` gives `work` a store bound to the transaction; calling `transaction` on that
 * store reuses it. Calls that reach the root store from inside a running transaction's async
 * context (say, an event handler that captured the root store) join that transaction too: on
 * SQLite's single connection they would otherwise wait for it forever, and on PostgreSQL they
 * would escape its atomicity. Once the transaction has finished they go to the root again.
 */
export class KyselyStore implements Store {
  readonly engine: Engine;
  readonly contacts: ContactRepository;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly cases: CaseRepository;
  readonly agents: AgentRepository;
  readonly queues: QueueRepository;
  readonly reservations: ReservationRepository;
  readonly outbox: OutboxRepository;
  readonly articles: ArticleRepository;
  readonly flows: FlowRepository;
  readonly sessions: SessionRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly settings: SettingRepository;
  readonly proposals: ExampleProposalRepository;
  readonly cannedResponses: CannedResponseRepository;
  readonly announcements: AnnouncementRepository;
  readonly webchatVisitors: WebchatVisitorRepository;
  readonly channelReceipts: ChannelReceiptRepository;
  readonly channelOptOuts: ChannelOptOutRepository;
  readonly leases: LeaseRepository;
  readonly botOutcomes: BotOutcomeRepository;
  readonly webhooks: WebhookRepository;
  readonly search: SearchRepository;
  readonly exports: ExportRepository;
  readonly retention: RetentionRepository;
  readonly botTexts: BotTextRepository;
  readonly conversationNotes: ConversationNoteRepository;
  readonly agentViewing: AgentViewingRepository;
  readonly sla: SlaRepository;

  readonly #db: Kysely<Database>;
  readonly #context: AsyncLocalStorage<ActiveTransaction>;
  /** Grouped transactions waiting for the next group commit (SQLite only). */
  #waiting: GroupedWork[] = [];
  /** The group being committed, if any; the next one starts when it ends. */
  #committing: Promise<void> | null = null;
  #scheduled = false;

  constructor(
    db: Kysely<Database>,
    engine: Engine = engineOf(db),
    context = new AsyncLocalStorage<ActiveTransaction>(),
  ) {
    this.#db = db;
    this.engine = engine;
    this.#context = context;
    const scope: DbScope = {
      get db() {
        if (db.isTransaction) return db;
        const active = context.getStore();
        return active?.open ? active.store.#db : db;
      },
    };
    this.contacts = new KyselyContactRepository(scope);
    this.conversations = new KyselyConversationRepository(scope);
    this.messages = new KyselyMessageRepository(scope);
    this.cases = new KyselyCaseRepository(scope);
    this.agents = new KyselyAgentRepository(scope);
    this.queues = new KyselyQueueRepository(scope);
    this.reservations = new KyselyReservationRepository(scope);
    this.outbox = new KyselyOutboxRepository(scope);
    this.articles = new KyselyArticleRepository(scope);
    this.flows = new KyselyFlowRepository(scope);
    this.sessions = new KyselySessionRepository(scope);
    this.apiTokens = new KyselyApiTokenRepository(scope);
    this.settings = new KyselySettingRepository(scope);
    this.proposals = new KyselyExampleProposalRepository(scope);
    this.cannedResponses = new KyselyCannedResponseRepository(scope);
    this.announcements = new KyselyAnnouncementRepository(scope);
    this.webchatVisitors = new KyselyWebchatVisitorRepository(scope);
    this.channelReceipts = new KyselyChannelReceiptRepository(scope);
    this.channelOptOuts = new KyselyChannelOptOutRepository(scope);
    this.leases = new KyselyLeaseRepository(scope);
    this.botOutcomes = new KyselyBotOutcomeRepository(scope);
    this.webhooks = new KyselyWebhookRepository(scope);
    this.search = new KyselySearchRepository(scope);
    this.exports = new KyselyExportRepository(scope);
    this.retention = new KyselyRetentionRepository(scope);
    this.botTexts = new KyselyBotTextRepository(scope);
    this.conversationNotes = new KyselyConversationNoteRepository(scope);
    this.agentViewing = new KyselyAgentViewingRepository(scope);
    this.sla = new KyselySlaRepository(scope);
  }

  /** The Kysely instance, for tooling (CLI, health checks). Repositories are the way to data. */
  get db(): Kysely<Database> {
    return this.#db;
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this);
    const active = this.#context.getStore();
    if (active?.open) return work(active.store);
    return this.#db.transaction().execute(async (trx) => {
      const bound: ActiveTransaction = {
        store: new KyselyStore(trx, this.engine, this.#context),
        open: true,
      };
      const closeDirect = openDirectStatements(this.#db, trx);
      try {
        return await this.#context.run(bound, () => work(bound.store));
      } finally {
        bound.open = false;
        closeDirect();
      }
    });
  }

  groupedTransaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    // PostgreSQL runs concurrent transactions side by side on its pool: nothing to group.
    if (this.engine !== 'sqlite' || this.#db.isTransaction) return this.transaction(work);
    const active = this.#context.getStore();
    if (active?.open) return work(active.store);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * The next group starts once the current one has committed, on the next turn of the event loop, so that
   * the receives of events that arrived together (one gateway read) share it.
   */
  #schedule(): void {
    if (this.#scheduled || this.#committing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#committing = this.#commitGroup().finally(() => {
        this.#committing = null;
        if (this.#waiting.length > 0) this.#schedule();
      });
    });
  }

  async #commitGroup(): Promise<void> {
    const group = this.#waiting.splice(0, MAX_GROUP);
    const [only] = group;
    if (group.length === 1 && only) {
      await this.transaction(only.work).then(only.resolve, only.reject);
      return;
    }
    const done: Array<{ item: GroupedWork; value: unknown }> = [];
    try {
      await this.transaction(async (tx) => {
        const db = (tx as KyselyStore).#db;
        for (const item of group) {
          await executeCompiled(db, savepoint);
          try {
            const value = await item.work(tx);
            await executeCompiled(db, release);
            done.push({ item, value });
          } catch (error) {
            // This one's writes go; the group's other work stays and commits.
            await executeCompiled(db, rollbackTo);
            await executeCompiled(db, release);
            forgetSubscriptionReads(db);
            item.reject(error);
          }
        }
      });
    } catch (error) {
      // The commit failed: nothing of the group is stored, and every caller hears so (and may retry).
      for (const { item } of done) item.reject(error);
      return;
    }
    for (const { item, value } of done) item.resolve(value);
  }

  async close(): Promise<void> {
    if (this.#db.isTransaction) throw new Error('close() the root store, not a transaction-bound one');
    while (this.#committing || this.#scheduled) await (this.#committing ?? new Promise(setImmediate));
    await this.#db.destroy();
  }
}

export interface OpenStoreOptions extends DatabaseOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/** Opens the database named by `url` (default: `<dataDir>/switchboard.db`), migrates it and returns the store. */
export async function openStore(options: OpenStoreOptions = {}): Promise<KyselyStore> {
  const db = createDatabase(options);
  try {
    if (options.migrate ?? true) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db);
}
