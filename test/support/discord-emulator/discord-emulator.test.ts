import { once } from 'node:events';
import { createInflate, constants as zlibConstants } from 'node:zlib';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  type Message,
  MessageFlags,
  ModalBuilder,
  OverwriteType,
  Partials,
  PermissionFlagsBits,
  Routes,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DiscordEmulator } from './discord-emulator.ts';
import { GatewayOpcode, type GatewayPayload } from './gateway-server.ts';

const ALL_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMembers,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

let discord: DiscordEmulator;
const clients: Client[] = [];

beforeEach(async () => {
  discord = await DiscordEmulator.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  await discord.close();
});

/** Logs a real discord.js client in against the emulator and waits for ClientReady. */
async function connect(intents: number[] = ALL_INTENTS): Promise<Client<true>> {
  const client = new Client({ intents, partials: [Partials.Channel], rest: { api: `${discord.url}/api` } });
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  return client as Client<true>;
}

function apiErrorOf(error: unknown): DiscordAPIError {
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

const slashCommands = [
  {
    name: 'helpme',
    description: 'Ask for help',
    options: [{ type: 3, name: 'topic', description: 'What about' }],
  },
  { name: 'bug', description: 'Report a bug' },
];

describe('gateway', () => {
  it('logs in: READY lists guilds unavailable, then GUILD_CREATE brings channels, roles and members', async () => {
    const guild = discord.createGuild({
      name: 'Acme',
      textChannels: ['general', 'bug-reports'],
      announcementChannels: ['announcements'],
      categories: ['Support'],
    });
    const client = await connect();

    expect(client.user.id).toBe(discord.botUser.id);
    expect(client.application.id).toBe(discord.applicationId);
    const cached = client.guilds.cache.get(guild.id);
    expect(cached?.name).toBe('Acme');
    expect(cached?.channels.cache.map((c) => c.name).sort()).toEqual([
      'Support',
      'announcements',
      'bug-reports',
      'general',
    ]);
    expect(cached?.channels.cache.get(guild.channels.announcements?.id ?? '')?.type).toBe(
      ChannelType.GuildAnnouncement,
    );
    expect(cached?.roles.cache.has(guild.botRoleId)).toBe(true);
    expect(cached?.members.me?.roles.cache.has(guild.botRoleId)).toBe(true);
    expect(cached?.members.cache.has(guild.ownerId)).toBe(true);

    const out = discord.gatewayLog().filter((e) => e.direction === 'out' && e.op === GatewayOpcode.Dispatch);
    expect(out.slice(0, 2).map((e) => [e.t, e.s])).toEqual([
      ['READY', 1],
      ['GUILD_CREATE', 2],
    ]);
    // Snowflakes carry their creation time.
    const createdAt = Number((BigInt(guild.id) >> 22n) + 1_420_070_400_000n);
    expect(Math.abs(createdAt - Date.now())).toBeLessThan(60_000);

    // A guild the bot joins later arrives as guildCreate.
    const joined = once(client, Events.GuildCreate);
    const later = discord.createGuild({ name: 'Later' });
    const [g] = await joined;
    expect(g.id).toBe(later.id);
  });

  it('answers heartbeats and a heartbeat request with ACKs', async () => {
    await connect();
    discord.requestHeartbeat();
    await discord.waitFor(() =>
      discord.gatewayLog().some((e) => e.direction === 'in' && e.op === GatewayOpcode.Heartbeat),
    );
    await discord.waitFor(() =>
      discord.gatewayLog().some((e) => e.direction === 'out' && e.op === GatewayOpcode.HeartbeatAck),
    );
  });

  it('resumes after a dropped connection and replays the events sent meanwhile', async () => {
    const client = await connect();
    const user = discord.createUser({ username: 'alice' });
    const received: string[] = [];
    client.on(Events.MessageCreate, (m) => {
      if (!m.author.bot) received.push(m.content);
    });

    discord.sendDm(user, 'one');
    await discord.waitFor(() => received.length === 1);
    discord.dropGatewayConnection();
    // Sent while the client is disconnected: these wait in the session's buffer.
    discord.sendDm(user, 'two');
    discord.sendDm(user, 'three');
    await discord.waitFor(() => received.length === 3, 10_000, 'replayed DMs');
    discord.sendDm(user, 'four');
    await discord.waitFor(() => received.length === 4);

    expect(received).toEqual(['one', 'two', 'three', 'four']);
    const log = discord.gatewayLog();
    expect(log.filter((e) => e.direction === 'in' && e.op === GatewayOpcode.Identify)).toHaveLength(1);
    expect(log.filter((e) => e.direction === 'in' && e.op === GatewayOpcode.Resume)).toHaveLength(1);
    expect(log.some((e) => e.direction === 'out' && e.t === 'RESUMED')).toBe(true);
  });

  it('sends INVALID_SESSION for a forgotten session and the client identifies again', async () => {
    const client = await connect();
    discord.invalidateSession(false);
    await discord.waitFor(
      () =>
        discord.gatewayLog().filter((e) => e.direction === 'in' && e.op === GatewayOpcode.Identify).length ===
        2,
      10_000,
      'second IDENTIFY',
    );
    const user = discord.createUser();
    const got = once(client, Events.MessageCreate);
    discord.sendDm(user, 'after re-identify');
    const [message] = (await got) as [Message];
    expect(message.content).toBe('after re-identify');
  });

  it('speaks zlib-stream to clients that ask for it (discord.js does when zlib-sync is installed)', async () => {
    discord.createGuild();
    const socket = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = createInflate();
    const payloads: GatewayPayload[] = [];
    let chain = Promise.resolve();
    socket.on('message', (data: Buffer) => {
      // One shared inflate context; every payload ends with a sync flush.
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const parts: Buffer[] = [];
            const onData = (chunk: Buffer) => parts.push(chunk);
            inflate.on('data', onData);
            inflate.write(data);
            inflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
              inflate.off('data', onData);
              payloads.push(JSON.parse(Buffer.concat(parts).toString('utf8')) as GatewayPayload);
              resolve();
            });
          }),
      );
    });
    try {
      await discord.waitFor(() => payloads.find((p) => p.op === GatewayOpcode.Hello));
      socket.send(JSON.stringify({ op: 2, d: { token: discord.token, intents: 1, properties: {} } }));
      await discord.waitFor(() => payloads.find((p) => p.t === 'GUILD_CREATE'));
      expect(payloads.map((p) => p.t ?? p.op)).toEqual([GatewayOpcode.Hello, 'READY', 'GUILD_CREATE']);
    } finally {
      socket.terminate();
      inflate.close();
    }
  });

  it('refuses privileged intents the application does not have (4014)', async () => {
    await discord.close();
    discord = await DiscordEmulator.start({
      privilegedIntents: { guildMembers: false, guildPresences: false, messageContent: true },
    });
    const client = new Client({ intents: ALL_INTENTS, rest: { api: `${discord.url}/api` } });
    clients.push(client);
    await expect(client.login(discord.token)).rejects.toThrow(/intent/i);
  });
});

