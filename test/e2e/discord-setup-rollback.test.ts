import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiscordSetup } from '../../src/cli/discord-setup-command.ts';
import { loadConfig } from '../../src/config.ts';
import { DiscordEmulator } from '../support/discord-emulator/discord-emulator.ts';

/** A setup that fails half-way undoes what it made; what it cannot undo, it names instead of keeping quiet. */
describe('Discord server setup: an undo that fails', () => {
  let discord: DiscordEmulator;
  let dataDir: string;
  beforeAll(async () => {
    discord = await DiscordEmulator.start();
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-setup-undo-'));
  });
  afterAll(async () => {
    await discord?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the channels it could not remove, by id, with the reason', async () => {
    const guild = discord.createGuild({ name: 'Flaky', textChannels: ['general'] });
    // The third channel creation fails (discord.js's attempt and its 3 retries), then so does the
    // first deletion of the undo (again with its retries).
    discord.failNext('POST /guilds/:guild_id/channels', 4, 500, { skip: 2 });
    discord.failNext('DELETE /channels/:channel_id', 4, 500);
    const lines: string[] = [];
    const config = loadConfig({
      SWITCHBOARD_DATA_DIR: dataDir,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: `${discord.url}/api`,
      LOG_LEVEL: 'silent',
    });
    const [report] = await runDiscordSetup(config, [guild.id], (line) => lines.push(line));
    expect(report?.ok).toBe(false);
    const left = discord.channelsOf(guild).filter((c) => c.name !== 'general');
    // The undo goes newest first: the announcements channel stayed, the category was removed.
    expect(left.map((c) => c.name)).toEqual(['announcements']);
    expect(report?.problem).toContain('could not be removed');
    expect(report?.problem).toContain(left[0]!.id);
    expect(report?.problem).not.toContain('was undone');
    expect(lines.join('\n')).toContain(left[0]!.id);
  });
});
