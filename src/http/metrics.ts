import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { discordRateLimitedCounts } from '../channels/discord/rate-limited-counts.ts';
import type { ConnectorHealth } from '../core/ports/channel-connector.ts';
import type { DomainEvent } from '../core/ports/event-bus.ts';
import type { OutboxChannelHealth } from '../core/ports/repositories.ts';
import { llmRequestCounts, llmTokenCounts } from '../llm/llm-usage.ts';
import type { HttpCenter } from './http-center.ts';

const gatewayShardStates = ['connected', 'connecting', 'standby', 'error'] as const;
type GatewayShardState = (typeof gatewayShardStates)[number];
/** The Discord connector's health, with its shards when it reports them. */
type GatewayHealthView = ConnectorHealth & { shards?: readonly { id: number; status: string }[] };

/**
 * Prometheus metrics of one server: process defaults, HTTP latency, and domain figures.
 * Its own registry (not prom-client's global one), so that several apps can live in one process.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly messages: Counter<'author_kind' | 'channel'>;
  private readonly conversationTransitions: Counter<'state'>;
  private readonly reservations: Counter<'status'>;
  private readonly casesCreated: Counter<'kind'>;
  private readonly slaBreaches: Counter<'metric' | 'queue_id'>;

  constructor(
    center: HttpCenter,
    connectorsHealth: () => Record<string, ConnectorHealth>,
    realtimeConnections: () => number,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'switchboard_realtime_connections',
      help: 'Desktop WebSockets open on this instance',
      registers,
      collect() {
        this.set(realtimeConnections());
      },
    });
    this.messages = new Counter({
      name: 'switchboard_messages_total',
      help: 'Messages stored, by author kind (contact messages are the ones received) and channel',
      labelNames: ['author_kind', 'channel'],
      registers,
    });
    this.conversationTransitions = new Counter({
      name: 'switchboard_conversation_transitions_total',
      help: 'Conversation updates by the state they left the conversation in (queued counts hand-offs and transfers)',
      labelNames: ['state'],
      registers,
    });
    this.reservations = new Counter({
      name: 'switchboard_reservations_total',
      help: 'Reservations created and answered, by status',
      labelNames: ['status'],
      registers,
    });
    this.casesCreated = new Counter({
      name: 'switchboard_cases_created_total',
      help: 'Cases opened, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.slaBreaches = new Counter({
      name: 'switchboard_sla_breaches_total',
      help: 'SLA targets breached, by metric (first_response, next_response, resolution) and queue',
      labelNames: ['metric', 'queue_id'],
      registers,
    });
    // Queue figures are read at scrape time, so they are right however many instances run.
    const queueGauge = (
      name: string,
      help: string,
      pick: (s: Awaited<ReturnType<HttpCenter['router']['queueStats']>>[number]) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers,
        async collect() {
          this.reset();
          for (const stats of await center.router.queueStats()) this.set({ queue: stats.name }, pick(stats));
        },
      });
    queueGauge('switchboard_queue_waiting', 'Conversations waiting in the queue', (s) => s.waiting);
    queueGauge(
      'switchboard_queue_longest_wait_seconds',
      'Wait of the oldest conversation in the queue',
      (s) => s.longestWaitSeconds,
    );
    queueGauge(
      'switchboard_queue_agents_available',
      'Available agents with the queue’s skills',
      (s) => s.agentsAvailable,
    );
    // Outbox figures come from the database at scrape time: the same on every instance.
    const outboxGauge = (name: string, help: string, pick: (h: OutboxChannelHealth, now: number) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers,
        async collect() {
          this.reset();
          const now = center.clock.now().getTime();
          for (const health of await center.store.outbox.health(new Date(now).toISOString()))
            this.set({ channel: health.channel }, pick(health, now));
        },
      });
    outboxGauge(
      'switchboard_outbox_pending',
      'Messages waiting in the outbox for delivery',
      (h) => h.pending,
    );
    outboxGauge(
      'switchboard_outbox_oldest_pending_age_seconds',
      'How long the oldest message waiting in the outbox has waited',
      (h, now) => (h.oldestPendingAt ? Math.max(0, (now - Date.parse(h.oldestPendingAt)) / 1000) : 0),
    );
    new Gauge({
      name: 'switchboard_connector_up',
      help: 'Whether a channel connector is connected (1) or not (0)',
      labelNames: ['channel', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [channel, health] of Object.entries(connectorsHealth())) {
          this.set({ channel, status: health.status }, health.status === 'connected' ? 1 : 0);
        }
      },
    });
    new Counter({
      name: 'switchboard_discord_rate_limited_total',
      help: 'Discord REST requests of this instance answered 429 (rate limited), by scope: user, global, shared',
      labelNames: ['scope'],
      registers,
      collect() {
        this.reset();
        for (const [scope, count] of Object.entries(discordRateLimitedCounts())) this.inc({ scope }, count);
      },
    });
    new Counter({
      name: 'switchboard_llm_tokens_total',
      help: 'Language-model tokens this instance used, by model, purpose (answer, summary, article_embeddings, query_embeddings) and kind (prompt, completion)',
      labelNames: ['model', 'purpose', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const t of llmTokenCounts())
          this.inc({ model: t.model, purpose: t.purpose, kind: t.kind }, t.tokens);
      },
    });
    new Counter({
      name: 'switchboard_llm_requests_total',
      help: 'Language-model requests of this instance, by purpose and outcome (ok, timeout, error)',
      labelNames: ['purpose', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const r of llmRequestCounts()) this.inc({ purpose: r.purpose, outcome: r.outcome }, r.requests);
      },
    });
    new Gauge({
      name: 'switchboard_gateway_shard_status',
      help: 'Discord gateway shard state on this instance (1 for the current state; standby: another instance holds the shard)',
      labelNames: ['shard', 'status'],
      registers,
      collect() {
        this.reset();
        const discord = connectorsHealth().discord as GatewayHealthView | undefined;
        if (!discord) return;
        const shards =
          discord.shards ??
          (gatewayShardStates.includes(discord.status as GatewayShardState)
            ? [{ id: 0, status: discord.status }]
            : []);
        for (const shard of shards)
          for (const status of gatewayShardStates)
            this.set({ shard: String(shard.id), status }, shard.status === status ? 1 : 0);
      },
    });
  }

  /**
   * Counts domain events. With a shared (Redis) bus every instance sees every event: sum these
   * counters over one instance, or use `max` across instances.
   */
  observe(event: DomainEvent): void {
    switch (event.type) {
      case 'message.created':
        this.messages.inc({ author_kind: event.message.authorKind, channel: event.conversation.channel });
        break;
      case 'conversation.updated':
        this.conversationTransitions.inc({ state: event.conversation.state });
        break;
      case 'reservation.created':
      case 'reservation.updated':
        this.reservations.inc({ status: event.reservation.status });
        break;
      case 'case.created':
        this.casesCreated.inc({ kind: event.case.kind });
        break;
      case 'sla.timer':
        if (event.alert === 'breach')
          this.slaBreaches.inc({ metric: event.timer.metric, queue_id: event.timer.queueId });
        break;
      default:
        break;
    }
  }
}
