import { beforeAll, describe, expect, it } from 'vitest';
import type { DiscordLog } from '../../src/channels/discord/discord-connector.ts';
import { useDiscordWorld } from './discord-harness.ts';

/** Interactions Switchboard does not handle get an answer Discord accepts, and a log line. */
describe('Discord: unknown interaction types', () => {
  const warnings: { context: Record<string, unknown>; message: string }[] = [];
  const w = useDiscordWorld();
  beforeAll(async () => {
    // What an operator reads: the connector's warnings, kept next to the (silent) server log.
    const log: DiscordLog = w.connector.options.log;
    const { warn } = log;
    log.warn = (context, message) => {
      warnings.push({ context, message });
      warn.call(log, context, message);
    };
  });

  const unsupported = (command: string | null, interactionType: number) =>
    w.discord.waitFor(
      () =>
        warnings.find(
          (l) =>
            l.message === 'Discord interaction not supported' &&
            l.context.command === command &&
            l.context.interactionType === interactionType,
        ),
      10_000,
      `a log line for ${command ?? 'type'} ${interactionType}`,
    );

  it('autocomplete is answered with an empty list of choices', async () => {
    const member = w.member({ username: 'typist' });
    const interaction = w.discord.invokeAutocomplete(member, w.guild, w.guild.channels.general!, 'helpme', {
      name: 'question',
      value: 'where is my ord',
    });
    const response = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction)[0],
      10_000,
      'the autocomplete answer',
    );
    expect(response).toMatchObject({ kind: 'callback', callbackType: 8, choices: [] });
    const line = await unsupported('helpme', 4);
    expect(line.context).toMatchObject({ guildId: w.guild.id, userId: member.id });
  });

  it('a context-menu command nobody registered: an ephemeral "not supported", logged with its context', async () => {
    const member = w.member({ username: 'clicker' });
    const interaction = w.discord.invokeInteraction(member, w.guild, w.guild.channels.general!, 2, {
      id: '1234567890',
      name: 'Report message',
      type: 3,
      target_id: '1234567891',
      resolved: { messages: {} },
    });
    const response = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction)[0],
      10_000,
      'the answer',
    );
    expect(response).toMatchObject({ callbackType: 4, ephemeral: true });
    expect(response.content).toBe("This isn't supported here. Try /helpme or /agent.");
    const line = await unsupported('Report message', 2);
    expect(line.context).toMatchObject({ guildId: w.guild.id, userId: member.id });
  });

  it("a slash command that is no longer Switchboard's is answered and logged", async () => {
    const member = w.member({ username: 'stale' });
    const interaction = w.discord.invokeInteraction(member, w.guild, w.guild.channels.general!, 2, {
      id: '1234567892',
      name: 'ticket',
      type: 1,
    });
    const response = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction)[0],
      10_000,
      'the answer',
    );
    expect(response).toMatchObject({ callbackType: 4, ephemeral: true });
    expect(response.content).toBe("I don't know the command /ticket.");
    await unsupported('ticket', 2);
  });
});
