import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../../test/support/discord-emulator/discord-emulator.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { DiscordConnector } from './discord-connector.ts';
import { shardLeaseName } from './gateway-leases.ts';

/** A gateway that cannot be opened on this instance: said in health, and the shard is given back to others. */
describe('Discord gateway that cannot be opened', () => {
  let discord: DiscordEmulator;
  let t: TestCenter;
  beforeAll(async () => {
    discord = await DiscordEmulator.start();
    t = await createTestCenter();
  });
  afterAll(async () => {
    await t?.close();
    await discord?.close();
  });

  it('reports the reason in health and gives the shard back for another instance', async () => {
    const errors: string[] = [];
    const connector = new DiscordConnector(t.center, {
      // Refused by the gateway: the login fails after the shard was taken (the count is configured).
      token: 'not.the.token',
      apiUrl: `${discord.url}/api`,
      shardCount: 1,
      readyTimeoutMs: 300,
      log: { info: () => {}, warn: () => {}, error: (_context, message) => errors.push(message) },
    });
    try {
      await connector.start(async () => {});
      const health = connector.health();
      expect(health.status).toBe('error');
      expect(health.shards).toEqual([{ id: 0, status: 'error', detail: health.detail }]);
      expect(errors).toContain('Discord connector could not connect');
      // Given back: another instance may take it at once.
      const lease = await t.store.leases.get(shardLeaseName(0));
      expect(lease && Date.parse(lease.expiresAt)).toBeLessThanOrEqual(Date.now());
    } finally {
      await connector.stop();
    }
  });
});
