import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { ApiMessage, ApiUser } from '../../test/support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
} from '../../test/support/discord-emulator/discord-emulator.ts';

/**
 * The baseline of the Discord benchmarks: an emulator feeding a bare discord.js client with the Discord
 * connector's intents and partials that only counts what arrives.
 */
export interface BareDiscord {
  discord: DiscordEmulator;
  client: Client;
  members: ApiUser[];
  /** DM channel of each member, known once the member has written. */
  dmChannels: string[];
  counted: number;
  close(): Promise<void>;
}

export interface BareDiscordOptions {
  members: number;
  emulator: Partial<DiscordEmulatorOptions>;
  /** Every message the bare client receives (its `messageCreate`). */
  onInbound(messageId: string): void;
  /** Every message the bot posted, as the emulator stored it. */
  onOutbound(message: ApiMessage): void;
}

export async function startBareDiscord(options: BareDiscordOptions): Promise<BareDiscord> {
  const discord = await DiscordEmulator.start(options.emulator);
  const guild = discord.createGuild({ name: 'Baseline' });
  const members = Array.from({ length: options.members }, (_, i) => {
    const user = discord.createUser({ username: `base${i}` });
    discord.addMember(guild, user);
    return user;
  });
  // The connector's intents and partials, and nothing else.
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    partials: [Partials.Channel],
    rest: { api: `${discord.url}/api` },
  });
  const baseline: BareDiscord = {
    discord,
    client,
    members,
    dmChannels: [],
    counted: 0,
    async close() {
      await client.destroy();
      await discord.close();
    },
  };
  client.on(Events.MessageCreate, (message) => {
    baseline.counted += 1;
    options.onInbound(message.id);
  });
  discord.onMessage((message) => {
    if (message.author.bot) options.onOutbound(message);
  });
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  return baseline;
}
