import type { Attachment, OutboundMessage } from '../../core/model.ts';
import type { ChannelReceipts } from '../../core/outbox/channel-receipts.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type InboundMessage,
  type ReplyCheck,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import type { ChannelOptOutRepository } from '../../core/ports/repositories.ts';
import { type TwilioClient, TwilioHealth, toConnectorError } from '../twilio/twilio-client.ts';
import { actionOfReply, messagingKeyword } from './messaging-keywords.ts';
import { sayMessaging } from './messaging-texts.ts';
import { renderMessagingText, TWILIO_BODY_MAX } from './render-messaging-text.ts';

export type MessagingChannel = 'sms' | 'whatsapp';

export interface TwilioMessagingOptions {
  channel: MessagingChannel;
  /** How people call the channel, in reasons shown to agents. */
  label: string;
  /** `TWILIO_SMS_FROM`, `TWILIO_MESSAGING_SERVICE_SID` or `TWILIO_WHATSAPP_FROM`. */
  sender: { from: string } | { messagingServiceSid: string };
  /** `${SWITCHBOARD_PUBLIC_URL}/webhooks/twilio/status`: every message's `StatusCallback`. */
  statusCallbackUrl: string;
  /** Links to uploads (`/uploads/…`) are made absolute with it: Twilio fetches the media itself. */
  publicUrl: string;
  maxLength: number;
  /** WhatsApp's customer-service window: agents may write only this long after the contact's last message. */
  replyWindowMs: number | null;
  /**
   * Whether Switchboard answers HELP itself. On SMS, Twilio's Advanced Opt-Out answers STOP, START and
   * HELP already (a second answer would be noise); on WhatsApp nobody else does.
   */
  answersHelp: boolean;
}

export const defaultTwilioMessagingOptions = {
  maxLength: TWILIO_BODY_MAX,
  replyWindowMs: null,
  answersHelp: false,
} satisfies Partial<TwilioMessagingOptions>;

export interface TwilioMessagingDeps {
  client: TwilioClient;
  receipts: ChannelReceipts;
  optOuts: ChannelOptOutRepository;
  now?: () => Date;
}

/** Twilio's inbound message webhook, as the connector reads it (see `twilio-messaging-routes.ts`). */
export interface TwilioInbound {
  messageSid: string;
  /** The contact's number, without `whatsapp:`. */
  number: string;
  /** `From` as Twilio gave it: where replies go. */
  from: string;
  body: string;
  profileName: string | null;
  media: Attachment[];
}

const hourMs = 3_600_000;

/**
 * SMS or WhatsApp through Twilio's Messages API. Inbound messages come from Twilio's webhook (the routes
 * hand them to `receive`), replies go out through the outbox with the sender configured and a status
 * callback; opted-out numbers (STOP) get nothing, and WhatsApp's 24-hour window is kept.
 */
export class TwilioMessagingConnector implements ChannelConnector {
  readonly channel: MessagingChannel;
  readonly options: TwilioMessagingOptions;
  private handler: InboundHandler | null = null;
  private readonly health_: TwilioHealth;
  private readonly now: () => Date;

  constructor(
    private readonly deps: TwilioMessagingDeps,
    options: Partial<TwilioMessagingOptions> &
      Pick<TwilioMessagingOptions, 'channel' | 'label' | 'sender' | 'statusCallbackUrl' | 'publicUrl'>,
  ) {
    this.options = { ...defaultTwilioMessagingOptions, ...options };
    this.channel = this.options.channel;
    this.now = deps.now ?? (() => new Date());
    const sender =
      'from' in this.options.sender ? this.options.sender.from : this.options.sender.messagingServiceSid;
    this.health_ = new TwilioHealth(`${this.options.label} from ${sender}`);
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
  }

  async stop(): Promise<void> {
    this.handler = null;
  }

  get running(): boolean {
    return this.handler !== null;
  }

  health(): ConnectorHealth {
    return this.handler ? this.health_.health() : { status: 'disabled', detail: 'not started' };
  }

