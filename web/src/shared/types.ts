// The API speaks the core vocabulary; the desktop reuses its types (erased at build time).

export type { DiscordServer } from '../../../src/channels/discord/discord-connector.ts';
export type {
  Article,
  CannedResponse,
  Case,
  ChannelStatusReport,
  Contact,
  Conversation,
  MemberContext,
  Message,
  MessageAction,
  Queue,
  Reservation,
  ServerRef,
  SuggestedArticle,
  TimelineEntry,
} from '../../../src/core/model.ts';
export type { RoleRoute } from '../../../src/core/routing/role-routes.ts';

import type {
  Agent,
  ApiToken,
  Case,
  Conversation,
  Message,
  MessageDelivery,
  Reservation,
  TimelineEntry,
} from '../../../src/core/model.ts';
import type { AgentViewing, ConversationNote } from '../../../src/core/monitor/monitor.ts';

import type { AdminNotice } from '../../../src/core/ports/event-bus.ts';
import type { SlaTimer } from '../../../src/core/sla/sla.ts';

export type PublicAgent = Omit<Agent, 'passwordHash'>;

/** An API token as `GET /api/v1/auth/tokens` lists it (its secret is shown only once, when created). */
export type PublicApiToken = Omit<ApiToken, 'tokenHash'>;

/** What the realtime WebSocket pushes (src/http/realtime.ts, WireEvent). */
export type WireEvent =
  | { type: 'hello'; agent: PublicAgent; heartbeatMs: number }
  | { type: 'heartbeat' }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'message.created'; message: Message; conversation: Conversation }
  | { type: 'message.delivery'; messageId: string; delivery: MessageDelivery; conversation: Conversation }
  | { type: 'reservation.created'; reservation: Reservation }
  | { type: 'reservation.updated'; reservation: Reservation }
  | { type: 'case.created'; case: Case }
  | { type: 'case.updated'; case: Case; entry: TimelineEntry | null }
  | { type: 'agent.updated'; agent: PublicAgent }
  | { type: 'admin.notice'; notice: AdminNotice }
  | { type: 'note.created'; note: ConversationNote; conversation: Conversation }
  | { type: 'agent.viewing'; viewing: AgentViewing }
  /** A clock started, stopped or changed (`alert: null`), turned amber (`warning`) or red (`breach`). */
  | { type: 'sla.timer'; timer: SlaTimer; alert: 'warning' | 'breach' | null };

export type { AgentViewing, ConversationNote } from '../../../src/core/monitor/monitor.ts';
export type {
  MonitoredAgent,
  MonitoredConversation,
  MonitorSnapshot,
} from '../../../src/core/monitor/monitor-service.ts';
/** Something an admin must act on (GET /api/v1/notices, and the live `admin.notice` event). */
export type { AdminNotice } from '../../../src/core/ports/event-bus.ts';

export interface QueueStats {
  queueId: string;
  name: string;
  waiting: number;
  longestWaitSeconds: number;
  agentsAvailable: number;
}

/** GET /api/v1/articles/search. */
export type { ArticleSearchResult } from '../../../src/core/knowledge/article-service.ts';
/** GET /api/v1/stats. */
export type { ContactCenterStats } from '../../../src/core/stats/stats-service.ts';

/** GET /api/v1/channels. */
export interface ChannelHealth {
  channel: string;
  status: 'connected' | 'connecting' | 'disabled' | 'error';
  detail: string | null;
}

/** SLA clocks, policies, business hours and attainment (src/core/sla/, /api/v1/sla/…). */
export type { BusinessHours, OpeningInterval } from '../../../src/core/sla/business-hours.ts';
export type { SlaMetric, SlaPolicy, SlaTimer } from '../../../src/core/sla/sla.ts';
export type { AttainmentFigure, SlaAttainment, SlaTimerView } from '../../../src/core/sla/sla-service.ts';