describe('guild members', () => {
  it('GET /guilds/:id/members/:user gives roles, joined_at and premium_since; unknown members are 10007; updates reach the gateway', async () => {
    const guild = discord.createGuild({ name: 'Acme', textChannels: ['general'] });
    const vip = discord.createRole(guild, { name: 'VIP' });
    const user = discord.createUser({ username: 'noor' });
    discord.addMember(guild, user, {
      roles: [vip.id],
      joinedAt: '2025-01-02T03:04:05.000Z',
      premiumSince: '2025-06-01T00:00:00.000Z',
    });
    const client = await connect();
    const cached = client.guilds.cache.get(guild.id)!;

    const member = await cached.members.fetch({ user: user.id, force: true });
    expect(member.roles.cache.map((r) => r.name).sort()).toEqual(['@everyone', 'VIP']);
    expect(member.joinedAt?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(member.premiumSince?.toISOString()).toBe('2025-06-01T00:00:00.000Z');

    const stranger = discord.createUser({ username: 'stranger' });
    const error = await cached.members.fetch({ user: stranger.id, force: true }).catch((e: unknown) => e);
    expect(apiErrorOf(error).code).toBe(10007);

    const updated = once(client, Events.GuildMemberUpdate);
    discord.updateMember(guild, user, { roles: [], premiumSince: null });
    const [, after] = await updated;
    expect(after.roles.cache.has(vip.id)).toBe(false);
    expect(after.premiumSince).toBeNull();
    expect(() => discord.updateMember(guild, stranger, { roles: [] })).toThrow(/Unknown Member/);
  });
});

describe('direct messages', () => {
  it('round trip: a user DMs the bot, the bot answers, the emulator records both', async () => {
    const client = await connect();
    const user = discord.createUser({ username: 'bob' });
    client.on(Events.MessageCreate, async (message) => {
      if (message.author.bot) return;
      await message.channel.send(`echo: ${message.content}`);
    });

    const sent = discord.sendDm(user, 'I need help with my order');
    const reply = await discord.waitFor(() =>
      discord.dmMessages(user).find((m) => m.author.id === discord.botUser.id),
    );

    expect(reply.content).toBe('echo: I need help with my order');
    expect(reply.channel_id).toBe(sent.channel_id);
    expect(discord.channel(sent.channel_id)?.type).toBe(ChannelType.DM);
    expect(discord.dmMessages(user).map((m) => m.content)).toEqual([
      'I need help with my order',
      'echo: I need help with my order',
    ]);
  });

  it("a DM with only a file reaches discord.js with Discord's attachment object; an empty DM is refused", async () => {
    const client = await connect();
    const user = discord.createUser();
    const seen: Message[] = [];
    client.on(Events.MessageCreate, (m) => seen.push(m));
    const sent = discord.sendDm(user, '', {
      attachments: [{ filename: 'bill of sale.pdf', content_type: 'application/pdf', size: 5_000 }],
    });
    const message = await discord.waitFor(() => seen[0], 5_000, 'the DM');
    expect(message.content).toBe('');
    const attachment = message.attachments.first();
    expect(attachment).toMatchObject({
      id: sent.attachments[0]?.id,
      name: 'bill of sale.pdf',
      size: 5_000,
      contentType: 'application/pdf',
      url: `${discord.url}/attachments/${sent.channel_id}/${sent.attachments[0]?.id}/bill%20of%20sale.pdf`,
    });
    expect(attachment?.proxyURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(() => discord.sendDm(user, '')).toThrow(/content or an attachment/);
  });

  it('respects intents: no DMs without Direct Messages; guild content blank without Message Content', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const seen: Message[] = [];
    client.on(Events.MessageCreate, (m) => seen.push(m));

    discord.sendDm(user, 'nobody hears this');
    const general = guild.channels.general?.id ?? '';
    discord.sendGuildMessage(user, general, 'secret words');
    discord.sendGuildMessage(user, general, `<@${discord.botUser.id}> mentioned words`);
    await discord.waitFor(() => seen.length === 2);

    expect(seen.map((m) => m.channelId)).toEqual([general, general]);
    // Mentions of the app keep their content, like on Discord.
    expect(seen.map((m) => m.content)).toEqual(['', `<@${discord.botUser.id}> mentioned words`]);
  });

  it('DMs keep their content without the Message Content intent (Discord exempts DMs)', async () => {
    const client = await connect([GatewayIntentBits.DirectMessages]);
    const user = discord.createUser();
    const got = once(client, Events.MessageCreate);
    discord.sendDm(user, 'hello bot');
    const [message] = (await got) as [Message];
    expect(message.content).toBe('hello bot');
  });

  it('answers 50007 when the user does not accept DMs', async () => {
    const client = await connect();
    const user = discord.createUser({ dmsClosed: true });
    const fetched = await client.users.fetch(user.id);
    const error = await fetched.send('hello').catch((e: unknown) => e);
    expect(apiErrorOf(error).code).toBe(50007);
    expect(apiErrorOf(error).status).toBe(403);
    expect(discord.dmMessages(user)).toEqual([]);
  });
});

describe('messages', () => {
  it('enforces the 2,000-character limit with 50035 Invalid Form Body', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const channel = await client.channels.fetch(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');

    await channel.send('x'.repeat(2000));
    const error = apiErrorOf(await channel.send('x'.repeat(2001)).catch((e: unknown) => e));
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({
      message: 'Invalid Form Body',
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    });
    expect(discord.messagesIn(channel.id)).toHaveLength(1);
  });

  it('answers 10003 for an unknown channel and 50013 when the bot lacks Manage Channels', async () => {
    const guild = discord.createGuild({ botPermissions: ['ViewChannel', 'SendMessages'] });
    const client = await connect();
    const unknown = apiErrorOf(
      await client.rest.get(Routes.channel('1234567890123456789')).catch((e: unknown) => e),
    );
    expect(unknown.code).toBe(10003);

    const cached = client.guilds.cache.get(guild.id);
    const denied = apiErrorOf(await cached?.channels.create({ name: 'support' }).catch((e: unknown) => e));
    expect(denied.code).toBe(50013);

    discord.setBotPermissions(guild, ['ViewChannel', 'SendMessages', 'ManageChannels', 'ManageRoles']);
    const created = await cached?.channels.create({
      name: 'Customer Service',
      permissionOverwrites: [
        { id: guild.everyoneRoleId, deny: [PermissionFlagsBits.ViewChannel], type: OverwriteType.Role },
        { id: discord.botUser.id, allow: [PermissionFlagsBits.ViewChannel], type: OverwriteType.Member },
      ],
    });
    expect(created?.name).toBe('customer-service');
    const stored = discord.channelsOf(guild).find((c) => c.id === created?.id);
    expect(stored?.overwrites).toEqual([
      { id: guild.everyoneRoleId, type: 0, allow: 0n, deny: PermissionFlagsBits.ViewChannel },
      { id: discord.botUser.id, type: 1, allow: PermissionFlagsBits.ViewChannel, deny: 0n },
    ]);
  });

  it('edits permission overwrites and creates private threads with members', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect();
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (channel?.type !== ChannelType.GuildText) throw new Error('expected a text channel');

    await channel.permissionOverwrites.edit(user.id, { SendMessages: false });
    expect(discord.channel(channel.id)?.overwrites).toEqual([
      { id: user.id, type: 1, allow: 0n, deny: PermissionFlagsBits.SendMessages },
    ]);

    const thread = await channel.threads.create({ name: 'case-1042', type: ChannelType.PrivateThread });
    await thread.members.add(user.id);
    expect(discord.threadsOf(channel.id)).toMatchObject([
      { id: thread.id, type: ChannelType.PrivateThread, memberIds: [discord.botUser.id, user.id] },
    ]);
    await thread.send('An agent will be with you shortly.');
    expect(discord.messagesIn(thread.id).map((m) => m.content)).toEqual([
      'An agent will be with you shortly.',
    ]);
  });

  it('crossposts in announcement channels only', async () => {
    const guild = discord.createGuild({ announcementChannels: ['announcements'] });
    const client = await connect();
    const news = client.channels.cache.get(guild.channels.announcements?.id ?? '');
    const general = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (news?.type !== ChannelType.GuildAnnouncement || general?.type !== ChannelType.GuildText)
      throw new Error('channels');

    const message = await news.send('Version 2.0 is out');
    await message.crosspost();
    expect((discord.message(message.id)?.flags ?? 0) & MessageFlags.Crossposted).toBe(
      MessageFlags.Crossposted,
    );
    const again = apiErrorOf(
      await client.rest.post(Routes.channelMessageCrosspost(news.id, message.id)).catch((e: unknown) => e),
    );
    expect(again.code).toBe(40033);

    const plain = await general.send('not news');
    const wrongType = apiErrorOf(
      await client.rest.post(Routes.channelMessageCrosspost(general.id, plain.id)).catch((e: unknown) => e),
    );
    expect(wrongType.code).toBe(50024);
  });
});

