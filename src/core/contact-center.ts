import { AccessService } from './agents/access-service.ts';
import { AgentService } from './agents/agent-service.ts';
import { PresenceMonitor, type PresenceOptions } from './agents/presence-monitor.ts';
import { type BotTextOptions, BotTextService, defaultBotTextOptions } from './bot-texts/bot-text-service.ts';
import { CannedResponseService } from './canned-responses/canned-response-service.ts';
import { MacroService } from './canned-responses/macro-service.ts';
import { CaseService } from './cases/case-service.ts';
import { ContactService } from './contacts/contact-service.ts';
import { BridgeService } from './conversations/bridge-service.ts';
import {
  ConversationService,
  type ExampleProposer,
  type ReceiveResult,
} from './conversations/conversation-service.ts';
import { IdleConversations } from './conversations/idle-conversations.ts';
import type { InboundProcessingOptions } from './conversations/inbound-processing.ts';
import { InboundRetry, type InboundRetryOptions } from './conversations/inbound-retry.ts';
import { DomainError } from './errors.ts';
import { FlowRunner } from './flows/flow-runner.ts';
import { FlowService } from './flows/flow-service.ts';
import { ArticleService, type ArticleSyncOptions } from './knowledge/article-service.ts';
import { ExampleLearning } from './knowledge/example-learning.ts';
import { detectHandoff } from './knowledge/handoff-detector.ts';
import {
  ExtractiveHandoffSummarizer,
  HandoffSummaries,
  type HandoffSummarizer,
} from './knowledge/handoff-summary.ts';
import { MonitorService } from './monitor/monitor-service.ts';
import {
  type DispatcherLog,
  OutboxDispatcher,
  type OutboxDispatcherOptions,
} from './outbox/outbox-dispatcher.ts';
import { type BotOutcomeOptions, BotOutcomeService } from './outcomes/bot-outcome-service.ts';
import type { ChannelConnector } from './ports/channel-connector.ts';
import type { Clock } from './ports/clock.ts';
import type { EventBus } from './ports/event-bus.ts';
import type { HttpClient } from './ports/http-client.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import type { Store } from './ports/repositories.ts';
import type { SearchIndex } from './ports/search-index.ts';
import type { VirtualAgent } from './ports/virtual-agent.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import { QueueService } from './routing/queue-service.ts';
import { RoleRouteService } from './routing/role-routes.ts';
import { Router, type RouterOptions } from './routing/router.ts';
import { SlaService } from './sla/sla-service.ts';
import { StatsService } from './stats/stats-service.ts';
import { type WebhookOptions, WebhookService } from './webhooks/webhook-service.ts';

export interface ContactCenterDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  hasher: PasswordHasher;
  searchIndex: SearchIndex;
  /** Built from the center's article lookup, so it is given as a factory. */
  virtualAgent: VirtualAgent;
  http: HttpClient;
  /** Hand-off summaries (default: extractive, from the member's words and the bot's articles). */
  summarizer?: HandoffSummarizer;
  log?: DispatcherLog;
  /** Sends outbound webhooks; without one, deliveries are recorded and wait. */
  webhookSender?: WebhookSender;
}

export interface ContactCenterOptions {
  router: Partial<RouterOptions>;
  outbox: Partial<OutboxDispatcherOptions>;
  presence: Partial<PresenceOptions>;
  /** How often reservations are checked for time-out and failed deliveries retried. */
  tickMs: number;
  /** How the search index follows knowledge-base changes made by other processes. */
  knowledgeSync: Partial<ArticleSyncOptions>;
  /** How inbound messages whose storing failed are tried again. */
  inbound: Partial<InboundRetryOptions>;
  /** How stored inbound messages whose handling never committed (a crash in between) are handled again. */
  inboundProcessing: Partial<InboundProcessingOptions>;
  /**
   * Where the default flow's hand-off goes: `switchboard` (a queue of this desktop) or the name of a
   * bridging connector (`flex`).
   */
  handoffTarget: string;
  /** When a bot conversation the member left gets its outcome, and how often that is checked. */
  outcomes: Partial<BotOutcomeOptions>;
  /** Outbound webhooks' retries, time-outs and when a failing endpoint is disabled. */
  webhooks: Partial<WebhookOptions>;
  botTexts: BotTextOptions;
  /** Where members reach this server: links in the transcript sent to members are made absolute with it. */
  publicUrl: string | null;
}

