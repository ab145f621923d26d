import { type APIChannel, type Guild, Routes } from 'discord.js';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import {
  type DiscordContext,
  deliveryNonce,
  GUILD_TEXT,
  PRIVATE_THREAD,
  settingKeys,
  type ThreadReason,
  type ThreadRecord,
} from './discord-context.ts';
import { toConnectorError } from './discord-errors.ts';
import { loadGuildSetup, type SetupChannelKey } from './discord-setup.ts';
import { t } from './discord-texts.ts';

/**
 * The private support thread of members whose DMs are closed, and the server each member is known in.
 * Read from the store (not kept in memory), so that every instance sees a thread another one opened or
 * forgot at once.
 */
export class SupportThreads {
  /** Threads being opened by this instance, so that concurrent sends to one member open one. */
  private readonly opening = new Map<string, Promise<ThreadRecord>>();

  constructor(private readonly ctx: Omit<DiscordContext, 'threads'>) {}

  /** The member's support thread, finishing an opening left half done. */
  async threadFor(userId: string): Promise<ThreadRecord | null> {
    const record = await this.storedThread(userId);
    if (record && !record.ready) return this.openThreadFor(userId);
    return record;
  }

  private async storedThread(userId: string): Promise<ThreadRecord | null> {
    return (await this.ctx.core.store.settings.get<ThreadRecord>(settingKeys.thread(userId))) ?? null;
  }

  /** Opens (once per member, even under concurrent sends) a private thread in the customer-service channel. */
  openThreadFor(userId: string, reason: ThreadReason = 'dms-closed'): Promise<ThreadRecord> {
    const running = this.opening.get(userId);
    if (running) return running;
    const work = this.doOpenThread(userId, reason).finally(() => this.opening.delete(userId));
    this.opening.set(userId, work);
    return work;
  }

  private async doOpenThread(userId: string, reason: ThreadReason): Promise<ThreadRecord> {
    const { ctx } = this;
    const rest = ctx.rest();
    const language = await ctx.languageOf(userId, null);
    let record = await this.storedThread(userId);
    if (!record) {
      const guild = await this.guildOf(userId);
      // An instance without a gateway session knows no server: the one holding the gateway opens the thread
      // (its dispatcher takes the message on a later attempt), so this is worth retrying, not a refusal.
      const standby = (ctx.client()?.guilds.cache.size ?? 0) === 0;
      if (!guild)
        throw new ConnectorError(
          standby
            ? `cannot DM user ${userId}; this instance holds no gateway session to find their server and open a thread`
            : `cannot DM user ${userId} and no server is known to open a thread in`,
          standby,
        );
      const parent = await this.officialChannel(
        guild,
        'customer-service',
        ctx.options.customerServiceChannel,
      );
      if (!parent)
        throw new ConnectorError(
          `cannot DM user ${userId} and server ${guild.id} has no "${ctx.options.customerServiceChannel}" channel`,
          false,
        );
      const user = await ctx
        .client()
        ?.users.fetch(userId)
        .catch(() => null);
      const name = t('threadName', language, { member: user?.username ?? userId }).slice(0, 100);
      try {
        const thread = (await rest.post(Routes.threads(parent), {
          body: { name, type: PRIVATE_THREAD, invitable: false, auto_archive_duration: 10080 },
        })) as APIChannel;
        record = { threadId: thread.id, guildId: guild.id, ready: false, reason };
      } catch (error) {
        throw toConnectorError(error, `open a support thread for ${userId} in ${parent}`);
      }
      await this.saveThread(userId, record);
    }
    try {
      await rest.put(Routes.threadMembers(record.threadId, userId));
      // Its nonce is the thread's: a retry after a lost answer (or another instance finishing the same
      // opening) does not welcome the member twice.
      await rest.post(Routes.channelMessages(record.threadId), {
        body: {
          content: t(record.reason === 'private-mode' ? 'privateThreadWelcome' : 'threadWelcome', language, {
            member: `<@${userId}>`,
          }),
          allowed_mentions: { users: [userId] },
          nonce: deliveryNonce(`thread-welcome:${record.threadId}`, 0),
          enforce_nonce: true,
        },
      });
    } catch (error) {
      throw toConnectorError(error, `add ${userId} to support thread ${record.threadId}`);
    }
    record = { ...record, ready: true };
    await this.saveThread(userId, record);
    const pending = ctx.pendingReplies.take(userId);
    if (pending) {
      await pending
        .editReply({
          content: t(
            record.reason === 'private-mode' ? 'continueInPrivateThread' : 'continueInThread',
            language,
            {
              thread: `<#${record.threadId}>`,
            },
          ),
        })
        .catch((error: unknown) =>
          ctx.options.log.warn({ err: error, userId }, 'could not tell the member where the thread is'),
        );
    }
    ctx.options.log.info(
      { userId, threadId: record.threadId, reason: record.reason ?? 'dms-closed' },
      record.reason === 'private-mode'
        ? 'private-thread mode: opened a private support thread'
        : 'DMs closed: opened a private support thread',
    );
    return record;
  }

  private async saveThread(userId: string, record: ThreadRecord): Promise<void> {
    await this.ctx.core.store.transaction(async (tx) => {
      await tx.settings.set(settingKeys.thread(userId), record);
      await tx.settings.set(settingKeys.threadOwner(record.threadId), userId);
    });
  }

  async forgetThread(userId: string, threadId: string): Promise<void> {
    await this.ctx.core.store.transaction(async (tx) => {
      await tx.settings.set(settingKeys.thread(userId), null);
      await tx.settings.set(settingKeys.threadOwner(threadId), null);
    });
  }

  /** Whose support thread this is (null for any other thread), from the store like `threadFor`. */
  async threadOwner(threadId: string): Promise<string | null> {
    return (await this.ctx.core.store.settings.get<string>(settingKeys.threadOwner(threadId))) ?? null;
  }

  /** The server to open a member's thread in: where they last used a command, else any shared server. */
  async guildOf(userId: string): Promise<Guild | null> {
    const client = this.ctx.client();
    if (!client) return null;
    const known = await this.ctx.core.store.settings.get<string>(settingKeys.guild(userId));
    const cached = known ? client.guilds.cache.get(known) : undefined;
    if (cached) return cached;
    const candidates = this.ctx.options.guildIds.length
      ? this.ctx.options.guildIds.map((id) => client.guilds.cache.get(id)).filter((g): g is Guild => !!g)
      : [...client.guilds.cache.values()];
    for (const guild of candidates) {
      const member = await guild.members.fetch(userId).catch(() => null);
      if (member) return guild;
    }
    return null;
  }

  async rememberGuild(userId: string, guildId: string | null): Promise<void> {
    if (!guildId) return;
    const key = settingKeys.guild(userId);
    if ((await this.ctx.core.store.settings.get<string>(key)) !== guildId)
      await this.ctx.core.store.settings.set(key, guildId);
  }

  /** The channel `/setup` stored for this server, else the configured one (by id or name). */
  async officialChannel(guild: Guild, key: SetupChannelKey, fallback: string): Promise<string | null> {
    const setup = await loadGuildSetup(this.ctx.core.store.settings, guild.id);
    const stored = setup?.channels[key];
    if (stored && guild.channels.cache.has(stored)) return stored;
    return findChannel(guild, fallback);
  }
}

/** A text channel of the server by id or by name. */
function findChannel(guild: Guild, idOrName: string): string | null {
  const byId = guild.channels.cache.get(idOrName);
  if (byId) return byId.id;
  return guild.channels.cache.find((c) => c.name === idOrName && c.type === GUILD_TEXT)?.id ?? null;
}
