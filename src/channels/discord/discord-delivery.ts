import {
  type APIChannel,
  type APIMessage,
  type RawFile,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js';
import type { MemberNotice, OutboundMessage } from '../../core/model.ts';
import { ConnectorError, type SendResult } from '../../core/ports/channel-connector.ts';
import { refreshCasePost } from './case-posts.ts';
import {
  addressSchema,
  type ButtonRow,
  CHANNEL,
  clip,
  type DiscordContext,
  deliveryNonce,
  settingKeys,
} from './discord-context.ts';
import { DiscordErrorCode, discordCode, toConnectorError } from './discord-errors.ts';
import { renderOutbound } from './discord-message-renderer.ts';
import { t } from './discord-texts.ts';
import { agentRole, forumPost, postAddressSchema, tagFor, updatePost } from './forum-posts.ts';

/** The parts of a split message already posted, kept until the last one is, so a retry or restart goes on. */
interface DeliveryProgress {
  parts: number;
  lastId: string | null;
  lastChannelId: string | null;
}

/** The member's latest conversation message that carries buttons: the only one whose buttons still work. */
interface LiveButtons {
  channelId: string;
  messageId: string;
  components: ButtonRow[];
}

/** What the outbox hands the connector: conversation messages and notices, posted where the member is. */
export class DiscordDelivery {
  constructor(private readonly ctx: DiscordContext) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.notice) return this.sendNotice(message, message.notice);
    if (message.casePost) return refreshCasePost(this.ctx, message.casePost.caseId);
    const parsed = addressSchema.safeParse(message.address);
    if (!parsed.success)
      throw new ConnectorError(
        `conversation ${message.conversationId} has no Discord address (${JSON.stringify(message.address)})`,
        false,
      );
    const address = { channelId: parsed.data.channelId, userId: parsed.data.userId ?? null };
    // A forum post's conversation is answered in the post, in public, whatever the member's DMs.
    const inPost = postAddressSchema.safeParse(message.address).success;
    if (message.threadRefresh) {
      if (inPost) await this.afterPostDelivery(message, address.channelId);
      return { externalId: null };
    }
    const bodies = renderOutbound(message, { publicUrl: this.ctx.options.publicUrl });
    if (bodies.length === 0) return { externalId: null };
    const key = message.messageId ?? `${message.conversationId}:${message.text}`;
    const member = inPost ? `post:${address.channelId}` : (address.userId ?? address.channelId);
    const progressKey = settingKeys.delivery(key);
    const settings = this.ctx.core.store.settings;
    const progress: DeliveryProgress = (await settings.get<DeliveryProgress>(progressKey)) ?? {
      parts: 0,
      lastId: null,
      lastChannelId: null,
    };
    // Before the member sees the new message, the buttons of the previous one stop working.
    if (progress.parts === 0) await this.disableLiveButtons(member);
    for (let i = progress.parts; i < bodies.length; i++) {
      const body = bodies[i];
      if (!body) continue;
      const part = { ...body, nonce: deliveryNonce(key, i), enforce_nonce: true };
      const context = `deliver ${message.conversationId} (part ${i + 1} of ${bodies.length})`;
      // The member's transcript rides on the last part, as an HTML file.
      const files = i === bodies.length - 1 ? transcriptFiles(message) : undefined;
      const sent = inPost
        ? await this.postInPost(address.channelId, part, context, files)
        : await this.postToMember(address, part, context, files);
      progress.parts = i + 1;
      progress.lastId = sent.id;
      progress.lastChannelId = sent.channel_id;
      // Only a split message has parts to remember; a single one is covered by its nonce.
      if (i + 1 < bodies.length) await settings.set(progressKey, progress);
    }
    if (bodies.length > 1) await settings.set(progressKey, null);
    if (progress.lastId && progress.lastChannelId)
      await this.rememberLiveButtons(member, {
        channelId: progress.lastChannelId,
        messageId: progress.lastId,
        components: (bodies.at(-1)?.components ?? []) as ButtonRow[],
      });
    if (inPost) await this.afterPostDelivery(message, address.channelId);
    else if (progress.lastChannelId && progress.lastChannelId !== address.channelId)
      await this.addAgentRole(message, progress.lastChannelId);
    return { externalId: progress.lastId };
  }

  private async postInPost(
    threadId: string,
    body: RESTPostAPIChannelMessageJSONBody,
    context: string,
    files?: RawFile[],
  ): Promise<APIMessage> {
    try {
      // Posting in an archived (unlocked) post reopens it, as a member's message would.
      return (await this.ctx
        .rest()
        .post(Routes.channelMessages(threadId), { body, ...(files ? { files } : {}) })) as APIMessage;
    } catch (error) {
      throw toConnectorError(error, `${context} (forum post ${threadId})`);
    }
  }

  /** The post's tag follows its conversation (answered by the bot, with an agent, solved and archived). */
  private async afterPostDelivery(message: OutboundMessage, threadId: string): Promise<void> {
    if (!message.conversationId) return;
    const [post, conversation] = await Promise.all([
      forumPost(this.ctx.core.store.settings, threadId),
      this.ctx.core.store.conversations.get(message.conversationId),
    ]);
    if (!post || !conversation) return;
    const tag = tagFor(conversation, message.authorKind);
    if (tag) await updatePost(this.ctx, post, tag);
  }

  /**
   * A private support thread whose conversation an agent took: the server's agents' role is mentioned
   * once, which adds its members to the thread (as Discord does for a role that may be pinged). Its nonce
   * is the conversation's and agent's, so a retry or a second instance adds it once.
   */
  private async addAgentRole(message: OutboundMessage, threadId: string): Promise<void> {
    if (message.authorKind !== 'system' && message.authorKind !== 'agent') return;
    if (!message.conversationId) return;
    const { store } = this.ctx.core;
    const conversation = await store.conversations.get(message.conversationId);
    if (conversation?.state !== 'assigned' || !conversation.agentId) return;
    const userId = typeof message.address.userId === 'string' ? message.address.userId : null;
    const thread = userId ? await this.ctx.threads.threadFor(userId) : null;
    if (!thread || thread.threadId !== threadId) return;
    const roleId = await agentRole(store.settings, thread.guildId);
    if (!roleId) return;
    const doneKey = `discord:thread-role:${threadId}:${conversation.id}`;
    if (await store.settings.get<boolean>(doneKey)) return;
    try {
      await this.ctx.rest().post(Routes.channelMessages(threadId), {
        body: {
          content: t('agentRoleAdded', conversation.language, { role: `<@&${roleId}>` }),
          allowed_mentions: { roles: [roleId] },
          nonce: deliveryNonce(`agent-role:${conversation.id}`, 0),
          enforce_nonce: true,
        },
      });
      await store.settings.set(doneKey, true);
    } catch (error) {
      this.ctx.options.log.warn({ err: error, threadId, roleId }, "agents' role not added to the thread");
    }
  }

  /**
   * The conversation moves on (a new answer, a hand-off, a typed choice or rating): the buttons of the
   * member's previous message are disabled, so that a choice already made, or no longer on offer, cannot
   * be pressed. A failure is only logged: the new message matters more than the old buttons.
   */
  private async disableLiveButtons(member: string): Promise<void> {
    const key = settingKeys.liveButtons(member);
    try {
      const live = await this.ctx.core.store.settings.get<LiveButtons>(key);
      if (!live) return;
      await this.ctx
        .rest()
        .patch(Routes.channelMessage(live.channelId, live.messageId), {
          body: { components: disableRows(live.components) },
        })
        .catch((error: unknown) => {
          // 10008: the message is gone, and its buttons with it.
          if (discordCode(error) !== DiscordErrorCode.UnknownMessage) throw error;
        });
      await this.ctx.core.store.settings.set(key, null);
    } catch (error) {
      this.ctx.options.log.warn({ err: error, member }, 'buttons of the previous message not disabled');
    }
  }

  /** The new message's buttons, if it has any, are the member's live ones. */
  private async rememberLiveButtons(member: string, latest: LiveButtons): Promise<void> {
    if (latest.components.length === 0) return;
    await this.ctx.core.store.settings
      .set(settingKeys.liveButtons(member), latest)
      .catch((error: unknown) =>
        this.ctx.options.log.warn(
          { err: error, member, messageId: latest.messageId },
          'live buttons not kept',
        ),
      );
  }

  /**
   * Posts in the member's DM, or in their private support thread once Discord refused a DM (50007);
   * maps every failure to a ConnectorError the outbox can act on.
   */
  private async postToMember(
    address: { channelId: string; userId: string | null },
    body: RESTPostAPIChannelMessageJSONBody,
    context: string,
    files?: RawFile[],
  ): Promise<APIMessage> {
    const rest = this.ctx.rest();
    const threads = this.ctx.threads;
    const { userId } = address;
    const thread = userId ? await threads.threadFor(userId) : null;
    const channelId = thread?.threadId ?? address.channelId;
    const request = { body, ...(files ? { files } : {}) };
    try {
      return (await rest.post(Routes.channelMessages(channelId), request)) as APIMessage;
    } catch (error) {
      const code = discordCode(error);
      if (code === DiscordErrorCode.CannotSendMessagesToThisUser && userId && !thread) {
        const opened = await threads.openThreadFor(userId);
        try {
          return (await rest.post(Routes.channelMessages(opened.threadId), request)) as APIMessage;
        } catch (retryError) {
          throw toConnectorError(retryError, `${context} (thread ${opened.threadId})`);
        }
      }
      if (code === DiscordErrorCode.UnknownChannel && thread && userId) {
        // The thread was deleted: forget it, so the next attempt tries the DM (and a new thread) again.
        await threads.forgetThread(userId, thread.threadId);
        throw new ConnectorError(`${context}: support thread ${thread.threadId} is gone`, true);
      }
      throw toConnectorError(error, `${context} (channel ${channelId})`);
    }
  }

  /**
   * A notice to a member outside any conversation (a bug report's or feature request's new status), from
   * the outbox: rendered in the member's language and posted in their DM (or their support thread when
   * their DMs are closed) with a nonce made from the notice, so that a retry whose first answer was lost,
   * or a crash before it was marked sent, does not post it twice.
   */
  private async sendNotice(message: OutboundMessage, notice: MemberNotice): Promise<SendResult> {
    const userId = message.address.externalId;
    if (typeof userId !== 'string' || !/^\d{1,20}$/.test(userId))
      throw new ConnectorError(`notice ${notice.id} has no Discord user to go to`, false);
    const contact = await this.ctx.core.store.contacts.findByIdentity(CHANNEL, userId);
    const language = await this.ctx.languageOf(userId, contact?.locale);
    const content = noticeContent(notice, language);
    let dm: APIChannel;
    try {
      dm = (await this.ctx
        .rest()
        .post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    } catch (error) {
      throw toConnectorError(error, `open the DM of ${userId}`);
    }
    const sent = await this.postToMember(
      { channelId: dm.id, userId },
      {
        content,
        allowed_mentions: { parse: [] },
        nonce: deliveryNonce(`notice:${notice.id}`, 0),
        enforce_nonce: true,
      },
      notice.type === 'release' ? `release note ${notice.note.id}` : `status of #${notice.case.number}`,
    );
    return { externalId: sent.id };
  }
}