export const defaultContactCenterOptions: ContactCenterOptions = {
  router: {},
  outbox: {},
  presence: {},
  tickMs: 1_000,
  knowledgeSync: {},
  inbound: {},
  inboundProcessing: {},
  handoffTarget: 'switchboard',
  outcomes: {},
  webhooks: {},
  botTexts: defaultBotTextOptions,
  publicUrl: null,
};

/**
 * The contact center's domain services, wired together. Connectors feed `conversations.receive`;
 * the HTTP API calls the services; `start()` runs the timers and the outbox dispatcher.
 */
export class ContactCenter {
  readonly store: Store;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly router: Router;
  readonly cases: CaseService;
  readonly contacts: ContactService;
  readonly agents: AgentService;
  readonly access: AccessService;
  readonly presence: PresenceMonitor;
  readonly queues: QueueService;
  /** Community roles (Discord's) mapped to queues and priorities. */
  readonly roleRoutes: RoleRouteService;
  readonly flows: FlowService;
  readonly articles: ArticleService;
  readonly learning: ExampleLearning;
  readonly cannedResponses: CannedResponseService;
  readonly stats: StatsService;
  readonly outcomes: BotOutcomeService;
  readonly conversations: ConversationService;
  /** Conversations handed to an outside contact center (Flex), and what comes back from it. */
  readonly bridges: BridgeService;
  /** What the member asked and what the bot suggested, for agents and bridges (Flex) at a hand-off. */
  readonly handoffSummaries: HandoffSummaries;
  /** What connectors deliver inbound messages to: `conversations.receive`, retried until stored. */
  readonly inbound: InboundRetry<ReceiveResult>;
  readonly dispatcher: OutboxDispatcher;
  /** Outbound webhooks: admins' subscriptions and their deliveries. */
  readonly webhooks: WebhookService;
  /** The bot's texts as admins edited them. */
  readonly botTexts: BotTextService;
  /** Reminders to silent members and the auto-close after them. */
  readonly idle: IdleConversations;
  /** The supervisor monitor: live conversations, who views what, internal notes. */
  readonly monitor: MonitorService;
  /** Canned responses that also set case status, priority, tags and close. */
  readonly macros: MacroService;
  /** Business hours, SLA policies and the clocks on cases. */
  readonly sla: SlaService;
  readonly connectors = new Map<string, ChannelConnector>();
  private readonly options: ContactCenterOptions;
  private readonly log: DispatcherLog;
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private ticking: Promise<unknown> | null = null;
  private replayTimer: ReturnType<typeof setInterval> | null = null;
  private outcomeTimer: ReturnType<typeof setInterval> | null = null;
  private outcomeSweep: Promise<unknown> | null = null;

