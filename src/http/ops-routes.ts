import type { FastifyInstance } from 'fastify';
import type { ConnectorHealth } from '../core/ports/channel-connector.ts';
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

/** Health, metrics and the OpenAPI document: what operators and tools read. */
export function opsRoutes(
  app: FastifyInstance,
  { center, config, metrics, connectorsHealth }: OpsDeps,
): void {
  app.get(
    '/healthz',
    {
      schema: { tags: ['ops'], summary: 'Liveness and database reachability (503 when the database is not)' },
      config: { role: 'public' },
    },
    async (request, reply) => {
      const connectors = connectorsHealth();
      try {
        await withTimeout(center.store.settings.get('healthz'), healthTimeoutMs);
        return { status: 'ok', database: 'ok', connectors };
      } catch (err) {
        request.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable', database: 'unreachable', connectors });
      }
    },
  );

  app.get(
    '/metrics',
    {
      schema: { tags: ['ops'], summary: 'Prometheus metrics' },
      config: { role: config.metricsPublic ? 'public' : 'admin' },
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true }, config: { role: 'public' } }, async () =>
    app.swagger(),
  );
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