/** A notice as the member reads it: a case's new status or stage, or the release note that fixed theirs. */
function noticeContent(notice: MemberNotice, language: string): string {
  if (notice.type === 'release') {
    const cases = notice.cases.map((c) =>
      t('releasedCase', language, {
        kind: t(`kind_${c.kind}`, language),
        case: c.number,
        subject: clip(c.subject, 200),
      }),
    );
    return t('released', language, {
      note: clip(notice.note.title.replace(/\*/g, ''), 200),
      cases: cases.join(', '),
      link: notice.note.url ? `\n${notice.note.url}` : '',
    });
  }
  const values = {
    kind: t(`kind_${notice.case.kind}`, language),
    case: notice.case.number,
    subject: clip(notice.case.subject, 200),
  };
  return notice.case.stage
    ? t('stageChanged', language, { ...values, stage: t(`stage_${notice.case.stage}`, language) })
    : t('statusChanged', language, { ...values, status: t(`status_${notice.case.status}`, language) });
}

/** The member's transcript as the file Discord shows with the message (none on other messages). */
function transcriptFiles(message: OutboundMessage): RawFile[] | undefined {
  const transcript = message.transcript;
  if (!transcript) return undefined;
  return [
    { name: transcript.fileName, data: Buffer.from(transcript.html, 'utf8'), contentType: 'text/html' },
  ];
}

/** Every button of the rows disabled. */
function disableRows(rows: ButtonRow[]): ButtonRow[] {
  return rows.map((row) => ({
    ...row,
    components: row.components.map((b) => ({ ...b, disabled: true })),
  }));
}
