import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Attachment } from '../../core/model.ts';

/**
 * Whether `X-Hub-Signature-256` is `sha256=` + hex HMAC-SHA256 of the raw body keyed with the app secret,
 * compared in constant time.
 */
export function isSignedByMeta(appSecret: string, header: string | undefined, rawBody: string): boolean {
  if (!header) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody, 'utf8').digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metaSignature(appSecret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;
}

// Meta adds fields over time: unknown ones are ignored, the ones read here are checked.
const attachmentSchema = z.object({
  type: z.string(),
  payload: z.object({ url: z.string().optional(), title: z.string().optional() }).nullish(),
  title: z.string().optional(),
});

const messagingEvent = z.object({
  sender: z.object({ id: z.string().min(1).max(64) }),
  recipient: z.object({ id: z.string().min(1).max(64) }),
  timestamp: z.number().int().nonnegative().optional(),
  message: z
    .object({
      mid: z.string().min(1).max(512),
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string().max(1_000) }).optional(),
      attachments: z.array(attachmentSchema).max(100).optional(),
    })
    .optional(),
  postback: z
    .object({
      mid: z.string().min(1).max(512).optional(),
      title: z.string().max(1_000).optional(),
      payload: z.string().max(1_000).optional(),
    })
    .optional(),
});
export type MessengerEvent = z.infer<typeof messagingEvent>;

export const messengerWebhookSchema = z.object({
  object: z.literal('page', { error: 'object must be "page" (a Messenger webhook of a Facebook page)' }),
  entry: z
    .array(
      z.object({
        id: z.string(),
        time: z.number().optional(),
        messaging: z.array(messagingEvent).max(1_000).default([]),
      }),
    )
    .max(1_000),
});

/** What one messaging event means for Switchboard. */
export type MessengerInbound = {
  /** The message's `mid` (a postback without one: a key from the sender and the time). */
  externalId: string;
  psid: string;
  text: string;
  attachments: Attachment[];
  /** A tapped quick reply's or button's payload, when it is one of Switchboard's actions. */
  action: string | null;
  receivedAt: Date | null;
};

const actionPayload = /^(handoff|resolved|rate:[1-5]|start)$/;

/**
 * One messaging event as an inbound message, or null for what needs no answer: the page's own messages
 * coming back (`is_echo`), reads, deliveries, reactions and anything else without content.
 */
export function toMessengerInbound(event: MessengerEvent): MessengerInbound | null {
  const receivedAt = event.timestamp !== undefined ? new Date(event.timestamp) : null;
  const psid = event.sender.id;
  if (event.message) {
    const m = event.message;
    if (m.is_echo) return null;
    const attachments = (m.attachments ?? []).flatMap((a): Attachment[] => {
      const url = a.payload?.url;
      if (!url || !/^https?:\/\//i.test(url)) return [];
      return [{ url, name: a.payload?.title || a.title || fileName(url) || a.type, ...contentType(a.type) }];
    });
    const payload = m.quick_reply?.payload;
    const action = payload && actionPayload.test(payload) ? payload : null;
    const text = m.text ?? '';
    if (!text.trim() && attachments.length === 0 && !action) return null;
    return { externalId: m.mid, psid, text, attachments, action, receivedAt };
  }
  if (event.postback) {
    const p = event.postback;
    const action = p.payload && actionPayload.test(p.payload) ? p.payload : null;
    // Older Graph versions send postbacks without a mid: the sender and the time identify a redelivery.
    const externalId = p.mid ?? `postback:${psid}:${event.timestamp ?? p.payload ?? ''}`;
    const text = p.title ?? '';
    if (!text.trim() && !action) return null;
    return { externalId, psid, text, attachments: [], action, receivedAt };
  }
  return null;
}

function fileName(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || null;
  } catch {
    return null;
  }
}

function contentType(type: string): { contentType?: string } {
  if (type === 'image' || type === 'video' || type === 'audio') return { contentType: `${type}/*` };
  return {};
}