  /**
   * A message from the contact: STOP, START and HELP are acted on here and stored for the agents to see
   * without running the flow; the reply words stand for the bot's buttons. Resolves once it is stored.
   */
  async receive(inbound: TwilioInbound): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new ConnectorError(`${this.options.label} is not running`, true);
    const keyword = messagingKeyword(inbound.body);
    const at = this.now().toISOString();
    // Stored before the message, and idempotent: a redelivered STOP opts out again, which changes nothing.
    if (keyword === 'stop') await this.deps.optOuts.set(this.channel, inbound.number, true, at);
    if (keyword === 'start') await this.deps.optOuts.set(this.channel, inbound.number, false, at);
    const action = keyword ? null : actionOfReply(inbound.body);
    const other: MessagingChannel = this.channel === 'sms' ? 'whatsapp' : 'sms';
    const message: InboundMessage = {
      channel: this.channel,
      externalId: inbound.messageSid,
      contact: {
        externalId: inbound.number,
        // No name on SMS: the number is the name of a new contact, and a known one keeps theirs.
        name: inbound.profileName ?? '',
        sameAs: [{ channel: other, externalId: inbound.number }],
      },
      address: { to: inbound.from },
      text: inbound.body,
      attachments: inbound.media,
      ...(action ? { action } : {}),
      ...(keyword
        ? {
            keyword:
              keyword === 'help' && this.options.answersHelp ? { reply: sayMessaging('help', null) } : {},
          }
        : {}),
    };
    await handler(message);
  }

  async checkReply(check: ReplyCheck): Promise<string | null> {
    const to = check.conversation.address.to;
    const number = typeof to === 'string' ? numberOf(to) : null;
    const { label, maxLength, replyWindowMs } = this.options;
    if (number && (await this.deps.optOuts.isOptedOut(this.channel, number)))
      return `The contact opted out of ${label} (they replied STOP): nothing can be sent to them until they reply START.`;
    if (check.text.length > maxLength)
      return `A ${label} message carries at most ${maxLength} characters; this reply has ${check.text.length}. Shorten it or send it in parts.`;
    if (replyWindowMs !== null) {
      const last = check.lastContactMessageAt ? Date.parse(check.lastContactMessageAt) : Number.NaN;
      if (!(Date.parse(check.now) - last <= replyWindowMs))
        return `${label} allows replies only within ${Math.round(replyWindowMs / hourMs)} hours of the contact's last message${
          check.lastContactMessageAt ? ` (${check.lastContactMessageAt})` : ''
        }; the contact has to write again before you can answer.`;
    }
    return null;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const to = message.address.to;
    if (typeof to !== 'string')
      throw new ConnectorError(`${this.options.label} address has no number`, false);
    if (await this.deps.optOuts.isOptedOut(this.channel, numberOf(to)))
      throw new ConnectorError(
        `the contact opted out of ${this.options.label} (replied STOP); not sent, and nothing will be until they reply START`,
        false,
      );
    const parts = renderMessagingText(message, null, this.options.maxLength);
    const media = message.attachments.slice(0, 10).map((a) => absolute(a.url, this.options.publicUrl));
    if (parts.length === 0 && media.length === 0) return { externalId: null };
    // Parts Twilio already took on an earlier attempt (the outcome was lost, or a later part failed) are
    // not sent again.
    const earlier = message.messageId ? await this.deps.receipts.partsOf(message.messageId) : [];
    const sids: string[] = [];
    const count = Math.max(parts.length, 1);
    for (let part = 0; part < count; part++) {
      const done = earlier.find((r) => r.part === part);
      if (done) {
        sids.push(done.externalId);
        continue;
      }
      const sid = await this.create(to, parts[part] ?? '', part === 0 ? media : []);
      await this.deps.receipts.accepted({
        channel: this.channel,
        externalId: sid,
        messageId: message.messageId,
        conversationId: message.conversationId,
        part,
      });
      sids.push(sid);
    }
    return { externalId: sids.join(',') };
  }

  private async create(to: string, body: string, mediaUrl: string[]): Promise<string> {
    const { sender, statusCallbackUrl, label } = this.options;
    try {
      const created = await this.deps.client.messages.create({
        to,
        ...sender,
        ...(body ? { body } : {}),
        ...(mediaUrl.length > 0 ? { mediaUrl } : {}),
        statusCallback: statusCallbackUrl,
      });
      this.health_.succeeded();
      return created.sid;
    } catch (error) {
      const failure = toConnectorError(error, `${label} to the contact`);
      this.health_.failed(failure);
      throw failure;
    }
  }
}

/** `whatsapp:+15551234567` → `+15551234567`. */
export function numberOf(address: string): string {
  return address.replace(/^whatsapp:/, '');
}

function absolute(url: string, publicUrl: string): string {
  return /^https?:\/\//.test(url) ? url : `${publicUrl}${url.startsWith('/') ? '' : '/'}${url}`;
}

/** The WhatsApp connector's window: 24 hours after the contact's last message. */
export const whatsappReplyWindowMs = 24 * hourMs;
