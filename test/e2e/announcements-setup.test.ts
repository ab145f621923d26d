import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuildSetup, guildSetupKey } from '../../src/channels/discord/discord-setup.ts';
import { runDiscordSetup } from '../../src/cli/discord-setup-command.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/storage/kysely-store.ts';
import { DiscordEmulator } from '../support/discord-emulator/discord-emulator.ts';
import { DEFAULT_BOT_PERMISSIONS, Permission } from '../support/discord-emulator/permissions.ts';
import { type DiscordWorld, startDiscordWorld } from './discord-harness.ts';

const can = (bits: bigint, permission: bigint) => (bits & permission) === permission;
const writes = (discord: DiscordEmulator) =>
  discord
    .requests()
    .filter(
      (r) =>
        r.method !== 'GET' &&
        /\/(guilds|channels)\//.test(r.path) &&
        !r.path.includes('/interactions') &&
        !r.path.includes('/webhooks'),
    );

/** Issue 6, server setup: `/setup` in Discord and `switchboard discord setup` on the command line. */
describe('Discord server setup: /setup', () => {
  let w: DiscordWorld;
  let moderator: { id: string };
  let staff: { id: string };
  beforeAll(async () => {
    // The configured bug channel does not exist: cases go where /setup linked bug-report.
    w = await startDiscordWorld({ env: { DISCORD_ADMIN_ROLES: 'Staff', DISCORD_BUG_CHANNEL: 'old-bugs' } });
    const moderators = w.discord.createRole(w.guild, { name: 'Moderators', permissions: ['ManageGuild'] });
    const staffRole = w.discord.createRole(w.guild, { name: 'Staff' });
    moderator = w.discord.createUser({ username: 'moderator' });
    w.discord.addMember(w.guild, moderator, { roles: [moderators.id] });
    staff = w.discord.createUser({ username: 'staff' });
    w.discord.addMember(w.guild, staff, { roles: [staffRole.id] });
  });
  afterAll(() => w?.close());

  const runSetup = async (user: { id: string }) => {
    const interaction = w.discord.invokeSlashCommand(user, w.guild, w.guild.channels.general!, 'setup');
    return w.discord.waitFor(
      () =>
        w.discord.interactionResponses(interaction).find((r) => /set up|Manage Server/.test(r.content ?? '')),
      10_000,
      'the /setup reply',
    );
  };

  it('refuses members without Manage Server, ephemerally, and creates nothing', async () => {
    const member = w.member({ username: 'plain' });
    const before = w.discord.channelsOf(w.guild).length;
    const reply = await runSetup(member);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('Manage Server');
    expect(w.discord.channelsOf(w.guild)).toHaveLength(before);
  });

  it('creates the category and announcements, links the existing channels, with overwrites', async () => {
    const reply = await runSetup(moderator);
    expect(reply.ephemeral).toBe(true);
    // The server is named by its name, and each linked channel says what became of its permissions.
    expect(reply.content).toMatch(/^Server "Acme" is set up\./);
    expect(reply.content).toContain('announcements: created');
    expect(reply.content).toMatch(
      /bug-report: linked <#\d+>, permissions kept \(members' permissions left as they were/,
    );
    const channels = w.discord.channelsOf(w.guild);
    const category = channels.find((c) => c.type === 4 && c.name === 'Official')!;
    const announcements = channels.find((c) => c.name === 'announcements')!;
    expect(announcements.type).toBe(5); // the guild has NEWS
    expect(announcements.parent_id).toBe(category.id);

    const member = w.member({ username: 'reader' });
    const memberBits = w.discord.permissionsOf(w.guild, member, announcements);
    expect(can(memberBits, Permission.ViewChannel)).toBe(true);
    expect(can(memberBits, Permission.SendMessages)).toBe(false);
    expect(
      can(w.discord.permissionsOf(w.guild, w.discord.botUser, announcements), Permission.SendMessages),
    ).toBe(true);
    expect(can(w.discord.permissionsOf(w.guild, staff, announcements), Permission.SendMessages)).toBe(true);

    const stored = await w.switchboard.center.store.settings.get<GuildSetup>(guildSetupKey(w.guild.id));
    expect(stored?.channels).toEqual({
      announcements: announcements.id,
      'bug-report': w.guild.channels['bug-report']!.id,
      'feature-request': w.guild.channels['feature-request']!.id,
      'customer-service': w.guild.channels['customer-service']!.id,
    });
  });

  it('a second run changes nothing', async () => {
    const channels = JSON.stringify(w.discord.channelsOf(w.guild), (_k, v) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    const before = writes(w.discord).length;
    const reply = await runSetup(moderator);
    expect(reply.content).not.toContain('created');
    expect(reply.content).toContain('announcements: linked');
    expect(writes(w.discord).length).toBe(before);
    expect(
      JSON.stringify(w.discord.channelsOf(w.guild), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ).toBe(channels);
  });

  it('answers a moderator who writes Arabic in Arabic', async () => {
    const arabic = w.discord.createUser({ username: 'arabic-moderator', locale: 'en-US' });
    w.discord.addMember(w.guild, arabic, {
      roles: [w.discord.createRole(w.guild, { name: 'Mods AR', permissions: ['ManageGuild'] }).id],
    });
    w.discord.sendDm(arabic, 'مرحبا، أين طلبي؟');
    await w.discord.waitFor(
      () => w.discord.dmMessages(arabic).some((m) => m.author.id === w.discord.botUser.id),
      10_000,
      'the answer in the DM',
    );
    const interaction = w.discord.invokeSlashCommand(arabic, w.guild, w.guild.channels.general!, 'setup');
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction).find((r) => r.kind === 'original-edit' && r.content),
      10_000,
      'the /setup reply',
    );
    expect(reply.content).toMatch(/^تم إعداد الخادم "Acme"\./);
    expect(reply.content).toContain('announcements: رُبطت');
    expect(reply.content).toContain('أُبقيت الصلاحيات');
  });

  it('posts bug reports in the stored bug-report channel', async () => {
    const reporter = w.member({ username: 'reporter' });
    w.discord.invokeSlashCommand(reporter, w.guild, w.guild.channels.general!, 'bug');
    await w.discord.waitFor(() => w.discord.shownModal(reporter, 'sb:bug'), 10_000, 'the bug modal');
    w.discord.submitModal(reporter, 'sb:bug', {
      title: 'Crash on login',
      happened: 'It closes.',
      steps: 'Open it',
      expected: 'No crash',
      platform: 'iOS 18',
    });
    const post = await w.discord.waitFor(
      () =>
        w.discord
          .messagesIn(w.guild.channels['bug-report']!)
          .find((m) => String((m.embeds?.[0] as { title?: string } | undefined)?.title).includes('Crash')),
      10_000,
      'the bug report embed',
    );
    expect(post.author.id).toBe(w.discord.botUser.id);
  });
});

