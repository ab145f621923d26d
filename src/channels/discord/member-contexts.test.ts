import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../../test/support/discord-emulator/discord-emulator.ts';
import { DiscordMemberContexts } from './member-contexts.ts';

const MEMBER_ROUTE = 'GET /guilds/:guild_id/members/:user_id';
const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** The member context of a DM through the real discord.js against the emulator, with a clock of our own. */
describe('DiscordMemberContexts', () => {
  let discord: DiscordEmulator;
  let client: Client<true>;
  beforeEach(async () => {
    discord = await DiscordEmulator.start();
  });
  afterEach(async () => {
    await client?.destroy();
    await discord.close();
  });

  it('fetches a DM member once per expiry: roles, join date, boost and account age; a role given later shows after it', async () => {
    const guild = discord.createGuild({ name: 'Acme', textChannels: ['general'] });
    const vip = discord.createRole(guild, { name: 'VIP' });
    const user = discord.createUser({ username: 'noor' });
    discord.addMember(guild, user, {
      joinedAt: '2024-05-06T07:08:09.000Z',
      premiumSince: '2025-01-01T00:00:00.000Z',
    });
    // Without the Guild Members intent, as the connector runs: role changes do not reach discord.js's cache.
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `${discord.url}/api` } });
    const ready = once(client, Events.ClientReady);
    await client.login(discord.token);
    await ready;
    const cached = client.guilds.cache.get(guild.id)!;
    let now = 1_000_000;
    const members = new DiscordMemberContexts(silent, { ttlMs: 60_000 }, () => now);

    const first = await members.inGuild(cached, user.id);
    expect(first).toMatchObject({
      server: { id: guild.id, name: 'Acme' },
      roles: [],
      joinedAt: '2024-05-06T07:08:09.000Z',
      boostingSince: '2025-01-01T00:00:00.000Z',
      requestChannel: null,
    });
    expect(Date.parse(first!.accountCreatedAt!)).toBe(Number((BigInt(user.id) >> 22n) + 1_420_070_400_000n));
    discord.updateMember(guild, user, { roles: [vip.id] });
    now += 59_000;
    expect((await members.inGuild(cached, user.id))?.roles).toEqual([]);
    expect(discord.requests({ route: MEMBER_ROUTE })).toHaveLength(1);

    now += 2_000;
    expect((await members.inGuild(cached, user.id))?.roles).toEqual([{ id: vip.id, name: 'VIP' }]);
    expect(discord.requests({ route: MEMBER_ROUTE })).toHaveLength(2);

    // Someone who is not in the server (10007) is remembered as such until the expiry too.
    const stranger = discord.createUser({ username: 'stranger' });
    expect(await members.inGuild(cached, stranger.id)).toBeNull();
    expect(await members.inGuild(cached, stranger.id)).toBeNull();
    expect(discord.requests({ route: MEMBER_ROUTE, status: 404 })).toHaveLength(1);
  });
});
