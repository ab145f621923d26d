import { type APIUser, REST, Routes } from 'discord.js';
import { DiscordSetup, formatSetupReport, type SetupReport } from '../channels/discord/discord-setup.ts';
import type { Config } from '../config.ts';
import { openStore } from '../storage/kysely-store.ts';

export class DiscordSetupCommandError extends Error {
  override readonly name = 'DiscordSetupCommandError';
}

/**
 * `switchboard discord setup --guild <id>`: the same setup as `/setup`, over Discord's REST API alone
 * (no gateway session), storing the channel ids in the configured database.
 */
export async function runDiscordSetup(
  config: Config,
  guildIds: string[],
  print: (line: string) => void = (line) => console.log(line),
): Promise<SetupReport[]> {
  const token = config.discord.token;
  if (!token) throw new DiscordSetupCommandError('set DISCORD_TOKEN to set up a Discord server');
  if (guildIds.length === 0)
    throw new DiscordSetupCommandError('give --guild <id> (or set DISCORD_GUILD_IDS)');
  // No sweepers: a one-shot command must not keep timers alive after it is done.
  const rest = new REST({
    hashSweepInterval: 0,
    handlerSweepInterval: 0,
    ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}),
  }).setToken(token);
  const bot = (await rest.get(Routes.user())) as APIUser;
  const store = await openStore({ url: config.databaseUrl, dataDir: config.dataDir });
  const reports: SetupReport[] = [];
  try {
    const setup = new DiscordSetup(rest, bot.id, store.settings, { adminRoles: config.discord.adminRoles });
    for (const guildId of guildIds) {
      const report = await setup.run(guildId);
      reports.push(report);
      // The name says which server; the id is what --guild takes.
      const server = report.guildName ? `server "${report.guildName}" (${guildId})` : `server ${guildId}`;
      const lines = formatSetupReport(report, (id) => `(${id})`).split('\n');
      print(report.ok ? `${server}: set up` : `${server}: NOT set up`);
      for (const line of lines.slice(1)) print(`  ${line.replace(/^- /, '')}`);
    }
  } finally {
    await store.close();
  }
  return reports;
}
