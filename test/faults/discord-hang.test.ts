import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordEmulator, EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { LoadHarness, type LoadMember, spawnSwitchboard, startLoadDiscord } from './load-harness.ts';

const POST_MESSAGE = 'POST /channels/:channel_id/messages';

/**
 * One member's DM channel hangs (Discord takes requests to it and never answers) while a real Switchboard
 * process is under load: the other members' answers and agent replies keep arriving while the first hung
 * send is still waiting, the hung send times out and is tried again, and once the channel answers again
 * the hung conversation's messages arrive exactly once and in order.
 */
describe('one DM channel hanging under load', () => {
  let discord: DiscordEmulator;
  let guild: EmulatedGuild;
  let server: ServerProcess;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    ({ discord, guild } = await startLoadDiscord());
    dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-discord-hang-'));
    server = spawnSwitchboard(discord, guild, { SWITCHBOARD_DATA_DIR: dataDir });
    url = await server.url();
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await discord?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('does not hold up other conversations, and delivers the hung one once when it recovers', async () => {
    const load = await LoadHarness.start({
      discord,
      guild,
      urls: [url],
      store: { sqlite: path.join(dataDir, 'switchboard.db') },
      askers: 3,
      handoffMembers: 2,
      agents: 1,
      messageIntervalMs: 1_000,
      replyIntervalMs: 1_000,
    });
    let channel: string | null = null;
    try {
      const [victim, other] = load.members.filter((m) => m.kind === 'handoff') as [LoadMember, LoadMember];
      const others = load.members.filter((m) => m !== victim);
      const repliesTo = (member: LoadMember) =>
        load.replies.filter((r) => r.member === member.user.id && r.outcome === 'accepted').length;
      await eventually(
        'agent replies to both hand-off members',
        () => repliesTo(victim) >= 1 && repliesTo(other) >= 1,
        60_000,
      );
      const first = load.sent.find((s) => s.member === victim)!;
      channel = discord.message(first.id)!.channel_id;
      const heldPosts = () => discord.heldRequests(channel!).filter((r) => r.route === POST_MESSAGE);
      const botCount = (member: LoadMember) =>
        discord.dmMessages(member.user).filter((m) => m.author.id === discord.botUser.id).length;

      discord.holdChannel(channel);
      await eventually('a delivery to the held channel to hang', () => heldPosts().length > 0, 30_000);
      const before = new Map(others.map((m) => [m, botCount(m)]));
      const victimBefore = botCount(victim);
      // While the client of that first send still waits for Discord (before its time-out), everyone else is served.
      await eventually(
        'two more bot messages for every other member while the held send hangs',
        () => {
          const served = others.every((m) => botCount(m) >= before.get(m)! + 2);
          expect(
            served || heldPosts()[0]!.clientWaiting,
            'the others waited until the hung send timed out',
          ).toBe(true);
          return served;
        },
        60_000,
      );
      expect(botCount(victim)).toBe(victimBefore);
      // The hung send times out (its client gives up) and is tried again (the retry hangs too while held).
      await eventually(
        'the hung send to time out and be tried again',
        () => !heldPosts()[0]!.clientWaiting && heldPosts().length >= 2,
        60_000,
      );
      discord.releaseChannel(channel);
      channel = null;

      await load.stop();
      const report = await load.settle(60_000);
      if (report.problems.length > 0)
        console.log(
          server
            .output()
            .split('\n')
            .filter((l) => !/incoming request|request completed/.test(l))
            .slice(-60)
            .join('\n'),
        );
      expect(report.problems, report.text).toEqual([]);
      expect(botCount(victim)).toBeGreaterThan(victimBefore);
    } finally {
      if (channel) discord.releaseChannel(channel);
      await load.close();
    }
  }, 150_000);
});
