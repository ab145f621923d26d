import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import type { DiscordEmulator, EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { LOAD_ADMIN_PASSWORD, spawnSwitchboard, startLoadDiscord } from './load-harness.ts';

const DM_ROUTE = 'POST /channels/:channel_id/messages';

/**
 * A real Switchboard process changes a bug report's status while Discord refuses DMs (503), and is killed
 * (`kill -9`) before the DM got through. Restarted on the same database, it delivers the DM: once.
 */
describe('fault: kill -9 between a status change and its DM', () => {
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  let dir: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    ({ discord, guild } = await startLoadDiscord());
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-notice-crash-'));
  });

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await discord?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<string> {
    const server = spawnSwitchboard(discord, guild, {
      SWITCHBOARD_DATA_DIR: dir,
      SWITCHBOARD_SAMPLE_KB: 'false',
    });
    servers.push(server);
    return server.url();
  }

  /** The reporter's notice as the database holds it (read beside the running process, as WAL allows). */
  function notice(): { attempts: number; status: string; claimed_until: string | null } | undefined {
    const db = new Database(path.join(dir, 'switchboard.db'), { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare('select attempts, status, claimed_until from outbox where contact_id is not null')
        .get() as { attempts: number; status: string; claimed_until: string | null } | undefined;
    } finally {
      db.close();
    }
  }

  it('the DM arrives once after the restart', async () => {
    let url = await start();
    const reporter: ApiUser = discord.createUser({ username: 'reporter' });
    discord.addMember(guild, reporter);
    // The gateway is up once the commands are registered; then the member files a bug report.
    await discord.waitFor(() => discord.registeredCommands(guild).length > 0, 60_000, 'commands');
    discord.invokeSlashCommand(reporter, guild, guild.channels.general!, 'bug');
    await discord.waitFor(() => discord.shownModal(reporter, 'sb:bug'), 30_000, 'the /bug modal');
    const submit = discord.submitModal(reporter, 'sb:bug', {
      title: 'Lost my save',
      happened: 'The save is gone after the update.',
      steps: '1. Update\n2. Open',
      expected: 'My save',
      platform: 'PC / 1.2',
    });
    const reply = await discord.waitFor(
      () => discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      30_000,
      'the case number',
    );
    const number = Number(/#(\d+)/.exec(reply.content ?? '')?.[1]);

    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: LOAD_ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    discord.failNext(DM_ROUTE, 1_000_000, 503);
    const changed = await fetch(`${url}/api/v1/cases/${number}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie, 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ status: 'solved' }),
    });
    expect(changed.status).toBe(200);
    // Four refused attempts: the next one is seconds away (back-off), and no attempt holds a claim now.
    await eventually(
      'four refused attempts',
      () => {
        const item = notice();
        return item && item.attempts >= 4 && item.claimed_until === null;
      },
      60_000,
    );
    await servers[0]!.kill();
    expect(notice()?.status).toBe('pending');

    discord.failNext(DM_ROUTE, 0);
    url = await start();
    const says = (m: { content: string }) =>
      m.content.includes(`#${number}`) && m.content.includes('**solved**');
    const dms = () => discord.dmMessages(reporter).filter((m) => m.author.id === discord.botUser.id);
    await discord.waitFor(() => dms().some(says), 90_000, 'the status DM after the restart');
    await eventually('the notice marked sent', () => notice()?.status === 'sent', 30_000);
    expect(dms().filter(says)).toHaveLength(1);
    expect(url).toMatch(/^http:/);
  }, 150_000);
});
