import { type APIChannel, type APIGuild, type APIGuildMember, type APIRole, Routes } from 'discord.js';
import type { SettingRepository } from '../../core/ports/repositories.ts';
import { discordCode } from './discord-errors.ts';
import { type DiscordTextKey, t } from './discord-texts.ts';

/**
 * Brand server setup: a category with the official channels (announcements, bug-report, feature-request,
 * customer-service), created or linked idempotently, with permission overwrites; their ids are stored
 * per guild so that the connector and announcements find them whatever an admin later renames them to.
 */

/** The channels setup creates, by the key they are stored under (also their default name). */
export const setupChannelKeys = [
  'announcements',
  'bug-report',
  'feature-request',
  'customer-service',
] as const;
export type SetupChannelKey = (typeof setupChannelKeys)[number];

/** What is stored per guild (setting `discord:guild-setup:<guildId>`). */
export interface GuildSetup {
  guildId: string;
  /** The Official category; null when every channel already existed elsewhere (no empty category is made). */
  categoryId: string | null;
  channels: Record<SetupChannelKey, string>;
  /** Whether `announcements` is a Discord announcement channel (type 5), whose posts can be published. */
  announcementChannel: boolean;
}

export type SetupOutcome = 'created' | 'linked' | 'failed';

/**
 * What became of a channel's permissions: `set` (setup wrote them), `already` (they were as promised),
 * `kept` (an existing channel whose members' permissions setup leaves as they were), `failed` (setup could
 * not write them; `detail` says why), null for the category.
 */
export type PermissionOutcome = 'set' | 'already' | 'kept' | 'failed';

export interface SetupStep {
  /** `category` or one of the channel keys. */
  item: 'category' | SetupChannelKey;
  outcome: SetupOutcome;
  channelId: string | null;
  permissions: PermissionOutcome | null;
  detail: string | null;
}

export interface SetupReport {
  guildId: string;
  /** The server's name, to say which server this is (null when it could not be read). */
  guildName: string | null;
  ok: boolean;
  steps: SetupStep[];
  /** Why nothing was done (missing permission, unknown guild), when the run stopped before creating anything. */
  problem: string | null;
}

/** The slice of discord.js's REST client setup needs (the connector's client or a bare `REST` in the CLI). */
export interface SetupRest {
  get(route: `/${string}`): Promise<unknown>;
  post(route: `/${string}`, options: { body: unknown }): Promise<unknown>;
  put(route: `/${string}`, options: { body: unknown }): Promise<unknown>;
  delete(route: `/${string}`): Promise<unknown>;
}

export interface DiscordSetupOptions {
  categoryName: string;
  /** Roles (names or ids) that may post in announcements besides the bot. */
  adminRoles: string[];
}

export const defaultDiscordSetupOptions: DiscordSetupOptions = {
  categoryName: 'Official',
  adminRoles: [],
};

export const guildSetupKey = (guildId: string) => `discord:guild-setup:${guildId}`;

