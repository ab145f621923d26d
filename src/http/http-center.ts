import type { AccessService } from '../core/agents/access-service.ts';
import type { AgentService } from '../core/agents/agent-service.ts';
import type { PresenceMonitor } from '../core/agents/presence-monitor.ts';
import type { BotTextService } from '../core/bot-texts/bot-text-service.ts';
import type { CannedResponseService } from '../core/canned-responses/canned-response-service.ts';
import type { MacroService } from '../core/canned-responses/macro-service.ts';
import type { CaseService } from '../core/cases/case-service.ts';
import type { ContactService } from '../core/contacts/contact-service.ts';
import type { ConversationService } from '../core/conversations/conversation-service.ts';
import type { IdleConversations } from '../core/conversations/idle-conversations.ts';
import type { FlowService } from '../core/flows/flow-service.ts';
import type { ArticleService } from '../core/knowledge/article-service.ts';
import type { ExampleLearning } from '../core/knowledge/example-learning.ts';
import type { MonitorService } from '../core/monitor/monitor-service.ts';
import type { BotOutcomeService } from '../core/outcomes/bot-outcome-service.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventBus } from '../core/ports/event-bus.ts';
import type { Store } from '../core/ports/repositories.ts';
import type { QueueService } from '../core/routing/queue-service.ts';
import type { RoleRouteService } from '../core/routing/role-routes.ts';
import type { Router } from '../core/routing/router.ts';
import type { SlaService } from '../core/sla/sla-service.ts';
import type { StatsService } from '../core/stats/stats-service.ts';
import type { WebhookService } from '../core/webhooks/webhook-service.ts';

/**
 * What the HTTP layer needs of the ContactCenter (`src/core/contact-center.ts`): a structural subset,
 * so that the API depends on the service calls it makes and nothing else.
 */
export interface HttpCenter {
  store: Store;
  bus: EventBus;
  clock: Clock;
  agents: Pick<AgentService, 'create' | 'update' | 'setPresence' | 'get' | 'list'>;
  /** Sign-in, sessions, API tokens, passwords, deactivation: the HTTP layer stores none of it itself. */
  access: Pick<
    AccessService,
    | 'signIn'
    | 'signOut'
    | 'identifySession'
    | 'identifyApiToken'
    | 'stands'
    | 'mintToken'
    | 'listTokens'
    | 'getToken'
    | 'revokeToken'
    | 'changePassword'
    | 'setPassword'
    | 'setStatus'
  >;
  /** Heartbeats of live desktops (the realtime socket); presence follows them. */
  presence: Pick<PresenceMonitor, 'heartbeat' | 'options'>;
  contacts: Pick<ContactService, 'get' | 'list' | 'memberContexts'>;
  conversations: Pick<ConversationService, 'get' | 'list' | 'transcript' | 'reply' | 'wrapUp' | 'close'>;
  router: Pick<Router, 'accept' | 'reject' | 'transfer' | 'queueStats' | 'queuePosition'>;
  cases: Pick<
    CaseService,
    'create' | 'update' | 'addNote' | 'get' | 'getByNumber' | 'list' | 'timeline' | 'merge'
  >;
  queues: Pick<
    QueueService,
    'list' | 'get' | 'create' | 'update' | 'delete' | 'handoffQueue' | 'setHandoffQueue'
  >;
  roleRoutes: Pick<RoleRouteService, 'list' | 'replace'>;
  flows: Pick<FlowService, 'validate' | 'saveActive' | 'list' | 'getActive'>;
  learning: Pick<ExampleLearning, 'approve' | 'reject'>;
  articles: Pick<ArticleService, 'list' | 'get' | 'create' | 'update' | 'delete' | 'search'>;
  cannedResponses: Pick<CannedResponseService, 'list' | 'get' | 'create' | 'update' | 'delete'>;
  stats: Pick<StatsService, 'figures'>;
  outcomes: Pick<BotOutcomeService, 'figures' | 'unanswered' | 'draftArticle'>;
  webhooks: Pick<
    WebhookService,
    'list' | 'get' | 'create' | 'update' | 'rotateSecret' | 'delete' | 'deliveries' | 'redeliver' | 'notices'
  >;
  botTexts: Pick<BotTextService, 'list' | 'set' | 'reset'>;
  idle: Pick<IdleConversations, 'settings' | 'saveSettings'>;
  monitor: Pick<MonitorService, 'snapshot' | 'addNote' | 'notes' | 'reportViewing' | 'endViewing'>;
  macros: Pick<MacroService, 'apply'>;
  sla: Pick<
    SlaService,
    | 'getHours'
    | 'setHours'
    | 'clearHours'
    | 'openingOf'
    | 'listPolicies'
    | 'setPolicy'
    | 'deletePolicy'
    | 'active'
    | 'caseTimers'
    | 'breaches'
    | 'attainment'
  >;
}
