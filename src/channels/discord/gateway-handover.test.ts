import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiscordEmulator,
  type EmulatedGuild,
} from '../../../test/support/discord-emulator/discord-emulator.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { DiscordConnector, type DiscordConnectorOptions } from './discord-connector.ts';
import { shardLeaseName } from './gateway-leases.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-gateway-handover-'));
const IDENTIFY = 2;

/**
 * Two Discord connectors (two instances) on one SQLite database, the real discord.js against the
 * emulator, with short leases: one gateway session at a time, REST from the one without it, and a
 * holder that loses its lease while alive closes its session before the other opens one.
 */
describe('Discord gateway handover between two instances', () => {
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  let one: TestCenter;
  let two: TestCenter;
  let first: DiscordConnector;
  let second: DiscordConnector;
  /** The most gateway connections the emulator had open at once (sampled every 5 ms). */
  let mostOpen = 0;
  let sampler: NodeJS.Timeout;

  const connector = (t: TestCenter, instanceName: string) =>
    new DiscordConnector(t.center, {
      token: discord.token,
      apiUrl: `${discord.url}/api`,
      guildIds: [guild.id],
      readyTimeoutMs: 10_000,
      instanceName,
      gateway: { ttlMs: 1_200, intervalMs: 200 },
    } satisfies Partial<DiscordConnectorOptions>);

  beforeAll(async () => {
    discord = await DiscordEmulator.start();
    guild = discord.createGuild({ name: 'Acme', textChannels: ['general', 'customer-service'] });
    const file = path.join(dir, 'shared.db');
    one = await createTestCenter({ url: file });
    two = await createTestCenter({ url: file });
    sampler = setInterval(() => {
      mostOpen = Math.max(mostOpen, discord.openGatewayConnections);
    }, 5);
    first = connector(one, 'instance-one');
    second = connector(two, 'instance-two');
    await first.start(async () => {});
    await second.start(async () => {});
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    await first?.stop();
    await second?.stop();
    await one?.close();
    await two?.close();
    await discord?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const identifies = () =>
    discord.gatewayLog().filter((e) => e.direction === 'in' && e.op === IDENTIFY).length;

  it('one instance holds the gateway; the other stands by, naming it, and still sends through REST', async () => {
    expect(first.health()).toMatchObject({
      status: 'connected',
      detail: null,
      shards: [{ id: 0, status: 'connected', owner: 'instance-one' }],
    });
    expect(second.health()).toEqual({
      status: 'connected',
      detail: 'gateway held by another instance; sending through REST',
      shards: [{ id: 0, status: 'standby', owner: 'instance-one' }],
    });
    expect(identifies()).toBe(1);
    expect(discord.openGatewayConnections).toBe(1);
    // The admin's list of servers (announcements) is the same from either instance.
    expect(await first.servers()).toEqual([{ id: guild.id, name: 'Acme' }]);
    expect(await second.servers()).toEqual([{ id: guild.id, name: 'Acme' }]);

    const member = discord.createUser({ username: 'mina' });
    discord.addMember(guild, member);
    const dm = discord.sendDm(member, 'hello');
    await second.send({
      conversationId: 'c-standby',
      channel: 'discord',
      address: { channelId: dm.channel_id, userId: member.id },
      authorKind: 'agent',
      authorName: 'Ana',
      text: 'Sent by the instance without a gateway session',
      attachments: [],
      articles: [],
      actions: [],
      messageId: 'm-standby',
    });
    expect(discord.dmMessages(member).map((m) => m.content)).toContainEqual(
      expect.stringContaining('Sent by the instance without a gateway session'),
    );
  });

  it('a holder whose lease is taken while it is alive closes its session before the other opens one', async () => {
    const before = identifies();
    // Another owner takes the lease (a paused holder's lease ran out and was taken, as far as it can tell).
    const intruder = await two.store.leases.acquire({
      name: shardLeaseName(0),
      owner: 'intruder',
      now: new Date().toISOString(),
      ttlMs: 1_200,
      force: true,
    });
    expect(intruder?.owner).toBe('intruder');
    await eventually(
      'the first instance to close its session',
      () => discord.openGatewayConnections === 0,
      10_000,
    );
    expect(first.health().shards?.[0]).toMatchObject({ id: 0, owner: 'intruder' });
    // The intruder never renews: its lease runs out, and one of the two instances takes the shard.
    await eventually(
      'an instance to hold the shard again',
      () => [first, second].some((c) => c.health().shards?.[0]?.status === 'connected'),
      15_000,
    );
    expect(identifies()).toBe(before + 1);
    expect(mostOpen).toBe(1);
    const holders = [first, second].filter((c) => c.health().shards?.[0]?.status === 'connected');
    expect(holders).toHaveLength(1);
  });

  it('a stopped holder hands the shard over, one session at a time', async () => {
    const holder = first.health().shards?.[0]?.status === 'connected' ? first : second;
    const other = holder === first ? second : first;
    const before = identifies();
    await holder.stop();
    await eventually(
      'the other instance to hold the shard',
      () => other.health().status === 'connected' && other.health().shards?.[0]?.status === 'connected',
      10_000,
    );
    expect(identifies()).toBe(before + 1);
    expect(mostOpen).toBe(1);
  });
});