/** Permission bits (as on Discord's API). */
const P = {
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  ManageRoles: 1n << 28n,
  ManageThreads: 1n << 34n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

const ChannelType = { Text: 0, Category: 4, Announcement: 5 } as const;

/** The guild settings the connector and announcements read the stored channel ids from. */
export async function loadGuildSetup(
  settings: SettingRepository,
  guildId: string,
): Promise<GuildSetup | null> {
  return (await settings.get<GuildSetup>(guildSetupKey(guildId))) ?? null;
}

export class DiscordSetup {
  readonly options: DiscordSetupOptions;

  constructor(
    private readonly rest: SetupRest,
    private readonly botUserId: string,
    private readonly settings: SettingRepository,
    options: Partial<DiscordSetupOptions> = {},
  ) {
    this.options = { ...defaultDiscordSetupOptions, ...options };
  }

  /** Creates or links the category and channels of one guild; a second run only links. */
  async run(guildId: string): Promise<SetupReport> {
    const report: SetupReport = { guildId, guildName: null, ok: false, steps: [], problem: null };
    let guild: APIGuild;
    let roles: APIRole[];
    let channels: APIChannel[];
    let botMember: APIGuildMember;
    try {
      guild = (await this.rest.get(Routes.guild(guildId))) as APIGuild;
      roles = (await this.rest.get(Routes.guildRoles(guildId))) as APIRole[];
      channels = (await this.rest.get(Routes.guildChannels(guildId))) as APIChannel[];
      botMember = (await this.rest.get(Routes.guildMember(guildId, this.botUserId))) as APIGuildMember;
    } catch (error) {
      report.problem = `cannot read server ${guildId} (is the bot in it?): ${describe(error)}`;
      return report;
    }
    report.guildName = guild.name;
    const server = `"${guild.name}"`;
    const stored = await loadGuildSetup(this.settings, guildId);
    const byId = new Map(channels.map((c) => [c.id, c]));
    const category =
      (stored?.categoryId ? byId.get(stored.categoryId) : undefined) ??
      channels.find((c) => c.type === ChannelType.Category && c.name === this.options.categoryName);
    const found = new Map<SetupChannelKey, APIChannel>();
    for (const key of setupChannelKeys) {
      const storedId = stored?.channels[key];
      const channel =
        (storedId ? byId.get(storedId) : undefined) ??
        channels.find(
          (c) => (c.type === ChannelType.Text || c.type === ChannelType.Announcement) && c.name === key,
        );
      if (channel) found.set(key, channel);
    }

    // Check before creating anything, so that a bot without the rights leaves no half-made category.
    const botPermissions = guildPermissions(guild, roles, botMember, this.botUserId);
    const missing: string[] = [];
    // A category is only made for channels setup creates: linked channels stay where the admin put them.
    const needsCreating = found.size < setupChannelKeys.length;
    if (needsCreating) {
      if ((botPermissions & P.ManageChannels) === 0n) missing.push('Manage Channels');
      if ((botPermissions & P.ManageRoles) === 0n) missing.push('Manage Roles');
    }
    const adminRoleIds: string[] = [];
    const unknownRoles: string[] = [];
    for (const ref of this.options.adminRoles) {
      const role = roles.find((r) => r.id === ref || r.name === ref);
      if (role) adminRoleIds.push(role.id);
      else unknownRoles.push(ref);
    }
    if (missing.length > 0) {
      report.problem = `the bot lacks ${missing.join(' and ')} in server ${server}; nothing was created`;
      return report;
    }

    const created: string[] = [];
    try {
      let categoryId: string | null = null;
      if (category) {
        categoryId = category.id;
        report.steps.push({
          item: 'category',
          outcome: 'linked',
          channelId: categoryId,
          permissions: null,
          detail: null,
        });
      } else if (needsCreating) {
        const made = (await this.rest.post(Routes.guildChannels(guildId), {
          body: { name: this.options.categoryName, type: ChannelType.Category },
        })) as APIChannel;
        created.push(made.id);
        categoryId = made.id;
        report.steps.push({
          item: 'category',
          outcome: 'created',
          channelId: categoryId,
          permissions: null,
          detail: null,
        });
      }
      const features: readonly string[] = guild.features;
      const canAnnounce = features.includes('NEWS') || features.includes('COMMUNITY');
      const ids = {} as Record<SetupChannelKey, string>;
      for (const key of setupChannelKeys) {
        const existing = found.get(key);
        if (existing) {
          ids[key] = existing.id;
          report.steps.push(await this.linkExisting(key, existing, guildId, adminRoleIds, botPermissions));
          continue;
        }
        const type = key === 'announcements' && canAnnounce ? ChannelType.Announcement : ChannelType.Text;
        const made = (await this.rest.post(Routes.guildChannels(guildId), {
          body: {
            name: key,
            type,
            ...(categoryId ? { parent_id: categoryId } : {}),
            permission_overwrites: this.overwrites(key, guildId, adminRoleIds, botPermissions),
          },
        })) as APIChannel;
        created.push(made.id);
        ids[key] = made.id;
        report.steps.push({
          item: key,
          outcome: 'created',
          channelId: made.id,
          permissions: 'set',
          detail:
            key === 'announcements' && type === ChannelType.Text ? 'text channel (server has no NEWS)' : null,
        });
      }
      const announcements = found.get('announcements');
      const setup: GuildSetup = {
        guildId,
        categoryId,
        channels: ids,
        announcementChannel: announcements ? announcements.type === ChannelType.Announcement : canAnnounce,
      };
      if (JSON.stringify(stored) !== JSON.stringify(setup))
        await this.settings.set(guildSetupKey(guildId), setup);
      report.ok = true;
      if (unknownRoles.length > 0)
        report.steps.push({
          item: 'announcements',
          outcome: 'failed',
          channelId: ids.announcements,
          permissions: null,
          detail: `admin roles not found in the server: ${unknownRoles.join(', ')}`,
        });
      return report;
    } catch (error) {
      // Undo what this run made, so a retry starts from the same state as before; name what stays behind.
      const leftOver: string[] = [];
      for (const id of created.reverse()) {
        try {
          await this.rest.delete(Routes.channel(id));
        } catch (undoError) {
          leftOver.push(`${id} (${describe(undoError)})`);
        }
      }
      report.steps = report.steps.filter((s) => s.outcome === 'linked');
      report.problem =
        leftOver.length === 0
          ? `setup of server ${server} failed and was undone: ${describe(error)}`
          : `setup of server ${server} failed: ${describe(error)}; channels it created could not be removed (delete them by hand): ${leftOver.join(', ')}`;
      return report;
    }
  }

  /**
   * A channel that already existed. Announcements get the promised permissions (only the bot and the admin
   * roles post), written over what was there: an open #announcements is what setup exists to close. In
   * the other channels members keep the permissions the admin gave them (closing a busy #customer-service
   * would silence it); only the bot is allowed what it needs there. Either way the step says which.
   */
  private async linkExisting(
    key: SetupChannelKey,
    channel: APIChannel,
    guildId: string,
    adminRoleIds: string[],
    botPermissions: bigint,
  ): Promise<SetupStep> {
    const wanted = this.overwrites(key, guildId, adminRoleIds, botPermissions).filter(
      (o) => key === 'announcements' || o.id === this.botUserId,
    );
    const current = 'permission_overwrites' in channel ? (channel.permission_overwrites ?? []) : [];
    const changes = wanted.flatMap((o) => {
      const had = current.find((c) => c.id === o.id);
      const hadAllow = BigInt(had?.allow ?? '0');
      const hadDeny = BigInt(had?.deny ?? '0');
      const allow = (hadAllow | BigInt(o.allow)) & ~BigInt(o.deny);
      const deny = (hadDeny | BigInt(o.deny)) & ~BigInt(o.allow);
      return had && allow === hadAllow && deny === hadDeny
        ? []
        : [{ id: o.id, type: o.type, allow: String(allow), deny: String(deny) }];
    });
    const step = (permissions: PermissionOutcome, detail: string | null): SetupStep => ({
      item: key,
      outcome: 'linked',
      channelId: channel.id,
      permissions,
      detail,
    });
    // What the outcome means is said by formatSetupReport, in the reader's language.
    if (changes.length === 0) return step(key === 'announcements' ? 'already' : 'kept', null);
    const grantable = (botPermissions & P.Administrator) !== 0n ? ~0n : botPermissions;
    if ((grantable & P.ManageRoles) === 0n)
      return step('failed', 'left as it was: the bot lacks Manage Roles to set its permissions');
    // The bot's own overwrite first: once @everyone may not post, the bot could not grant itself posting.
    changes.sort((a, b) => Number(b.id === this.botUserId) - Number(a.id === this.botUserId));
    try {
      for (const change of changes)
        await this.rest.put(Routes.channelPermission(channel.id, change.id), {
          body: { type: change.type, allow: change.allow, deny: change.deny },
        });
    } catch (error) {
      return step('failed', `permissions not (all) set: ${describe(error)}`);
    }
    return step(key === 'announcements' ? 'set' : 'kept', null);
  }

  /** @everyone reads but does not post; the bot (and for announcements the admin roles) post. */
  private overwrites(key: SetupChannelKey, guildId: string, adminRoleIds: string[], botPermissions: bigint) {
    const grantable = (botPermissions & P.Administrator) !== 0n ? ~0n : botPermissions;
    const botAllow =
      (P.ViewChannel |
        P.SendMessages |
        P.EmbedLinks |
        P.ReadMessageHistory |
        (key === 'customer-service'
          ? P.CreatePrivateThreads | P.SendMessagesInThreads | P.ManageThreads
          : 0n)) &
      grantable;
    const list = [
      { id: guildId, type: 0, allow: String(P.ViewChannel), deny: String(P.SendMessages) },
      { id: this.botUserId, type: 1, allow: String(botAllow), deny: '0' },
    ];
    if (key === 'announcements')
      for (const id of adminRoleIds)
        list.push({ id, type: 0, allow: String(P.ViewChannel | P.SendMessages), deny: '0' });
    return list;
  }
}

/** The bot's server-wide permissions: @everyone plus its roles; owner and Administrator hold all. */
function guildPermissions(guild: APIGuild, roles: APIRole[], member: APIGuildMember, userId: string): bigint {
  if (guild.owner_id === userId) return ~0n;
  let bits = BigInt(roles.find((r) => r.id === guild.id)?.permissions ?? '0');
  for (const id of member.roles) bits |= BigInt(roles.find((r) => r.id === id)?.permissions ?? '0');
  return (bits & P.Administrator) !== 0n ? ~0n : bits;
}

function describe(error: unknown): string {
  const code = discordCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === null || code === undefined ? message : `${message} (Discord code ${code})`;
}

/** How a server is named in reports: by its name, with the id only when the name is unknown. */
export function serverLabel(report: SetupReport): string {
  return report.guildName ? `"${report.guildName}"` : report.guildId;
}

/** One line per step, for the CLI and the `/setup` reply: what was created, linked, and left as it was. */
export function formatSetupReport(
  report: SetupReport,
  where: (id: string) => string = (id) => `<#${id}>`,
  language: string | null = 'en',
): string {
  const server = serverLabel(report);
  const lines = [t(report.ok ? 'setupDone' : 'setupNotDone', language, { server })];
  if (report.problem) lines.push(t('setupCouldNot', language, { problem: report.problem }));
  for (const step of report.steps) {
    const at = step.channelId ? ` ${where(step.channelId)}` : '';
    const permissions = step.permissions ? `, ${t(permissionTexts[step.permissions], language)}` : '';
    // A linked channel says what its permissions now are; a failure or a created channel says its detail.
    const rule =
      step.outcome === 'linked' && step.permissions && step.permissions !== 'failed'
        ? t(step.item === 'announcements' ? 'setupAnnouncementsRule' : 'setupKeptRule', language)
        : null;
    const detail = step.detail ?? rule;
    lines.push(
      `- ${step.item}: ${t(outcomeTexts[step.outcome], language)}${at}${permissions}${detail ? ` (${detail})` : ''}`,
    );
  }
  if (report.ok && !report.steps.some((s) => s.item === 'category'))
    lines.push(`- ${t('setupNoCategory', language)}`);
  return lines.join('\n');
}

const outcomeTexts = {
  created: 'setupCreated',
  linked: 'setupLinked',
  failed: 'setupFailed',
} as const satisfies Record<SetupOutcome, DiscordTextKey>;

const permissionTexts = {
  set: 'setupPermissionsSet',
  already: 'setupPermissionsAlready',
  kept: 'setupPermissionsKept',
  failed: 'setupPermissionsFailed',
} as const satisfies Record<PermissionOutcome, DiscordTextKey>;
