import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { z } from 'zod';
import type { TwilioConfig } from '../../config.ts';
import type { BridgeService } from '../../core/conversations/bridge-service.ts';
import type { BridgeTranscriptLine, OutboundMessage } from '../../core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import {
  createTwilioClient,
  type TwilioClient,
  TwilioHealth,
  toConnectorError,
} from '../twilio/twilio-client.ts';
import { twilioWebhookRoutes } from '../twilio/twilio-webhooks.ts';

type Conversations = TwilioClient['conversations']['v1']['conversations'];
type ParticipantConversations = TwilioClient['conversations']['v1']['participantConversations'];

export const flexWebhookPath = '/webhooks/twilio/conversations';

/** The author of the bot's (and Switchboard's own) messages in the Twilio conversation. */
export const botIdentity = 'switchboard-bot';

/** Members' identities in Twilio: opaque, derived from the contact id (never a Discord name). */
const memberPrefix = 'switchboard-member-';
export const memberIdentity = (contactId: string) =>
  `${memberPrefix}${createHash('sha256').update(contactId).digest('hex').slice(0, 24)}`;

/** What Conversations takes in one message body. */
const MAX_BODY = 1_600;

const filters = ['onMessageAdded', 'onConversationStateUpdated', 'onParticipantAdded'];

export interface FlexConnectorOptions {
  twilio: TwilioConfig;
  flex: { workspaceSid: string; workflowSid: string };
  /** `SWITCHBOARD_PUBLIC_URL`: the scoped webhook Twilio calls is built on it. */
  publicUrl: string;
  bridges: Pick<BridgeService, 'linked' | 'refOf' | 'agentMessage' | 'agentJoined' | 'ended'>;
  log: {
    info(context: Record<string, unknown>, message: string): void;
    warn(context: Record<string, unknown>, message: string): void;
  };
  /** The SDK client (default: one built from `twilio`). */
  client?: TwilioClient;
}

/** Switchboard's marks on what it posts into a Twilio conversation (message and conversation attributes). */
const messageAttributes = z
  .object({ origin: z.string().optional(), switchboardMessageId: z.string().optional() })
  .catchall(z.unknown());
const conversationAttributes = z
  .object({ switchboardConversationId: z.string().optional(), interactionSid: z.string().optional() })
  .catchall(z.unknown());

const webhookParams = z.object({
  EventType: z.string().min(1),
  ConversationSid: z.string().regex(/^CH\w+$/, 'must be a Twilio conversation sid (CH…)'),
  MessageSid: z.string().optional(),
  Author: z.string().optional(),
  Body: z.string().optional(),
  Attributes: z.string().optional(),
  ParticipantSid: z.string().optional(),
  Identity: z.string().optional(),
  StateTo: z.string().optional(),
});

/**
 * The Flex bridge: Discord conversations handed to Twilio Flex (Flex Conversations). Its outbox work does
 * the hand-off (the member's Twilio conversation, found or created, with its participant, scoped webhook and
 * the transcript, then a Flex Interaction) and passes the member's messages on; every step looks before it
 * creates, so a retry after a crash or a time-out repeats nothing. The Flex agent's messages, arrival and
 * close come back on the conversation's scoped webhook.
 */
export class FlexConnector implements ChannelConnector {
  readonly channel = 'flex';
  readonly bridges = true;
  private readonly client: TwilioClient;
  private readonly state: TwilioHealth;