describe('interactions', () => {
  it('slash command → ephemeral reply; a second callback answers 40060; an unknown one 10062', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect();
    await client.application.commands.set(slashCommands);

    let second: unknown;
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply({
        content: `Help is on the way: ${interaction.options.getString('topic')} (${interaction.locale})`,
        flags: MessageFlags.Ephemeral,
      });
      second = await client.rest
        .post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: 4, data: { content: 'again' } },
          auth: false,
        })
        .catch((e: unknown) => e);
    });

    const channelId = guild.channels.general?.id ?? '';
    const handle = discord.invokeSlashCommand(user, guild, channelId, 'helpme', { topic: 'billing' }, 'fr');
    const [response] = await discord.waitFor(
      () => discord.interactionResponses(handle).length > 0 && discord.interactionResponses(handle),
    );
    await discord.waitFor(() => second);

    expect(response).toMatchObject({
      kind: 'callback',
      callbackType: 4,
      content: 'Help is on the way: billing (fr)',
      ephemeral: true,
    });
    expect(apiErrorOf(second).code).toBe(40060);
    // Ephemeral replies are not part of the channel for everyone else.
    expect(discord.messagesIn(channelId)).toEqual([]);
    expect(discord.messagesIn(channelId, { includeEphemeral: true })).toHaveLength(1);

    const unknown = apiErrorOf(
      await client.rest
        .post(Routes.interactionCallback('1234567890123456789', 'nope'), {
          body: { type: 4, data: { content: 'x' } },
          auth: false,
        })
        .catch((e: unknown) => e),
    );
    expect(unknown.code).toBe(10062);
  });

  it('autocomplete (type 4) takes choices (callback 8) only; a message reply to it is refused', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect();
    await client.application.commands.set(slashCommands);
    let refused: unknown;
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isAutocomplete()) return;
      refused = await client.rest
        .post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: 4, data: { content: 'no' } },
          auth: false,
        })
        .catch((e: unknown) => e);
      await interaction.respond([{ name: interaction.options.getFocused(), value: 'billing' }]);
    });
    const channelId = guild.channels.general?.id ?? '';
    const handle = discord.invokeAutocomplete(user, guild, channelId, 'helpme', {
      name: 'topic',
      value: 'bil',
    });
    const [response] = await discord.waitFor(
      () => discord.interactionResponses(handle).length > 0 && discord.interactionResponses(handle),
    );
    expect(response).toMatchObject({ callbackType: 8, choices: [{ name: 'bil', value: 'billing' }] });
    expect(apiErrorOf(refused).code).toBe(50035);
  });

  it('an interaction not answered in time (or expired) is unknown: 10062', async () => {
    const user = discord.createUser();
    const client = await connect();
    await client.application.commands.set(slashCommands);
    const handle = discord.invokeSlashCommand(user, null, discord.sendDm(user, 'hi').channel_id, 'bug');
    discord.expireInteraction(handle);
    const error = apiErrorOf(
      await client.rest
        .post(Routes.interactionCallback(handle.id, handle.token), { body: { type: 5 }, auth: false })
        .catch((e: unknown) => e),
    );
    expect(error.code).toBe(10062);
  });

  it('defer, edit the original, then follow up', async () => {
    const user = discord.createUser();
    const client = await connect();
    await client.application.commands.set(slashCommands);
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply('Case #1042 opened');
      await interaction.followUp({ content: 'An agent will contact you.', flags: MessageFlags.Ephemeral });
    });
    const dm = discord.sendDm(user, 'hi');
    const handle = discord.invokeSlashCommand(user, null, dm.channel_id, 'bug');
    const responses = await discord.waitFor(() => {
      const list = discord.interactionResponses(handle);
      return list.length === 3 && list;
    });
    expect(responses.map((r) => [r.kind, r.callbackType, r.content, r.ephemeral])).toEqual([
      ['callback', 5, '', true],
      ['original-edit', null, 'Case #1042 opened', true],
      ['followup', null, 'An agent will contact you.', true],
    ]);
    // The deferred "thinking" state is gone after the edit.
    expect((discord.message(responses[0]?.messageId ?? '')?.flags ?? 0) & MessageFlags.Loading).toBe(0);
  });

  it('button click → update message', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect();
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');
    const prompt = await channel.send({
      content: 'Was this answer helpful?',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('helpful:yes').setLabel('Yes').setStyle(ButtonStyle.Success),
          new ButtonBuilder().setCustomId('helpful:no').setLabel('No').setStyle(ButtonStyle.Danger),
        ),
      ],
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isButton()) return;
      await interaction.update({ content: `Thanks (${interaction.customId})`, components: [] });
    });

    const handle = discord.clickButton(user, prompt.id, 'helpful:yes');
    await discord.waitFor(() => discord.interactionResponses(handle).length === 1);
    expect(discord.interactionResponses(handle)[0]).toMatchObject({ callbackType: 7, ephemeral: false });
    expect(discord.message(prompt.id)).toMatchObject({ content: 'Thanks (helpful:yes)', components: [] });
    expect(() => discord.clickButton(user, prompt.id, 'helpful:no')).toThrow(/no button/);
  });

  it('button → modal → submit → reply with the fields', async () => {
    const guild = discord.createGuild();
    const user = discord.createUser();
    discord.addMember(guild, user);
    const client = await connect();
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');
    const prompt = await channel.send({
      content: 'Report a bug',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('bug:open').setLabel('Report').setStyle(ButtonStyle.Primary),
        ),
      ],
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isButton()) {
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId('bug:form')
            .setTitle('Bug report')
            .addComponents(
              new ActionRowBuilder<TextInputBuilder>().addComponents(
                new TextInputBuilder()
                  .setCustomId('summary')
                  .setLabel('Summary')
                  .setStyle(TextInputStyle.Short),
              ),
            ),
        );
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({
          content: `Bug filed: ${interaction.fields.getTextInputValue('summary')}`,
          flags: MessageFlags.Ephemeral,
        });
      }
    });

    const click = discord.clickButton(user, prompt.id, 'bug:open');
    await discord.waitFor(() => discord.shownModal(user, 'bug:form'));
    expect(discord.interactionResponses(click)[0]).toMatchObject({
      callbackType: 9,
      modal: { title: 'Bug report' },
    });

    const submit = discord.submitModal(user, 'bug:form', { summary: 'Crash on login' });
    const [reply] = await discord.waitFor(
      () => discord.interactionResponses(submit).length > 0 && discord.interactionResponses(submit),
    );
    expect(reply).toMatchObject({ callbackType: 4, content: 'Bug filed: Crash on login', ephemeral: true });
    expect(discord.shownModal(user, 'bug:form')).toBeUndefined();
  });
});