describe('Discord server setup: switchboard discord setup', () => {
  let discord: DiscordEmulator;
  let dataDir: string;
  beforeAll(async () => {
    discord = await DiscordEmulator.start();
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-setup-'));
  });
  afterAll(async () => {
    await discord?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const config = () =>
    loadConfig({
      SWITCHBOARD_DATA_DIR: dataDir,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: `${discord.url}/api`,
      LOG_LEVEL: 'silent',
    });
  const quiet = () => {};

  it('gives two guilds each their own channels; a second run is a no-op', async () => {
    const one = discord.createGuild({ name: 'Acme EU', textChannels: ['general'] });
    const two = discord.createGuild({ name: 'Acme US', textChannels: ['general'], features: [] });
    const reports = await runDiscordSetup(config(), [one.id, two.id], quiet);
    expect(reports.map((r) => r.ok)).toEqual([true, true]);
    for (const report of reports)
      expect(report.steps.map((s) => `${s.item}:${s.outcome}`)).toEqual([
        'category:created',
        'announcements:created',
        'bug-report:created',
        'feature-request:created',
        'customer-service:created',
      ]);
    const names = (g: { id: string }) =>
      discord
        .channelsOf(g)
        .map((c) => c.name)
        .sort();
    expect(names(one)).toEqual([
      'Official',
      'announcements',
      'bug-report',
      'customer-service',
      'feature-request',
      'general',
    ]);
    expect(names(two)).toEqual(names(one));
    // Without NEWS the announcements channel is a text channel with the same overwrites.
    const announcementsOf = (g: { id: string }) =>
      discord.channelsOf(g).find((c) => c.name === 'announcements')!;
    expect(announcementsOf(one).type).toBe(5);
    expect(announcementsOf(two).type).toBe(0);
    const reader = discord.createUser();
    discord.addMember(two, reader);
    expect(can(discord.permissionsOf(two, reader, announcementsOf(two)), Permission.SendMessages)).toBe(
      false,
    );
    expect(
      can(discord.permissionsOf(two, discord.botUser, announcementsOf(two)), Permission.SendMessages),
    ).toBe(true);

    const store = await openStore({ dataDir });
    try {
      const a = await store.settings.get<GuildSetup>(guildSetupKey(one.id));
      const b = await store.settings.get<GuildSetup>(guildSetupKey(two.id));
      expect(a?.channels.announcements).toBe(announcementsOf(one).id);
      expect(b?.channels.announcements).toBe(announcementsOf(two).id);
    } finally {
      await store.close();
    }

    const before = writes(discord).length;
    const again = await runDiscordSetup(config(), [one.id, two.id], quiet);
    expect(again.flatMap((r) => r.steps.map((s) => s.outcome))).toEqual(Array(10).fill('linked'));
    expect(writes(discord).length).toBe(before);
  });

  it('on a server that already has the channels: closes an open #announcements, says what it left, makes no empty category', async () => {
    const guild = discord.createGuild({
      name: 'Acme Old',
      textChannels: ['general', 'announcements', 'bug-report', 'feature-request', 'customer-service'],
    });
    const announcements = () => discord.channelsOf(guild).find((c) => c.name === 'announcements')!;
    const reader = discord.createUser({ username: 'old-reader' });
    discord.addMember(guild, reader);
    const support = discord.channelsOf(guild).find((c) => c.name === 'customer-service')!;
    expect(can(discord.permissionsOf(guild, reader, announcements()), Permission.SendMessages)).toBe(true);

    const lines: string[] = [];
    const [report] = await runDiscordSetup(config(), [guild.id], (line) => lines.push(line));
    expect(report?.ok).toBe(true);
    expect(report?.steps.map((s) => `${s.item}:${s.outcome}:${s.permissions}`)).toEqual([
      'announcements:linked:set',
      'bug-report:linked:kept',
      'feature-request:linked:kept',
      'customer-service:linked:kept',
    ]);
    // As the README promises: @everyone reads #announcements but cannot post; the bot posts.
    expect(can(discord.permissionsOf(guild, reader, announcements()), Permission.ViewChannel)).toBe(true);
    expect(can(discord.permissionsOf(guild, reader, announcements()), Permission.SendMessages)).toBe(false);
    expect(can(discord.permissionsOf(guild, discord.botUser, announcements()), Permission.SendMessages)).toBe(
      true,
    );
    // Members keep writing in the existing support channel.
    expect(can(discord.permissionsOf(guild, reader, support), Permission.SendMessages)).toBe(true);
    // No empty category.
    expect(discord.channelsOf(guild).filter((c) => c.type === 4)).toEqual([]);
    const printed = lines.join('\n');
    expect(printed).toContain(`server "Acme Old" (${guild.id}): set up`);
    expect(printed).toContain('announcements: linked');
    expect(printed).toContain('@everyone reads but cannot post');
    expect(printed).toMatch(
      /customer-service: linked \(\d+\), permissions kept \(members' permissions left as they were/,
    );
    expect(printed).toContain('category: none made');

    // Again: nothing to change, and it says the permissions are already as promised.
    const before = writes(discord).length;
    const [again] = await runDiscordSetup(config(), [guild.id], quiet);
    expect(again?.steps.map((s) => s.permissions)).toEqual(['already', 'kept', 'kept', 'kept']);
    expect(writes(discord).length).toBe(before);
  });

  it('undoes what it created when Discord fails half-way, so a retry starts clean', async () => {
    const guild = discord.createGuild({ name: 'Flaky', textChannels: ['general'] });
    // The third channel creation fails (each of discord.js's 1 + 3 retried attempts).
    discord.failNext('POST /guilds/:guild_id/channels', 4, 500, { skip: 2 });
    const [report] = await runDiscordSetup(config(), [guild.id], quiet);
    expect(report?.ok).toBe(false);
    expect(report?.problem).toContain('undone');
    expect(discord.channelsOf(guild).map((c) => c.name)).toEqual(['general']);
    const store = await openStore({ dataDir });
    try {
      expect(await store.settings.get(guildSetupKey(guild.id))).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('without Manage Channels reports it and creates nothing', async () => {
    const guild = discord.createGuild({ name: 'Locked', textChannels: ['general'] });
    discord.setBotPermissions(guild, DEFAULT_BOT_PERMISSIONS & ~Permission.ManageChannels);
    const lines: string[] = [];
    const [report] = await runDiscordSetup(config(), [guild.id], (line) => lines.push(line));
    expect(report?.ok).toBe(false);
    expect(report?.problem).toContain('Manage Channels');
    expect(lines.join('\n')).toContain('Manage Channels');
    expect(discord.channelsOf(guild).map((c) => c.name)).toEqual(['general']);
  });
});