  constructor(private readonly options: FlexConnectorOptions) {
    this.client = options.client ?? createTwilioClient(options.twilio);
    this.state = new TwilioHealth(`Twilio Flex (workspace ${options.flex.workspaceSid})`);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  health(): ConnectorHealth {
    return this.state.health();
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const work = message.bridge;
    try {
      if (!work)
        throw new ConnectorError('the Flex bridge only carries hand-offs and members’ messages', false);
      const sid = work.type === 'open' ? await this.open(message) : await this.forward(message);
      this.state.succeeded();
      return { externalId: sid };
    } catch (error) {
      const failure = toConnectorError(error, work?.type === 'open' ? 'hand-off to Flex' : 'message to Flex');
      this.state.failed(failure);
      throw failure;
    }
  }

  // A service's conversations answer as the default service's do; the SDK only types them apart.
  private get conversations(): Conversations {
    const sid = this.options.twilio.conversationsServiceSid;
    const v1 = this.client.conversations.v1;
    return sid ? (v1.services(sid).conversations as unknown as Conversations) : v1.conversations;
  }

  private get participantConversations(): ParticipantConversations {
    const sid = this.options.twilio.conversationsServiceSid;
    const v1 = this.client.conversations.v1;
    return sid
      ? (v1.services(sid).participantConversations as unknown as ParticipantConversations)
      : v1.participantConversations;
  }

  /** The hand-off, step by step; each step is skipped when a previous attempt did it. */
  private async open(message: OutboundMessage): Promise<string> {
    const work = message.bridge;
    if (work?.type !== 'open' || !message.conversationId) throw new ConnectorError('not a hand-off', false);
    const conversationId = message.conversationId;
    const identity = memberIdentity(work.contact.id);
    const attributes = {
      channel: work.channel,
      ...(typeof message.address.channelId === 'string'
        ? { discordChannelId: message.address.channelId }
        : {}),
      caseNumber: work.caseNumber,
      switchboardConversationId: conversationId,
    };
    const sid = await this.findOrCreateConversation(identity, conversationId, work.caseNumber, attributes);
    await this.ensureParticipant(sid, identity);
    await this.ensureWebhook(sid);
    await this.postTranscript(sid, identity, work.transcript);
    // Known from here on: the desktop shows the sid, and the Flex agent's answers find the conversation.
    await this.options.bridges.linked(conversationId, sid);
    await this.ensureInteraction(sid, conversationId, work.contact.name, work.caseNumber, work.summary);
    return sid;
  }

  /**
   * The member's open Twilio conversation (a closed one is never reused), else the one an interrupted
   * attempt created (by its unique name), else a new one.
   */
  private async findOrCreateConversation(
    identity: string,
    conversationId: string,
    caseNumber: number | null,
    attributes: Record<string, unknown>,
  ): Promise<string> {
    const mine = await this.participantConversations.list({ identity, pageSize: 50 });
    const open = mine.find((c) => c.conversationState !== 'closed');
    if (open) {
      const current = parseJson(conversationAttributes, open.conversationAttributes) ?? {};
      if (current.switchboardConversationId !== conversationId) {
        // A new hand-off in the member's open conversation: a new case, and a new Interaction to come.
        const { interactionSid: _done, ...rest } = current;
        await this.conversations(open.conversationSid).update({
          attributes: JSON.stringify({ ...rest, ...attributes }),
        });
      }
      return open.conversationSid;
    }
    const uniqueName = `switchboard-${conversationId}`;
    const earlier = await this.conversations(uniqueName)
      .fetch()
      .catch((error: unknown) => {
        if (error instanceof twilio.RestException && error.status === 404) return null;
        throw error;
      });
    if (earlier && earlier.state !== 'closed') return earlier.sid;
    const created = await this.conversations.create({
      uniqueName,
      friendlyName: caseNumber ? `Discord: case #${caseNumber}` : 'Discord member',
      attributes: JSON.stringify(attributes),
    });
    return created.sid;
  }

  private async ensureParticipant(sid: string, identity: string): Promise<void> {
    const participants = await this.conversations(sid).participants.list({ pageSize: 100 });
    if (participants.some((p) => p.identity === identity)) return;
    await this.conversations(sid)
      .participants.create({ identity, attributes: JSON.stringify({ origin: 'switchboard' }) })
      .catch((error: unknown) => {
        // 50433: the identity is in the conversation already (an earlier attempt added it meanwhile).
        if (error instanceof twilio.RestException && error.code === 50433) return;
        throw error;
      });
  }

  private webhookUrl(): string {
    return `${this.options.publicUrl}${flexWebhookPath}`;
  }

  private async ensureWebhook(sid: string): Promise<void> {
    const url = this.webhookUrl();
    const webhooks = await this.conversations(sid).webhooks.list({ pageSize: 50 });
    if (webhooks.some((w) => (w.configuration as { url?: string } | null)?.url === url)) return;
    await this.conversations(sid).webhooks.create({
      target: 'webhook',
      'configuration.url': url,
      'configuration.method': 'post',
      'configuration.filters': filters,
    });
  }

  /** The transcript, in order; lines already posted (marked with their message id) are not posted again. */
  private async postTranscript(sid: string, identity: string, lines: BridgeTranscriptLine[]): Promise<void> {
    const posted = new Set<string>();
    for (const m of await this.conversations(sid).messages.list({ pageSize: 100 })) {
      const id = parseJson(messageAttributes, m.attributes)?.switchboardMessageId;
      if (id) posted.add(id);
    }
    for (const line of lines) {
      const author = line.authorKind === 'contact' ? identity : botIdentity;
      const parts = bodyParts(line.text, line.attachments);
      for (const [index, body] of parts.entries()) {
        const key = partKey(line.messageId, index);
        if (posted.has(key)) continue;
        // Without X-Twilio-Webhook-Enabled: the transcript is history, it fires no webhook.
        await this.conversations(sid).messages.create({
          author,
          body,
          attributes: JSON.stringify({ origin: 'switchboard', switchboardMessageId: key }),
        });
      }
    }
  }

  /** Routes the conversation to Flex once per hand-off: the Interaction's sid is kept in its attributes. */
  private async ensureInteraction(
    sid: string,
    conversationId: string,
    customerName: string,
    caseNumber: number | null,
    summary: string,
  ): Promise<void> {
    const conversation = await this.conversations(sid).fetch();
    const current = parseJson(conversationAttributes, conversation.attributes) ?? {};
    if (current.switchboardConversationId === conversationId && current.interactionSid) return;
    const { workspaceSid, workflowSid } = this.options.flex;
    const interaction = await this.client.flexApi.v1.interaction.create({
      channel: { type: 'chat', initiated_by: 'customer', properties: { media_channel_sid: sid } },
      routing: {
        properties: {
          workspace_sid: workspaceSid,
          workflow_sid: workflowSid,
          task_channel_unique_name: 'chat',
          attributes: { customerName, channelType: 'chat', channel: 'discord', caseNumber, summary },
        },
      },
    });
    await this.conversations(sid).update({
      attributes: JSON.stringify({
        ...current,
        switchboardConversationId: conversationId,
        interactionSid: interaction.sid,
      }),
    });
  }

  /** A member's message while handed over: posted once (an earlier attempt's copy is looked for first). */
  private async forward(message: OutboundMessage): Promise<string> {
    const work = message.bridge;
    if (work?.type !== 'forward' || !message.conversationId || !message.messageId)
      throw new ConnectorError('not a member message', false);
    const sid = await this.options.bridges.refOf(message.conversationId);
    if (!sid)
      throw new ConnectorError(
        'the conversation has no Twilio conversation: its hand-off did not finish',
        false,
      );
    const identity = memberIdentity(work.contact.id);
    const recent = await this.conversations(sid).messages.list({ order: 'desc', pageSize: 50, limit: 50 });
    const posted = new Map<string, string>();
    for (const m of recent) {
      const id = parseJson(messageAttributes, m.attributes)?.switchboardMessageId;
      if (id) posted.set(id, m.sid);
    }
    let last = '';
    for (const [index, body] of bodyParts(message.text, message.attachments).entries()) {
      const key = partKey(message.messageId, index);
      const existing = posted.get(key);
      if (existing) {
        last = existing;
        continue;
      }
      const created = await this.conversations(sid).messages.create({
        author: identity,
        body,
        attributes: JSON.stringify({ origin: 'switchboard', switchboardMessageId: key }),
        xTwilioWebhookEnabled: 'true',
      });
      last = created.sid;
    }
    return last;
  }

  /** `POST /webhooks/twilio/conversations`, the conversations' scoped webhook (signature checked first). */
  routes(app: FastifyInstance): void {
    twilioWebhookRoutes(
      app,
      { authToken: this.options.twilio.authToken, publicUrl: this.options.publicUrl, log: this.options.log },
      [
        {
          path: flexWebhookPath,
          summary: 'Events of the Twilio conversations handed to Flex',
          handle: async (params, _request, reply) => {
            const parsed = webhookParams.safeParse(params);
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              this.options.log.warn(
                { eventType: params.EventType, field: issue?.path.join('.'), reason: issue?.message },
                'Flex webhook refused: unexpected parameters',
              );
              return reply.code(400).send({
                error: 'invalid',
                message: `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`,
              });
            }
            await this.event(parsed.data);
            return reply.code(200).send();
          },
        },
      ],
    );
  }

