import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { InProcessEventBus } from '../../src/pubsub/in-process-event-bus.ts';
import { RedisEventBus } from '../../src/pubsub/redis-event-bus.ts';
import { connectRealtime, type RealtimeClient } from '../api/realtime-client.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.log('Skipping the two-instance tests: TEST_REDIS_URL is not set');

const ADMIN_PASSWORD = 'admin-password-42';

describe('REDIS_URL in the configuration', () => {
  it('is refused with a message naming the variable when it is not a redis:// URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: must be redis:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:6379', SWITCHBOARD_REDIS_PREFIX: 'a b' })).toThrow(
      /SWITCHBOARD_REDIS_PREFIX/,
    );
  });

  it('is off by default: one process, the in-process event bus', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-one-'));
    const config = loadConfig({
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SWITCHBOARD_SAMPLE_KB: 'false',
      LOG_LEVEL: 'silent',
    });
    expect(config.redis).toBeNull();
    const switchboard = await createSwitchboard(config, { announce: () => {} });
    try {
      expect(switchboard.center.bus).toBeInstanceOf(InProcessEventBus);
    } finally {
      await switchboard.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Two instances behind one load balancer, as `docker-compose.yml` runs them: one database (here one
 * SQLite file both open), one Redis. An agent's desktop connected to one instance hears what happens
 * on the other.
 */
describe.skipIf(!redisUrl)('two instances with REDIS_URL', () => {
  let dataDir: string;
  const instances: Switchboard[] = [];
  const bases: string[] = [];
  let desktop: RealtimeClient | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-two-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SWITCHBOARD_SAMPLE_KB: 'false',
      REDIS_URL: redisUrl,
      // A channel of this run's own, so that parallel runs on one Redis never hear each other.
      SWITCHBOARD_REDIS_PREFIX: `switchboard-test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    };
    // One after the other, as compose starts them: the first migrates and creates the admin agent.
    for (let i = 0; i < 2; i++) {
      const switchboard = await createSwitchboard(loadConfig(env), { announce: () => {} });
      instances.push(switchboard);
      bases.push(await switchboard.start());
    }
  });

  afterAll(async () => {
    desktop?.close();
    for (const switchboard of instances.reverse()) await switchboard.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the Redis event bus', () => {
    for (const switchboard of instances) expect(switchboard.center.bus).toBeInstanceOf(RedisEventBus);
  });

  it("shows a visitor's message, sent through one instance, on a desktop connected to the other", async () => {
    const [a, b] = bases as [string, string];
    const login = await fetch(`${b}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    desktop = await connectRealtime(b, { cookie });

    const visitor = await WebchatVisitor.start(a, { name: 'Layla' });
    try {
      const text = `hello from the other instance ${randomUUID()}`;
      await visitor.send(text);
      const event = await desktop.waitFor(
        (e) => e.type === 'message.created' && (e.message as { text?: string } | undefined)?.text === text,
        'the message.created event on the other instance',
      );
      expect((event.conversation as { channel: string }).channel).toBe('webchat');
      // Exactly once, though both instances' buses saw it.
      const copies = desktop.events.filter(
        (e) => e.type === 'message.created' && (e.message as { text?: string } | undefined)?.text === text,
      );
      expect(copies).toHaveLength(1);
    } finally {
      visitor.close();
    }
  });
});