  constructor(deps: ContactCenterDeps, options: Partial<ContactCenterOptions> = {}) {
    this.options = { ...defaultContactCenterOptions, ...options };
    this.log = deps.log ?? { warn: () => {} };
    const { store, bus, clock } = deps;
    this.store = store;
    this.bus = bus;
    this.clock = clock;
    this.cases = new CaseService(store, bus, clock, {
      noticeChannels: () => [...this.connectors.values()].filter((c) => c.notices).map((c) => c.channel),
      postChannels: () => [...this.connectors.values()].filter((c) => c.casePosts).map((c) => c.channel),
    });
    this.router = new Router(store, bus, clock, this.cases, this.options.router);
    this.contacts = new ContactService(store, clock);
    // An agent who is no longer there (away, offline, deactivated) loses their pending offers.
    const withdrawOffers = async (agentId: string): Promise<void> => {
      await this.router.withdrawOffers(agentId);
    };
    this.agents = new AgentService(store, bus, clock, deps.hasher, () => this.router.offer(), withdrawOffers);
    this.presence = new PresenceMonitor(store, bus, clock, withdrawOffers, this.options.presence);
    this.access = new AccessService(store, bus, clock, deps.hasher, {}, withdrawOffers);
    this.queues = new QueueService(
      store,
      clock,
      () => this.router.offer(),
      this.router.options.defaultQueueName,
    );
    this.roleRoutes = new RoleRouteService(store);
    this.flows = new FlowService(store, clock);
    this.articles = new ArticleService(store, deps.searchIndex, clock, this.options.knowledgeSync);
    this.learning = new ExampleLearning({
      proposals: store.proposals,
      articles: store.articles,
      index: deps.searchIndex,
      clock,
    });
    this.cannedResponses = new CannedResponseService(store, clock);
    this.stats = new StatsService(store, clock, () => this.router.queueStats());
    this.bridges = new BridgeService(store, bus, clock, this.cases);
    const isBridge = (name: string) => this.connectors.get(name)?.bridges === true;
    const bridgeFor = (queueName: string | null) => {
      if (queueName) return isBridge(queueName) ? queueName : null;
      const target = this.options.handoffTarget;
      return target !== 'switchboard' && isBridge(target) ? target : null;
    };
    this.outcomes = new BotOutcomeService(
      store,
      bus,
      clock,
      (input) => this.articles.create(input),
      async (id) => (await store.articles.get(id))?.title ?? null,
      this.options.outcomes,
    );
    const summarizer =
      deps.summarizer ?? new ExtractiveHandoffSummarizer({ isHandoffRequest: detectHandoff });
    this.handoffSummaries = new HandoffSummaries(store.messages, summarizer);
    // Each message's handling runs the flow through a store of its own (see ConversationService.handle).
    const runnerFor = (flowStore: Store) =>
      new FlowRunner({
        store: flowStore,
        bus,
        clock,
        router: this.router,
        cases: this.cases,
        virtualAgent: deps.virtualAgent,
        http: deps.http,
        isHandoffRequest: detectHandoff,
        bridges: new BridgeService(flowStore, bus, clock, this.cases),
        bridgeFor,
        summarizer,
        log: this.log,
      });
    this.conversations = new ConversationService(
      store,
      bus,
      clock,
      this.router,
      this.cases,
      runnerFor,
      deps.virtualAgent,
      this.quietLearning(),
      this.log,
      this.options.inboundProcessing,
      this.bridges,
    );
    this.conversations.publicUrl = this.options.publicUrl;
    this.conversations.replyCheck = async (check) =>
      (await this.connectors.get(check.conversation.channel)?.checkReply?.(check)) ?? null;
    this.inbound = new InboundRetry(
      (message) => this.conversations.receive(message),
      this.log,
      this.options.inbound,
    );
    this.monitor = new MonitorService(store, bus, clock);
    this.macros = new MacroService(store, bus, this.conversations, this.cases, this.router);
    this.sla = new SlaService(store, bus, clock);
    this.dispatcher = new OutboxDispatcher(store, this.connectors, clock, this.options.outbox, deps.log);
    this.webhooks = new WebhookService(
      store,
      bus,
      clock,
      deps.webhookSender ?? null,
      this.options.webhooks,
      deps.log,
    );
    this.botTexts = new BotTextService(store, bus, clock, this.options.botTexts);
    this.idle = new IdleConversations(store, bus, clock, this.cases);
    this.idle.publicUrl = this.options.publicUrl;
  }