describe('application commands', () => {
  it('registers global and guild commands with valid localizations', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    await client.application.commands.set([
      {
        name: 'helpme',
        description: 'Ask for help',
        nameLocalizations: { fr: 'aide', 'es-ES': 'ayuda' },
        descriptionLocalizations: { fr: "Demander de l'aide" },
      },
    ]);
    await client.application.commands.set([{ name: 'case', description: 'Manage cases' }], guild.id);

    expect(discord.registeredCommands()).toMatchObject([
      { name: 'helpme', name_localizations: { fr: 'aide', 'es-ES': 'ayuda' } },
    ]);
    expect(discord.registeredCommands(guild).map((c) => c.name)).toEqual(['case']);
    const fetched = await client.application.commands.fetch();
    expect(fetched.map((c) => c.name)).toEqual(['helpme']);
  });

  it('refuses a locale Discord does not support (ar) with 50035, like Discord', async () => {
    const client = await connect();
    const error = apiErrorOf(
      await client.application.commands
        .set([
          {
            name: 'helpme',
            description: 'Ask for help',
            nameLocalizations: { ar: 'مساعدة' } as Record<string, string>,
          },
        ])
        .catch((e: unknown) => e),
    );
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({
      errors: { '0': { name_localizations: { ar: { _errors: [{}] } } } },
    });
    expect(discord.registeredCommands()).toEqual([]);

    const badName = apiErrorOf(
      await client.application.commands.set([{ name: 'Help Me', description: 'x' }]).catch((e: unknown) => e),
    );
    expect(badName.code).toBe(50035);
  });
});

