import { describe, expect, it } from 'vitest';
import type { ApiApplicationCommand } from '../support/discord-emulator/api-objects.ts';
import { useDiscordWorld } from './discord-harness.ts';

/** Journey 7 of issue 3: commands registered on start, localized; replies in the member's language. */
describe('Discord: commands and languages', () => {
  const w = useDiscordWorld();

  const localizationMaps = (command: ApiApplicationCommand): Record<string, string>[] => {
    const maps: Record<string, string>[] = [];
    const visit = (node: Record<string, unknown>) => {
      for (const key of ['name_localizations', 'description_localizations'])
        if (node[key]) maps.push(node[key] as Record<string, string>);
      for (const option of (node.options as Record<string, unknown>[] | undefined) ?? []) visit(option);
    };
    visit(command as unknown as Record<string, unknown>);
    return maps;
  };

  it('registers /helpme, /agent, /bug, /new_feature and /setup as guild commands, localized, never with `ar`', () => {
    const commands = w.discord.registeredCommands(w.guild);
    expect(commands.map((c) => c.name).sort()).toEqual(['agent', 'bug', 'helpme', 'new_feature', 'setup']);
    expect(w.discord.registeredCommands()).toEqual([]); // no global commands when servers are configured
    const helpme = commands.find((c) => c.name === 'helpme')!;
    expect(helpme.name_localizations).toMatchObject({ fr: 'aide', de: 'hilfe', 'es-ES': 'ayuda' });
    expect(helpme.description_localizations).toMatchObject({
      'pt-BR': expect.any(String),
      ja: expect.any(String),
    });
    expect(JSON.stringify(helpme.options)).toContain('"max_length":1000');
    for (const command of commands) {
      expect(Object.keys(command.description_localizations ?? {}).length).toBeGreaterThan(5);
      for (const map of localizationMaps(command)) expect(Object.keys(map)).not.toContain('ar');
    }
    expect(w.discord.requests({ status: 400 })).toEqual([]);
  });

  it('replies in the language the member writes in (Arabic), else their Discord locale', async () => {
    const arabic = w.member({ username: 'layla', locale: 'en-US' });
    const interaction = w.discord.invokeSlashCommand(arabic, w.guild, w.guild.channels.general!, 'helpme', {
      question: 'أين طلبي؟',
    });
    await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction).find((r) => r.content === 'أرسلت لك رسالة خاصة.'),
      10_000,
      'the Arabic ephemeral note',
    );
    const dms = await w.waitForDms(
      arabic,
      (d) => (d.length >= 2 ? d : null),
      'the Arabic greeting and answer',
    );
    expect(dms[0]?.content).toMatch(/[\u0600-\u06FF]/);

    // Later, /bug shows its modal in the language she writes in, though her Discord locale is English.
    w.discord.invokeSlashCommand(arabic, w.guild, w.guild.channels.general!, 'bug');
    const modal = await w.discord.waitFor(() => w.discord.shownModal(arabic, 'sb:bug'), 10_000, 'modal');
    expect(modal.title).toBe('الإبلاغ عن خطأ');

    const english = w.member({ username: 'ed', locale: 'en-GB' });
    const plain = w.discord.invokeSlashCommand(english, w.guild, w.guild.channels.general!, 'agent');
    await w.discord.waitFor(
      () =>
        w.discord.interactionResponses(plain).find((r) => r.content === "I've sent you a direct message."),
      10_000,
      'the English ephemeral note',
    );
  });

  it('an unknown (stale) command gets a clear ephemeral reply', async () => {
    // A command left over from an older version, registered behind Switchboard's back.
    const response = await fetch(
      `${w.discord.url}/api/v10/applications/${w.discord.applicationId}/guilds/${w.guild.id}/commands`,
      {
        method: 'POST',
        headers: { authorization: `Bot ${w.discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ticket', description: 'Old command' }),
      },
    );
    expect(response.ok).toBe(true);
    const member = w.member({ username: 'old-timer' });
    const interaction = w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'ticket');
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(interaction).find((r) => r.kind === 'callback'),
      10_000,
      'the reply',
    );
    expect(reply).toMatchObject({ ephemeral: true, content: "I don't know the command /ticket." });
  });
});

describe('Discord: without configured servers', () => {
  const w = useDiscordWorld({ env: { DISCORD_GUILD_IDS: '' } });

  it('registers global commands; /helpme and /agent also work in DMs, /bug and /new_feature only in servers', () => {
    const commands = w.discord.registeredCommands();
    expect(commands.map((c) => c.name).sort()).toEqual(['agent', 'bug', 'helpme', 'new_feature', 'setup']);
    expect(commands.find((c) => c.name === 'helpme')?.contexts).toEqual([0, 1]);
    expect(commands.find((c) => c.name === 'bug')?.contexts).toEqual([0]);
    expect(w.discord.registeredCommands(w.guild)).toEqual([]);
  });
});