  /**
   * Example learning as conversations use it: a proposal is a side effect of an answer already given, so
   * its failure never fails the conversation, but it is logged (an article that is gone is not a failure).
   */
  private quietLearning(): ExampleProposer {
    return {
      propose: (articleId, question, source, conversationId) =>
        this.learning.propose(articleId, question, source, conversationId).catch((error: unknown) => {
          if (!(error instanceof DomainError && error.kind === 'not_found'))
            this.log.warn(
              { articleId, conversationId, source, error: String(error) },
              'example question not proposed',
            );
          return undefined;
        }),
    };
  }

  /** Registers a channel's connector; the outbox delivers that channel's messages through it. */
  addConnector(connector: ChannelConnector): void {
    this.connectors.set(connector.channel, connector);
  }

  /** Starts delivering the outbox (at once when something is enqueued) and the periodic checks. */
  start(): void {
    if (this.timer) return;
    this.unsubscribe = this.bus.subscribe((event) => {
      if (event.type === 'outbox.enqueued')
        this.dispatcher
          .tick()
          .catch((error) => this.log.warn({ error: String(error) }, 'outbox tick failed'));
    });
    this.timer = setInterval(() => this.safeTick(), this.options.tickMs);
    this.safeTick();
    // Messages stored by a process that died before their flow ran are handled at start, and by a slow
    // sweep, so that an instance that died is covered by the others.
    const replay = () =>
      this.conversations
        .replayPending()
        .catch((error) => this.log.warn({ error: String(error) }, 'inbound sweep failed'));
    this.replayTimer = setInterval(replay, this.conversations.processing.sweepMs);
    void replay();
    // Bot conversations members left get their outcome (one instance at a time: a lease).
    const sweepOutcomes = () => {
      if (this.outcomeSweep) return;
      this.outcomeSweep = this.outcomes
        .sweep()
        .catch((error) => this.log.warn({ error: String(error) }, 'bot outcome sweep failed'))
        .finally(() => {
          this.outcomeSweep = null;
        });
    };
    this.outcomeTimer = setInterval(sweepOutcomes, this.outcomes.options.sweepMs);
    sweepOutcomes();
    this.webhooks.start();
    this.idle.start((error) => this.log.warn({ error: String(error) }, 'idle conversation sweep failed'));
    this.botTexts.start((error) => this.log.warn({ error: String(error) }, 'bot text edits not reloaded'));
    this.articles.startSync((error) =>
      this.log.warn({ error: String(error) }, 'knowledge-base index could not follow the change log'),
    );
  }

  private safeTick(): void {
    this.tick().catch((error) => this.log.warn({ error: String(error) }, 'periodic tick failed'));
  }

  /** One round of the periodic work: agents without a live desktop, reservation time-outs, due deliveries. */
  async tick(): Promise<void> {
    // Deliveries run beside the checks, not inside them: a send waiting for its time-out must not hold
    // back reservation time-outs. A dispatcher pass that is still running takes this call as a nudge.
    const delivering = this.dispatcher.tick();
    // Awaited below, after the checks; a rejection meanwhile (the database went away) would otherwise be
    // an unhandled rejection, which ends the process.
    delivering.catch(() => {});
    try {
      if (this.ticking) return;
      this.ticking = (async () => {
        await this.presence.sweep();
        await this.router.expireReservations();
        await this.sla.sweep();
      })();
      try {
        await this.ticking;
      } finally {
        this.ticking = null;
      }
    } finally {
      await delivering;
    }
  }

  async stop(): Promise<void> {
    this.inbound.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.replayTimer) clearInterval(this.replayTimer);
    this.replayTimer = null;
    if (this.outcomeTimer) clearInterval(this.outcomeTimer);
    this.outcomeTimer = null;
    await this.outcomeSweep;
    await this.conversations.stopReplay();
    await this.articles.stopSync();
    await this.webhooks.stop();
    this.botTexts.stop();
    await this.idle.stop();
    await this.ticking;
    await this.dispatcher.tick();
  }
}