describe('rate limits and failures', () => {
  it('a low per-route limit: discord.js queues on the headers, every message arrives in order', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const route = 'POST /channels/:channel_id/messages';
    discord.setRateLimit(route, { limit: 2, windowMs: 300 });
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');

    await Promise.all(Array.from({ length: 8 }, (_, i) => channel.send(`message ${i}`)));

    expect(discord.messagesIn(channel.id).map((m) => m.content)).toEqual(
      Array.from({ length: 8 }, (_, i) => `message ${i}`),
    );
    const statuses = discord.requests({ route }).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    // X-RateLimit-Remaining/Reset-After let discord.js wait instead of colliding.
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
  });

  it('an unannounced 429 (shared scope) is absorbed: discord.js waits retry_after and retries', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const route = 'POST /channels/:channel_id/messages';
    // discord.js reports an unexpected 429 (with the scope header it read) on its debug channel.
    const debug: string[] = [];
    client.rest.on('restDebug', (line) => debug.push(line));
    discord.rateLimitNext(route, 1, 200);
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');

    await channel.send('after the limit');

    expect(discord.requests({ route }).map((r) => r.status)).toEqual([429, 200]);
    const unexpected = debug.filter((line) => line.includes('Encountered unexpected 429 rate limit'));
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]).toMatch(/Scope\s+: shared/);
    expect(discord.messagesIn(channel.id).map((m) => m.content)).toEqual(['after the limit']);
  });

  it('a global limit answers 429 with X-RateLimit-Global; all messages still arrive', async () => {
    const guild = discord.createGuild({ textChannels: ['a', 'b', 'c', 'd'] });
    const client = await connect();
    discord.setGlobalRateLimit({ limit: 3, windowMs: 300 });
    const sends = Object.values(guild.channels).map(async (c) => {
      const channel = client.channels.cache.get(c.id);
      if (!channel?.isSendable()) throw new Error('not sendable');
      await channel.send('one');
      await channel.send('two');
    });
    await Promise.all(sends);
    for (const c of Object.values(guild.channels)) {
      expect(discord.messagesIn(c.id).map((m) => m.content)).toEqual(['one', 'two']);
    }
    const tooMany = discord.requests({ status: 429 });
    // Each 429 tells discord.js to pause every route, so a handful at most, never one per request.
    expect(tooMany.length).toBeLessThan(8);
  });

  it("429s have Discord's shape: a route's bucket headers and scope user; a global one X-RateLimit-Global", async () => {
    discord.setRateLimit('POST /channels/:channel_id/messages', { limit: 1, windowMs: 5_000 });
    discord.setGlobalRateLimit({ limit: 3, windowMs: 5_000 });
    const guild = discord.createGuild({ textChannels: ['a', 'b'] });
    const post = (channel: string) =>
      fetch(`${discord.url}/api/v10/channels/${channel}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'hi' }),
      });
    const a = guild.channels.a?.id ?? '';
    const b = guild.channels.b?.id ?? '';
    const first = await post(a);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('1');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(4.9);
    expect(Number(first.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() + 4_000);
    expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]+$/);
    expect(first.headers.has('x-ratelimit-scope')).toBe(false);

    const route = await post(a);
    expect(route.status).toBe(429);
    expect(route.headers.get('x-ratelimit-scope')).toBe('user');
    expect(route.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(route.headers.get('x-ratelimit-bucket')).toBe(first.headers.get('x-ratelimit-bucket'));
    expect(route.headers.has('x-ratelimit-global')).toBe(false);
    const routeBody = (await route.json()) as { retry_after: number; global: boolean; message: string };
    expect(routeBody).toMatchObject({ global: false, message: 'You are being rate limited.' });
    expect(routeBody.retry_after).toBeGreaterThan(4.9);
    expect(Number(route.headers.get('retry-after'))).toBeCloseTo(routeBody.retry_after, 2);

    // The refused request counted against the global limit too (3 per window): one more, then global 429s.
    expect((await post(b)).status).toBe(200);
    const global = await post(b);
    expect(global.status).toBe(429);
    expect(global.headers.get('x-ratelimit-global')).toBe('true');
    expect(global.headers.get('x-ratelimit-scope')).toBe('global');
    expect(global.headers.has('x-ratelimit-bucket')).toBe(false);
    expect(await global.json()).toMatchObject({ global: true, message: 'You are being rate limited.' });
    expect(discord.globalRateLimitWindows()).toEqual([{ openedAt: expect.any(Number), count: 3 }]);
  });

  it('retries 500s: two failures then success; four failures surface as HTTPError', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const route = 'POST /channels/:channel_id/messages';
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');

    discord.failNext(route, 2);
    await channel.send('eventually');
    expect(discord.requests({ route }).map((r) => r.status)).toEqual([500, 500, 200]);

    discord.failNext(route, 4);
    const error = await channel.send('never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect(discord.messagesIn(channel.id).map((m) => m.content)).toEqual(['eventually']);
  });

  it('failNext with skip lets the next requests through and fails the ones after them', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const route = 'POST /channels/:channel_id/messages';
    const channel = client.channels.cache.get(guild.channels.general?.id ?? '');
    if (!channel?.isSendable()) throw new Error('not sendable');

    discord.failNext(route, 2, 503, { skip: 1 });
    await channel.send('first');
    await channel.send('second');
    expect(discord.requests({ route }).map((r) => r.status)).toEqual([200, 503, 503, 200]);
    expect(discord.messagesIn(channel.id).map((m) => m.content)).toEqual(['first', 'second']);
    expect(() => discord.failNext(route, 1, 500, { skip: -1 })).toThrow(/skip/);
  });

  it('"stored, then 500": the message exists though the response failed; enforce_nonce returns it on a resend', async () => {
    const guild = discord.createGuild();
    const client = await connect();
    const route = 'POST /channels/:channel_id/messages';
    const channelId = guild.channels.general?.id ?? '';
    const body = { content: 'once', nonce: 'part-1', enforce_nonce: true };
    discord.failNext(route, 1, 500, { afterStoring: true });
    // discord.js retries the 500 itself here: the retry carries the same nonce and gets the stored message.
    const sent = (await client.rest.post(Routes.channelMessages(channelId), { body })) as { id: string };
    expect(discord.requests({ route }).map((r) => r.status)).toEqual([500, 200]);
    expect(discord.messagesIn(channelId).map((m) => m.id)).toEqual([sent.id]);
    // The same nonce without enforce_nonce is a new message, as on Discord.
    await client.rest.post(Routes.channelMessages(channelId), {
      body: { content: 'twice', nonce: 'part-1' },
    });
    expect(discord.messagesIn(channelId).map((m) => m.content)).toEqual(['once', 'twice']);
    await expect(
      client.rest.post(Routes.channelMessages(channelId), { body: { content: 'x', enforce_nonce: 'yes' } }),
    ).rejects.toThrow(/enforce_nonce|Invalid Form Body/);
  });

  it('answers 401 for a wrong token', async () => {
    const client = new Client({ intents: [], rest: { api: `${discord.url}/api` } });
    clients.push(client);
    await expect(client.login('wrong.token')).rejects.toThrow();
  });
});
