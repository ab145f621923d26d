import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ConnectorHealth } from '../core/ports/channel-connector.ts';
import { hasRole } from './auth/authentication.ts';
import { HttpError } from './error-handler.ts';
import type { HttpCenter } from './http-center.ts';
import type { HttpConfig } from './http-config.ts';
import type { HttpMetrics } from './metrics.ts';

export interface OpsDeps {
  center: HttpCenter;
  config: HttpConfig;
  metrics: HttpMetrics;
  connectorsHealth: () => Record<string, ConnectorHealth>;
}

const healthTimeoutMs = 2_000;
/** Delivery is degraded when a channel's oldest pending message has waited longer than `HttpConfig.deliveryStallMs`… */
/** …or when a channel refused a message for good within this window. */
export const deliveryFailureWindowMs = 10 * 60_000;

export interface DeliveryHealth {
  status: 'ok' | 'degraded';
  /** Only channels with pending or recently failed messages. */
  channels: {
    channel: string;
    status: 'ok' | 'degraded';
    pending: number;
    oldestPendingSeconds: number | null;
    recentlyFailed: number;
  }[];
}

/** What the outbox says about each channel's deliveries, read from the database (so every instance agrees). */
export async function deliveryHealth(center: HttpCenter, stallMs: number): Promise<DeliveryHealth> {
  const now = center.clock.now().getTime();
  const rows = await center.store.outbox.health(new Date(now - deliveryFailureWindowMs).toISOString());
  const channels = rows.map((row) => {
    const waitedMs = row.oldestPendingAt ? Math.max(0, now - Date.parse(row.oldestPendingAt)) : null;
    const degraded = (waitedMs !== null && waitedMs > stallMs) || row.recentlyFailed > 0;
    return {
      channel: row.channel,
      status: degraded ? ('degraded' as const) : ('ok' as const),
      pending: row.pending,
      oldestPendingSeconds: waitedMs === null ? null : Math.floor(waitedMs / 1000),
      recentlyFailed: row.recentlyFailed,
    };
  });
  return { status: channels.some((c) => c.status === 'degraded') ? 'degraded' : 'ok', channels };
}

/** One part that `/readyz` checks: ok, or degraded with the reason (never a secret). */
export interface ReadinessComponent {
  status: 'ok' | 'degraded';
  reason?: string;
  /** Discord only: each gateway shard's state, when the connector reports shards. */
  shards?: { id: number; status: string }[];
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  /** The names of the degraded components (empty when ready). */
  degraded: string[];
  components: Record<string, ReadinessComponent>;
}

/** A gateway shard's states; `standby` means another instance holds it, which is as good as holding it. */
export type ShardStatus = 'connected' | 'connecting' | 'standby' | 'error';
type GatewayHealth = ConnectorHealth & {
  shards?: readonly { id: number; status: ShardStatus | string; detail?: string | null }[];
};
const shardReady = (status: string) => status === 'connected' || status === 'standby';

/** The Discord gateway's part of readiness: every shard connected here or held by another instance. */
export function gatewayReadiness(health: GatewayHealth): ReadinessComponent {
  const shards = health.shards?.map((s) => ({ id: s.id, status: s.status }));
  if (health.shards && shards && shards.length > 0) {
    const down = health.shards.filter((s) => !shardReady(s.status));
    if (down.length === 0) return { status: 'ok', shards };
    const reasons = down.map((s) => `shard ${s.id} ${s.status}${s.detail ? ` (${s.detail})` : ''}`);
    // A shard without its own detail is explained by the connector's.
    const explained = down.some((s) => s.detail) || !health.detail ? '' : `: ${health.detail}`;
    return { status: 'degraded', reason: reasons.join(', ') + explained, shards };
  }
  if (health.status === 'connected') return { status: 'ok' };
  return {
    status: 'degraded',
    reason: `gateway ${health.status}${health.detail ? `: ${health.detail}` : ''}`,
  };
}

/**
 * Whether this instance is ready for traffic: the database answers a query, Redis (when this is one of
 * many instances) is connected, and the Discord gateway (when configured) is connected or held by another
 * instance. Each degraded component says why.
 */
export async function readiness(
  center: HttpCenter,
  connectorsHealth: () => Record<string, ConnectorHealth>,
): Promise<Readiness> {
  const components: Record<string, ReadinessComponent> = {};
  try {
    await withTimeout(center.store.settings.get('readyz'), healthTimeoutMs);
    components.database = { status: 'ok' };
  } catch (error) {
    components.database = { status: 'degraded', reason: databaseReason(error) };
  }
  const bus = center.bus.health?.();
  if (bus)
    components[bus.component] =
      bus.status === 'connected'
        ? { status: 'ok' }
        : {
            status: 'degraded',
            reason: `${bus.status}${bus.detail && bus.detail !== bus.status ? `: ${bus.detail}` : ''}`,
          };
  const discord = connectorsHealth().discord;
  if (discord) components.discord = gatewayReadiness(discord);
  const degraded = Object.entries(components)
    .filter(([, c]) => c.status === 'degraded')
    .map(([name]) => name);
  return { status: degraded.length === 0 ? 'ready' : 'not_ready', degraded, components };
}

/** The driver's message names the failure (refused, timed out, terminated); it holds no password. */
function databaseReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `no answer: ${message.slice(0, 200)}`;
}

/** Health, metrics and the OpenAPI document: what operators and tools read. */
export function opsRoutes(
  app: FastifyInstance,
  { center, config, metrics, connectorsHealth }: OpsDeps,
): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary:
          'Liveness, database reachability (503 when the database is not) and delivery per channel (status degraded, still 200, when messages wait or were refused)',
      },
      config: { role: 'public' },
    },
    async (request, reply) => {
      const connectors = connectorsHealth();
      try {
        await withTimeout(center.store.settings.get('healthz'), healthTimeoutMs);
        const delivery = await withTimeout(deliveryHealth(center, config.deliveryStallMs), healthTimeoutMs);
        if (delivery.status === 'degraded')
          request.log.warn({ delivery: delivery.channels }, 'health check: delivery degraded');
        return { status: delivery.status, database: 'ok', connectors, delivery };
      } catch (err) {
        request.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable', database: 'unreachable', connectors });
      }
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary:
          'Readiness for traffic: 200 when the database answers, Redis (when configured) is connected and the Discord gateway (when configured) is connected or held by another instance; 503 naming each degraded component and why',
      },
      config: { role: 'public' },
    },
    async (request, reply) => {
      const ready = await readiness(center, connectorsHealth);
      if (ready.status === 'ready') return ready;
      request.log.warn(
        { degraded: ready.degraded.map((name) => ({ name, reason: ready.components[name]?.reason })) },
        'readiness check: not ready',
      );
      return reply.code(503).send(ready);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary:
          'Prometheus metrics (Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>, or a signed-in admin)',
      },
      // Checked here rather than by role: a scraper's bearer token is not an agent's API token.
      config: { role: 'public' },
    },
    async (request, reply) => {
      const admin = request.principal && hasRole(request.principal.agent, 'admin');
      if (!admin && !bearerMatches(request.headers.authorization, config.metricsToken)) {
        request.log.info('metrics refused: no metrics token and no admin sign-in');
        throw new HttpError(
          401,
          'unauthorized',
          'send Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>, or sign in as an admin',
        );
      }
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true }, config: { role: 'public' } }, async () =>
    app.swagger(),
  );
}

/** Constant-time comparison, so that response times do not leak the token. */
function bearerMatches(header: string | undefined, token: string | null): boolean {
  if (!token || !header) return false;
  const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
