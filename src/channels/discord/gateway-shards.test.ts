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
import type { InboundMessage } from '../../core/ports/channel-connector.ts';
import { DiscordConnector } from './discord-connector.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-gateway-shards-'));
const IDENTIFY = 2;
const CALLBACK_ROUTE = 'POST /interactions/:interaction_id/:interaction_token/callback';

/** Discord's rule: a guild's events go to shard `(guild_id >> 22) % shards`. */
const shardOfGuild = (id: string, shards: number) => Number((BigInt(id) >> 22n) % BigInt(shards));

/**
 * A bot Discord splits into two shards (GET /gateway/bot), two instances on one SQLite database: one lease
 * per shard, the gateway opened for both by the instance that holds them, each guild's events on its own
 * shard, and both shards taken over together when that instance stops.
 */
describe('Discord gateway with two shards', () => {
  let discord: DiscordEmulator;
  const guilds: EmulatedGuild[] = [];
  let one: TestCenter;
  let two: TestCenter;
  let first: DiscordConnector;
  let second: DiscordConnector;
  const received: { by: string; message: InboundMessage }[] = [];

  const connector = (t: TestCenter, instanceName: string) =>
    new DiscordConnector(t.center, {
      token: discord.token,
      apiUrl: `${discord.url}/api`,
      guildIds: guilds.map((g) => g.id),
      readyTimeoutMs: 10_000,
      instanceName,
      gateway: { ttlMs: 1_200, intervalMs: 200 },
    });

  beforeAll(async () => {
    discord = await DiscordEmulator.start({ shards: 2 });
    // Guilds are made until there is one on each shard (ids carry their creation time).
    const byShard = new Map<number, EmulatedGuild>();
    for (let i = 0; byShard.size < 2 && i < 200; i++) {
      const guild = discord.createGuild({ name: `Guild ${i}`, textChannels: ['general'] });
      const shard = shardOfGuild(guild.id, 2);
      if (!byShard.has(shard)) byShard.set(shard, guild);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    guilds.push(byShard.get(0)!, byShard.get(1)!);
    const file = path.join(dir, 'shared.db');
    one = await createTestCenter({ url: file });
    two = await createTestCenter({ url: file });
    first = connector(one, 'instance-one');
    second = connector(two, 'instance-two');
    await first.start(async (message) => {
      received.push({ by: 'instance-one', message });
    });
    await second.start(async (message) => {
      received.push({ by: 'instance-two', message });
    });
  }, 60_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await one?.close();
    await two?.close();
    await discord?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const identifies = () =>
    discord.gatewayLog().filter((e) => e.direction === 'in' && e.op === IDENTIFY).length;

  it('takes one lease per shard and opens one session for each', async () => {
    expect(first.health()).toMatchObject({
      status: 'connected',
      shards: [
        { id: 0, status: 'connected', owner: 'instance-one' },
        { id: 1, status: 'connected', owner: 'instance-one' },
      ],
    });
    expect(second.health().shards).toEqual([
      { id: 0, status: 'standby', owner: 'instance-one' },
      { id: 1, status: 'standby', owner: 'instance-one' },
    ]);
    expect(identifies()).toBe(2);
    expect(discord.openGatewayConnections).toBe(2);
    for (const guild of guilds) expect(discord.registeredCommands(guild).length).toBeGreaterThan(0);
  });

  it("each guild's commands reach the holder through their shard, answered once; DMs through shard 0", async () => {
    for (const guild of guilds) {
      const member = discord.createUser({ username: `member-of-${guild.name}` });
      discord.addMember(guild, member);
      const interaction = discord.invokeSlashCommand(member, guild, guild.channels.general!, 'agent');
      await discord.waitFor(
        () => discord.interactionResponses(interaction).find((r) => r.kind === 'original-edit'),
        10_000,
        `the /agent note in ${guild.name}`,
      );
      const callbacks = discord
        .requests({ route: CALLBACK_ROUTE })
        .filter((r) => r.path.includes(`/interactions/${interaction.id}/`));
      expect(callbacks.filter((r) => r.status < 300)).toHaveLength(1);
      expect(callbacks).toHaveLength(1);
      expect(received.filter((r) => r.message.externalId === interaction.id).map((r) => r.by)).toEqual([
        'instance-one',
      ]);
    }
    const member = discord.createUser({ username: 'dm-member' });
    discord.addMember(guilds[1]!, member);
    const dm = discord.sendDm(member, 'hello');
    await eventually('the DM handled', () => received.some((r) => r.message.externalId === dm.id), 10_000);
    expect(received.filter((r) => r.message.externalId === dm.id).map((r) => r.by)).toEqual(['instance-one']);
  });

  it('both shards move to the other instance when the holder stops', async () => {
    const before = identifies();
    await first.stop();
    await eventually(
      'the other instance to hold both shards',
      () => second.health().shards?.every((s) => s.status === 'connected' && s.owner === 'instance-two'),
      15_000,
    );
    expect(identifies()).toBe(before + 2);
    expect(discord.openGatewayConnections).toBe(2);
  });
});
