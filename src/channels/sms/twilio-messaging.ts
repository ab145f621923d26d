import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { TwilioConfig } from '../../config.ts';
import type { ContactCenter } from '../../core/contact-center.ts';
import { InboundRefused } from '../../core/conversations/inbound-retry.ts';
import type { Attachment } from '../../core/model.ts';
import { ChannelReceipts } from '../../core/outbox/channel-receipts.ts';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import { HttpError } from '../../http/error-handler.ts';
import { createTwilioClient } from '../twilio/twilio-client.ts';
import { twilioWebhookRoutes } from '../twilio/twilio-webhooks.ts';
import {
  type MessagingChannel,
  numberOf,
  TwilioMessagingConnector,
  whatsappReplyWindowMs,
} from './twilio-messaging-connector.ts';

export const messagesWebhookPath = '/webhooks/twilio/messages';
export const statusWebhookPath = '/webhooks/twilio/status';

export interface MessagingLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

/** Twilio's inbound message webhook (only what Switchboard reads; Twilio sends more). */
const inboundParams = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'not a Twilio message sid'),
  From: z.string().regex(/^(whatsapp:)?\+?[0-9]{3,20}$/, 'not a phone number or whatsapp: address'),
  To: z.string().min(1),
  Body: z.string().max(20_000).default(''),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  ProfileName: z.string().max(200).optional(),
});

/** A status callback: `MessageStatus` is one of Twilio's message statuses. */
const statusParams = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'not a Twilio message sid'),
  MessageStatus: z.string().min(1).max(30),
  ErrorCode: z.string().max(10).optional(),
  To: z.string().optional(),
});

/** Twilio's statuses Switchboard shows; the rest (`accepted`, `sending`, `scheduled`, …) say nothing new. */
const shownStatuses = ['queued', 'sent', 'delivered', 'read', 'failed', 'undelivered'] as const;

const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export interface TwilioMessaging {
  connectors: TwilioMessagingConnector[];
  receipts: ChannelReceipts;
  /** Declares `POST /webhooks/twilio/messages` and `POST /webhooks/twilio/status`. */
  routes(app: FastifyInstance): void;
}

/**
 * The SMS and WhatsApp channels of one Twilio account: a connector per configured sender and the two
 * webhooks they share (`From` starting `whatsapp:` is WhatsApp, anything else SMS). Null when neither
 * `TWILIO_SMS_FROM`/`TWILIO_MESSAGING_SERVICE_SID` nor `TWILIO_WHATSAPP_FROM` is set.
 */
export function createTwilioMessaging(
  center: ContactCenter,
  config: TwilioConfig,
  publicUrl: string,
  log: MessagingLog,
): TwilioMessaging | null {
  if (!config.sms && !config.whatsappFrom) return null;
  const client = createTwilioClient(config);
  const receipts = new ChannelReceipts(center.store, center.bus, center.clock);
  const deps = { client, receipts, optOuts: center.store.channelOptOuts, now: () => center.clock.now() };
  const common = { statusCallbackUrl: `${publicUrl}${statusWebhookPath}`, publicUrl };
  const byChannel = new Map<MessagingChannel, TwilioMessagingConnector>();
  if (config.sms)
    byChannel.set(
      'sms',
      new TwilioMessagingConnector(deps, { ...common, channel: 'sms', label: 'SMS', sender: config.sms }),
    );
  if (config.whatsappFrom)
    byChannel.set(
      'whatsapp',
      new TwilioMessagingConnector(deps, {
        ...common,
        channel: 'whatsapp',
        label: 'WhatsApp',
        sender: { from: config.whatsappFrom },
        replyWindowMs: whatsappReplyWindowMs,
        answersHelp: true,
      }),
    );

  const twiml = (reply: FastifyReply) => reply.code(200).type('text/xml').send(emptyTwiml);

  return {
    connectors: [...byChannel.values()],
    receipts,
    routes(app) {
      twilioWebhookRoutes(app, { authToken: config.authToken, publicUrl, log }, [
        {
          path: messagesWebhookPath,
          summary: 'An SMS or WhatsApp message from a contact (the number\'s "A message comes in" webhook)',
          async handle(params, _request, reply) {
            const parsed = parse(inboundParams, params);
            const channel: MessagingChannel = parsed.From.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
            const connector = byChannel.get(channel);
            if (!connector?.running) {
              log.warn(
                { messageSid: parsed.MessageSid, channel },
                `${channel === 'sms' ? 'SMS' : 'WhatsApp'} message refused: the channel is off (set ${channel === 'sms' ? 'TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID' : 'TWILIO_WHATSAPP_FROM'})`,
              );
              throw new HttpError(503, 'unavailable', `the ${channel} channel is not enabled here`);
            }
            const media: Attachment[] = [];
            for (let i = 0; i < parsed.NumMedia; i++) {
              const url = params[`MediaUrl${i}`];
              if (!url || !/^https?:\/\//.test(url)) continue;
              const contentType = params[`MediaContentType${i}`];
              media.push({
                url,
                name: `${channel === 'sms' ? 'MMS' : 'WhatsApp'} media ${i + 1}${extension(contentType)}`,
                ...(contentType ? { contentType } : {}),
              });
            }
            try {
              await connector.receive({
                messageSid: parsed.MessageSid,
                number: numberOf(parsed.From),
                from: parsed.From,
                body: parsed.Body,
                profileName: parsed.ProfileName?.trim() || null,
                media,
              });
            } catch (error) {
              // Not stored: Twilio is told so (and retries where the number is set up to).
              log.warn(
                { messageSid: parsed.MessageSid, channel, error: String(error) },
                'inbound message not stored',
              );
              if (error instanceof ConnectorError || error instanceof InboundRefused)
                throw new HttpError(503, 'unavailable', 'the message could not be stored now; try again');
              throw error;
            }
            return twiml(reply);
          },
        },
        {
          path: statusWebhookPath,
          summary: "A message's delivery status (each message's StatusCallback)",
          async handle(params, _request, reply) {
            const parsed = parse(statusParams, params);
            const status = shownStatuses.find((s) => s === parsed.MessageStatus);
            if (!status) return twiml(reply);
            const channel: MessagingChannel = parsed.To?.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
            const errorCode = parsed.ErrorCode && parsed.ErrorCode !== '0' ? parsed.ErrorCode : null;
            const outcome = await receipts.report(channel, parsed.MessageSid, status, errorCode);
            if (outcome === 'unknown')
              log.info(
                { messageSid: parsed.MessageSid, status },
                'status callback for a message Switchboard has not recorded (sent by something else, or its send is still being recorded); kept',
              );
            return twiml(reply);
          },
        },
      ]);
    },
  };
}

function parse<T extends z.ZodType>(schema: T, params: Record<string, string>): z.infer<T> {
  const result = schema.safeParse(params);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HttpError(400, 'invalid', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

const extensions: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'video/mp4': '.mp4',
  'audio/ogg': '.ogg',
  'audio/mpeg': '.mp3',
  'application/pdf': '.pdf',
};

function extension(contentType: string | undefined): string {
  return (contentType && extensions[contentType]) ?? '';
}