  private async event(event: z.infer<typeof webhookParams>): Promise<void> {
    const ref = event.ConversationSid;
    const context = { eventType: event.EventType, conversationSid: ref };
    let outcome: string = 'ignored';
    if (event.EventType === 'onMessageAdded') {
      const attributes = parseJson(messageAttributes, event.Attributes);
      const author = event.Author ?? '';
      // Our own copies (the transcript, the member's messages) come back too.
      if (attributes?.origin === 'switchboard' || isOurs(author)) return;
      if (!event.MessageSid) throw new ConnectorError('onMessageAdded without MessageSid', false);
      const text = (event.Body ?? '').trim();
      if (!text) {
        this.options.log.info(
          { ...context, messageSid: event.MessageSid },
          'Flex message without text not passed on',
        );
        return;
      }
      outcome = await this.options.bridges.agentMessage({
        target: this.channel,
        ref,
        externalId: event.MessageSid,
        authorName: author || 'Agent',
        text,
      });
    } else if (event.EventType === 'onParticipantAdded') {
      const identity = event.Identity ?? '';
      if (!identity || isOurs(identity) || !event.ParticipantSid) return;
      outcome = await this.options.bridges.agentJoined(this.channel, ref, event.ParticipantSid, identity);
    } else if (event.EventType === 'onConversationStateUpdated' && event.StateTo === 'closed') {
      outcome = await this.options.bridges.ended(this.channel, ref);
    }
    // Twilio retries a failed webhook: an unknown conversation is answered 200 and logged.
    if (outcome === 'unknown')
      this.options.log.warn(
        context,
        'Flex webhook for a Twilio conversation no open conversation is handed to',
      );
  }
}

const isOurs = (author: string) => author === botIdentity || author.startsWith(memberPrefix);

const partKey = (messageId: string, index: number) => (index === 0 ? messageId : `${messageId}#${index}`);

/** The text (attachments as their links) in bodies Conversations takes. */
function bodyParts(text: string, attachments: { url: string; name: string }[]): string[] {
  const full = [text.trim(), ...attachments.map((a) => `${a.name}: ${a.url}`)].filter(Boolean).join('\n');
  if (!full) return [];
  const parts: string[] = [];
  for (let i = 0; i < full.length; i += MAX_BODY) parts.push(full.slice(i, i + MAX_BODY));
  return parts;
}

function parseJson<T extends z.ZodType>(schema: T, text: string | null | undefined): z.infer<T> | null {
  if (!text) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
