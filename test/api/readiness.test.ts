import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayReadiness } from '../../src/http/ops-routes.ts';
import { type DiscordWorld, startDiscordWorld } from '../e2e/discord-harness.ts';
import { ThrowawayRedis } from '../faults/throwaway-redis.ts';
import { eventually } from '../support/eventually.ts';

const found = ThrowawayRedis.find();
if ('missing' in found) console.log(`Readiness with Redis skipped: ${found.missing}`);

const metricsToken = `metrics-${randomUUID()}`;

/** `/readyz` of a real Switchboard on SQLite, a Redis of its own and the Discord emulator. */
describe.skipIf('missing' in found)('/readyz', () => {
  let redis: ThrowawayRedis;
  let world: DiscordWorld;
  const password = `redis-secret-${randomUUID()}`;

  beforeAll(async () => {
    redis = await ThrowawayRedis.create((found as { binary: string }).binary, { password });
    await redis.start();
    world = await startDiscordWorld({
      env: {
        REDIS_URL: redis.url,
        SWITCHBOARD_REDIS_PREFIX: `readyz-${randomUUID()}`,
        SWITCHBOARD_METRICS_TOKEN: metricsToken,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await redis?.stop();
  });

  const readyz = async () => {
    const res = await fetch(`${world.base}/readyz`);
    return { status: res.status, text: await res.text() };
  };

  it('is ready, without signing in, when the database, Redis and the Discord gateway are', async () => {
    const { status, text } = await readyz();
    expect(status).toBe(200);
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      status: 'ready',
      degraded: [],
      components: { database: { status: 'ok' }, redis: { status: 'ok' }, discord: { status: 'ok' } },
    });
    expect(Object.keys(body.components).sort()).toEqual(['database', 'discord', 'redis']);
    // One instance holds every shard (when the connector reports shards).
    for (const shard of body.components.discord.shards ?? []) expect(shard.status).toBe('connected');
  });

  it('answers 503 naming Redis and why while Redis is down, stays live, and is ready again when it is back', async () => {
    await redis.stop();
    const down = await eventually('/readyz to report Redis down', async () => {
      const answer = await readyz();
      return answer.status === 503 ? answer : null;
    });
    const body = JSON.parse(down.text);
    expect(body.status).toBe('not_ready');
    expect(body.degraded).toEqual(['redis']);
    expect(body.components.redis).toMatchObject({ status: 'degraded' });
    expect(body.components.redis.reason).toMatch(/reconnecting|connecting/);
    expect(body.components.database).toEqual({ status: 'ok' });
    expect(down.text).not.toContain(password);
    // Liveness is not readiness: the process is fine, a restart would not help.
    expect((await fetch(`${world.base}/healthz`)).status).toBe(200);

    await redis.start();
    await eventually('/readyz to report ready again', async () => (await readyz()).status === 200, 60_000);
  }, 90_000);

  it('exposes the gateway state per shard and the queue lengths as Prometheus gauges', async () => {
    const res = await fetch(`${world.base}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^switchboard_gateway_shard_status\{shard="0",status="connected"\} 1$/m);
    expect(text).toMatch(/^switchboard_gateway_shard_status\{shard="0",status="connecting"\} 0$/m);
    expect(text).toMatch(/^switchboard_queue_waiting\{queue="support"\} 0$/m);
    expect(text).toMatch(/^# TYPE switchboard_outbox_pending gauge$/m);
    expect(text).toMatch(/^# TYPE switchboard_outbox_oldest_pending_age_seconds gauge$/m);
  });
});

describe('the gateway part of readiness', () => {
  it('is ok while every shard is connected here or held by another instance', () => {
    expect(
      gatewayReadiness({
        status: 'connected',
        detail: null,
        shards: [
          { id: 0, status: 'connected' },
          { id: 1, status: 'standby' },
        ],
      }),
    ).toEqual({
      status: 'ok',
      shards: [
        { id: 0, status: 'connected' },
        { id: 1, status: 'standby' },
      ],
    });
  });

  it('names each shard that is neither, and why', () => {
    const part = gatewayReadiness({
      status: 'connecting',
      detail: 'gateway closed 4000',
      shards: [
        { id: 0, status: 'connected' },
        { id: 1, status: 'connecting' },
        { id: 2, status: 'error' },
      ],
    });
    expect(part.status).toBe('degraded');
    expect(part.reason).toBe('shard 1 connecting, shard 2 error: gateway closed 4000');
    expect(
      gatewayReadiness({
        status: 'error',
        detail: 'shard 1 failing',
        shards: [
          { id: 0, status: 'standby' },
          { id: 1, status: 'error', detail: 'Authentication failed' },
        ],
      }).reason,
    ).toBe('shard 1 error (Authentication failed)');
  });

  it('reads the connector state when it reports no shards', () => {
    expect(gatewayReadiness({ status: 'connected', detail: null })).toEqual({ status: 'ok' });
    expect(gatewayReadiness({ status: 'error', detail: 'An invalid token was provided.' })).toEqual({
      status: 'degraded',
      reason: 'gateway error: An invalid token was provided.',
    });
  });
});
