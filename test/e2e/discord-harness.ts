import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DiscordConnector } from '../../src/channels/discord/discord-connector.ts';
import { loadConfig } from '../../src/config.ts';
import type { Agent, Conversation } from '../../src/core/model.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import type { ApiMessage, ApiUser } from '../support/discord-emulator/api-objects.ts';
import {
  DiscordEmulator,
  type DiscordEmulatorOptions,
  type EmulatedGuild,
} from '../support/discord-emulator/discord-emulator.ts';
import { eventually } from '../support/eventually.ts';
import { useSuiteResource } from '../support/suite-resource.ts';

export const ADMIN_PASSWORD = 'admin-password-42';

export interface DiscordWorld {
  discord: DiscordEmulator;
  guild: EmulatedGuild;
  /** Every server the bot is in: `guild` first, then those asked for with `servers`. */
  guilds: EmulatedGuild[];
  switchboard: Switchboard;
  connector: DiscordConnector;
  /** The HTTP base URL of the running Switchboard. */
  base: string;
  /** A Discord user who is a member of the guild (or of `input.guild`). */
  member(input?: {
    username?: string;
    dmsClosed?: boolean;
    locale?: string;
    guild?: EmulatedGuild;
    /** Role ids in the guild, when and whether they boost, when they joined. */
    roles?: string[];
    joinedAt?: string;
    premiumSince?: string | null;
  }): ApiUser;
  /** An available agent the router can offer conversations to. */
  agent(name: string, capacity?: number, skills?: string[]): Promise<Agent>;
  /** Messages the bot sent in the member's DM, oldest first. */
  botDms(user: ApiUser): ApiMessage[];
  /** Waits until the bot's DMs to the member satisfy `probe`. */
  waitForDms<T>(
    user: ApiUser,
    probe: (dms: ApiMessage[]) => T | undefined | null | false,
    what: string,
  ): Promise<T>;
  close(): Promise<void>;
}

export interface DiscordWorldOptions {
  emulator?: Partial<DiscordEmulatorOptions>;
  env?: Record<string, string>;
  /** More servers the bot is in besides Acme, by name, each with the same channels. */
  servers?: string[];
}

/**
 * The real Switchboard (the same `createSwitchboard` as `npm start`, SQLite in a temporary folder, the
 * sample knowledge base) with its Discord connector logged in to a Discord API emulator through the real
 * discord.js. The guild has the `bug-report`, `feature-request` and `customer-service` channels.
 */
export async function startDiscordWorld(options: DiscordWorldOptions = {}): Promise<DiscordWorld> {
  const discord = await DiscordEmulator.start(options.emulator);
  const textChannels = ['general', 'bug-report', 'feature-request', 'customer-service'];
  const guild = discord.createGuild({ name: 'Acme', textChannels });
  const guilds = [
    guild,
    ...(options.servers ?? []).map((name) => discord.createGuild({ name, textChannels })),
  ];
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-discord-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHBOARD_PUBLIC_URL: 'http://switchboard.test',
    LOG_LEVEL: 'silent',
    // The knowledge virtual agent is being tuned elsewhere; a low bar keeps "answers with articles" stable here.
    SWITCHBOARD_VA_CONFIDENCE_THRESHOLD: '0.1',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: `${discord.url}/api`,
    DISCORD_GUILD_IDS: guilds.map((g) => g.id).join(','),
    ...options.env,
  });
  const switchboard = await createSwitchboard(config, { announce: () => {} });
  const base = await switchboard.start();
  const connector = switchboard.center.connectors.get('discord') as DiscordConnector;
  let agents = 0;
  const botDms = (user: ApiUser) =>
    discord.dmMessages(user).filter((m) => m.author.id === discord.botUser.id);
  return {
    discord,
    guild,
    guilds,
    switchboard,
    connector,
    base,
    member(input = {}) {
      const { guild: memberOf = guild, roles, joinedAt, premiumSince, ...profile } = input;
      const user = discord.createUser(profile);
      discord.addMember(memberOf, user, {
        ...(roles ? { roles } : {}),
        ...(joinedAt ? { joinedAt } : {}),
        ...(premiumSince !== undefined ? { premiumSince } : {}),
      });
      return user;
    },
    async agent(name, capacity = 3, skills = []) {
      agents += 1;
      const agent = await switchboard.center.agents.create({
        email: `agent${agents}@example.com`,
        name,
        role: 'agent',
        capacity,
        skills,
        password: 'agent-password-42',
      });
      return switchboard.center.agents.setPresence(agent.id, 'available');
    },
    botDms,
    waitForDms(user, probe, what) {
      return discord.waitFor(() => probe(botDms(user)), 10_000, what);
    },
    async close() {
      await switchboard.stop();
      await discord.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Discord world of the enclosing `describe`, started before its tests and closed after them. */
export function useDiscordWorld(options: DiscordWorldOptions = {}): DiscordWorld {
  return useSuiteResource(
    'the Discord world',
    () => startDiscordWorld(options),
    (world) => world.close(),
  );
}

/** Button custom ids of a message, row by row. */
export function buttonsOf(message: ApiMessage | undefined): string[][] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.map((row) => (row.components ?? []).map((b) => b.custom_id ?? ''));
}

/** A member talking to `agent`: handed off, offered to the agent and accepted. */
export async function assignedMember(
  w: DiscordWorld,
  agent: Agent,
  username: string,
): Promise<{ member: ApiUser; conversation: Conversation }> {
  const center = w.switchboard.center;
  const member = w.member({ username });
  w.discord.sendDm(member, 'agent');
  await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
  const contact = await center.store.contacts.findByIdentity('discord', member.id);
  const [conversation] = await center.conversations.list({ contactId: contact!.id });
  const [offer] = await eventually('an offer', () =>
    center.store.reservations
      .list({ agentId: agent.id, status: 'pending', conversationId: conversation!.id })
      .then((r) => (r.length ? r : null)),
  );
  await center.router.accept(offer!.id, agent.id);
  await w.waitForDms(
    member,
    (d) => d.find((m) => m.content === `${agent.name} joined the conversation.`),
    'joined',
  );
  return { member, conversation: conversation! };
}

/** The texts `agent` sent the member, without the bold name line the bot puts before an agent's reply. */
export function agentTexts(w: DiscordWorld, agent: Agent, member: ApiUser): string[] {
  const prefix = `**${agent.name}**\n`;
  return w
    .botDms(member)
    .map((m) => m.content)
    .filter((c) => c.startsWith(prefix))
    .map((c) => c.slice(prefix.length));
}

export { eventually } from '../support/eventually.ts';
