import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { OutboundMessage } from '../../core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type InboundMessage,
  type ReplyCheck,
  type SendResult,
} from '../../core/ports/channel-connector.ts';
import type {
  ContactRepository,
  MessageRepository,
  SettingRepository,
} from '../../core/ports/repositories.ts';
import { HttpError } from '../../http/error-handler.ts';
import { describeGraphError, GraphApi, GraphApiError, toConnectorError } from './graph-api.ts';
import { renderMessengerMessage } from './messenger-message-renderer.ts';
import { isSignedByMeta, messengerWebhookSchema, toMessengerInbound } from './messenger-webhook.ts';

const CHANNEL = 'messenger';
const hourMs = 3_600_000;
/** Meta's standard messaging window: a page answers freely within 24 h of the person's last message. */
export const STANDARD_WINDOW_MS = 24 * hourMs;
/** With the `HUMAN_AGENT` tag a person (not a bot) may answer up to 7 days after it. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * hourMs;

export interface MessengerConnectorOptions {
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  /** Graph API base URL (`https://graph.facebook.com`, or a local one in tests). */
  apiUrl: string;
  /** The page has Meta's Human Agent permission. */
  humanAgentTag: boolean;
  /** Makes relative links (articles, uploads) absolute for the member. */
  publicUrl: string | null;
  /** Each Graph request's time-out. */
  timeoutMs: number;
  /** How long a member's name and picture are remembered before the profile is asked again. */
  profileTtlMs: number;
  /** While the page token is refused (or Meta unreachable), how often it is tried again for the health. */
  healthCheckMs: number;
}

export const defaultMessengerConnectorOptions = {
  apiUrl: 'https://graph.facebook.com',
  humanAgentTag: false,
  publicUrl: null,
  timeoutMs: 10_000,
  profileTtlMs: 24 * hourMs,
  healthCheckMs: 60_000,
} as const satisfies Partial<MessengerConnectorOptions>;

export interface MessengerConnectorDeps {
  store: { settings: SettingRepository; contacts: ContactRepository; messages: MessageRepository };
  log: {
    info(context: Record<string, unknown>, message: string): void;
    warn(context: Record<string, unknown>, message: string): void;
  };
  now?: () => Date;
}

const addressSchema = z.object({ psid: z.string().min(1) });
const verifyQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().max(1_000).optional(),
});
const profileCacheMax = 10_000;

interface DeliveryProgress {
  parts: number;
  lastId: string | null;
}

/**
 * The Facebook Messenger channel, on Meta's Messenger Platform directly: the signed webhook brings
 * members' messages, quick-reply taps and postbacks (keyed by `mid`, so a redelivery is stored once); the
 * Send API carries the bot's and agents' replies, inside Meta's 24-hour window (7 days for an agent with
 * the `HUMAN_AGENT` tag). A member is their page-scoped id (PSID); their name comes from the profile API.
 */
export class MessengerConnector implements ChannelConnector {
  readonly channel = CHANNEL;
  private readonly options: MessengerConnectorOptions;
  private readonly graph: GraphApi;
  private readonly now: () => Date;
  private handler: InboundHandler | null = null;
  private state: ConnectorHealth = { status: 'disabled', detail: 'not started' };
  private pageName: string | null = null;
  private recheck: ReturnType<typeof setTimeout> | null = null;
  private readonly profiles = new Map<string, { name: string; avatarUrl: string | null; at: number }>();

  constructor(
    private readonly deps: MessengerConnectorDeps,
    options: Partial<MessengerConnectorOptions> &
      Pick<MessengerConnectorOptions, 'pageAccessToken' | 'appSecret' | 'verifyToken'>,
  ) {
    this.options = { ...defaultMessengerConnectorOptions, ...options };
    this.graph = new GraphApi({
      apiUrl: this.options.apiUrl.replace(/\/$/, ''),
      pageAccessToken: this.options.pageAccessToken,
      timeoutMs: this.options.timeoutMs,
    });
    this.now = deps.now ?? (() => new Date());
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
    this.state = { status: 'connecting', detail: 'checking the page access token' };
    // Start-up does not wait for Meta: messages are stored and the outbox retries while it is away.
    void this.checkPage();
  }

  async stop(): Promise<void> {
    this.handler = null;
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
    this.state = { status: 'disabled', detail: 'not started' };
  }

  health(): ConnectorHealth {
    return this.state;
  }

  /** Asks Meta which page the token is for; the channels page shows the answer or the reason. */
  private async checkPage(): Promise<void> {
    try {
      const page = await this.graph.page();
      this.pageName = page.name ?? page.id;
      this.healthy();
    } catch (error) {
      // Any refusal of the start-up check (a user token instead of the page's, a wrong page) is shown.
      this.failing(error, 'page check', true);
    }
  }

  private healthy(): void {
    if (!this.handler) return;
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
    this.state = { status: 'connected', detail: this.pageName ? `page ${this.pageName}` : null };
  }

  /** A refused token or an unreachable Graph API shows on the channels page until a call succeeds again. */
  private failing(error: unknown, what: string, anyError = false): void {
    if (!this.handler || !(error instanceof GraphApiError)) return;
    // One member's refusal (blocked the page, outside the window) says nothing about the channel.
    if (!anyError && !(error.tokenRefused || error.status === 0 || error.status >= 500)) return;
    const detail = describeGraphError(error);
    if (this.state.detail !== detail)
      this.deps.log.warn(
        { what, status: error.status, code: error.code, reason: error.message },
        'Messenger failing',
      );
    this.state = { status: 'error', detail };
    if (this.recheck) return;
    this.recheck = setTimeout(() => {
      this.recheck = null;
      void this.checkPage();
    }, this.options.healthCheckMs);
    this.recheck.unref?.();
  }

  // ---- the messaging window ---------------------------------------------------------------------

  /** An agent's reply is refused before it is stored when Meta would not let the page send it. */
  checkReply(check: ReplyCheck): string | null {
    const window = this.windowFor(check.lastContactMessageAt, new Date(check.now), 'agent');
    return window.kind === 'closed' ? window.reason : null;
  }

  private windowFor(
    lastContactMessageAt: string | null,
    now: Date,
    author: OutboundMessage['authorKind'],
  ): { kind: 'response' } | { kind: 'human_agent' } | { kind: 'closed'; reason: string } {
    if (!lastContactMessageAt)
      return {
        kind: 'closed',
        reason: 'Messenger lets a page answer only after the member writes to it; they have not written yet',
      };
    const elapsed = now.getTime() - new Date(lastContactMessageAt).getTime();
    if (elapsed <= STANDARD_WINDOW_MS) return { kind: 'response' };
    const tagged = this.options.humanAgentTag && author !== 'bot';
    if (tagged && elapsed <= HUMAN_AGENT_WINDOW_MS) return { kind: 'human_agent' };
    const ago =
      elapsed < 2 * 24 * hourMs
        ? `${Math.floor(elapsed / hourMs)} hours`
        : `${Math.floor(elapsed / (24 * hourMs))} days`;
    return {
      kind: 'closed',
      reason: tagged
        ? `Messenger allows a reply up to 7 days after the member's last message (human agent tag); they last wrote ${ago} ago. The reply can go out once they write again.`
        : `Messenger allows a reply only within 24 hours of the member's last message; they last wrote ${ago} ago. The reply can go out once they write again.`,
    };
  }

  // ---- outbound ---------------------------------------------------------------------------------

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.notice || message.conversationId === null)
      throw new ConnectorError('Messenger delivers messages of a conversation only', false);
    const address = addressSchema.safeParse(message.address);
    if (!address.success)
      throw new ConnectorError(`conversation ${message.conversationId} has no Messenger address`, false);
    const psid = address.data.psid;
    const bodies = renderMessengerMessage(message, { publicUrl: this.options.publicUrl });
    if (bodies.length === 0) return { externalId: null };
    const messages = await this.deps.store.messages.listByConversation(message.conversationId);
    const last = messages.findLast((m) => m.authorKind === 'contact')?.createdAt ?? null;
    const window = this.windowFor(last, this.now(), message.authorKind);
    if (window.kind === 'closed') throw new ConnectorError(window.reason, false);
    const messaging =
      window.kind === 'human_agent'
        ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
        : { messaging_type: 'RESPONSE' };
    // The Send API has no idempotency key: the parts already delivered of a long reply are remembered, so
    // a retry continues with the next one.
    const key = `messenger.delivery.${message.messageId ?? `${message.conversationId}:${message.text}`}`;
    const progress = (await this.deps.store.settings.get<DeliveryProgress>(key)) ?? {
      parts: 0,
      lastId: null,
    };
    for (let i = progress.parts; i < bodies.length; i++) {
      const body = bodies[i];
      if (!body) continue;
      try {
        progress.lastId = await this.graph.send({ recipient: { id: psid }, ...messaging, message: body });
      } catch (error) {
        this.failing(error, 'send');
        throw toConnectorError(error, `Messenger message to ${psid} (part ${i + 1} of ${bodies.length})`);
      }
      this.healthy();
      progress.parts = i + 1;
      if (i + 1 < bodies.length) await this.deps.store.settings.set(key, progress);
    }
    if (bodies.length > 1) await this.deps.store.settings.set(key, null);
    return { externalId: progress.lastId };
  }

  // ---- inbound ----------------------------------------------------------------------------------

  /** `GET` and `POST /webhooks/messenger`; mount through `buildApp`'s `registerRoutes`. */
  routes(app: FastifyInstance): void {
    app.get(
      '/webhooks/messenger',
      {
        schema: {
          tags: ['webhooks'],
          summary:
            "Meta's webhook verification: hub.mode=subscribe and hub.verify_token = MESSENGER_VERIFY_TOKEN answer hub.challenge",
        },
        // The query carries the verify token: no request line is logged for this route.
        logLevel: 'warn',
        config: { role: 'public', rateLimit: { max: 60, timeWindow: 60_000 } },
      },
      async (request, reply) => {
        const query = verifyQuery.safeParse(request.query);
        const q = query.success ? query.data : {};
        if (
          q['hub.mode'] !== 'subscribe' ||
          !q['hub.verify_token'] ||
          !sameText(q['hub.verify_token'], this.options.verifyToken)
        ) {
          this.deps.log.warn(
            { mode: q['hub.mode'] ?? null, from: request.ip },
            'Messenger webhook verification refused: hub.verify_token is not MESSENGER_VERIFY_TOKEN',
          );
          throw new HttpError(403, 'forbidden', 'hub.verify_token does not match this page');
        }
        return reply.type('text/plain; charset=utf-8').send(q['hub.challenge'] ?? '');
      },
    );

    // Its own scope, whose JSON parser keeps the raw text the signature is computed over.
    void app.register(async (hook) => {
      hook.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: 1024 * 1024 },
        (_request, body, done) => done(null, body),
      );
      hook.post(
        '/webhooks/messenger',
        {
          schema: {
            tags: ['webhooks'],
            summary:
              'Messenger events of the page (Meta webhook, JSON, signed with X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the body with MESSENGER_APP_SECRET)',
          },
          // Unauthenticated until the signature is checked: bounded like the other public endpoints.
          config: { role: 'public', rateLimit: { max: 1_200, timeWindow: 60_000 } },
        },
        async (request, reply) => {
          const raw = typeof request.body === 'string' ? request.body : '';
          const header = request.headers['x-hub-signature-256'];
          const signature = typeof header === 'string' ? header : undefined;
          if (!isSignedByMeta(this.options.appSecret, signature, raw)) {
            this.deps.log.warn(
              { signed: signature !== undefined, from: request.ip },
              'Messenger webhook refused: X-Hub-Signature-256 does not match (check MESSENGER_APP_SECRET)',
            );
            throw new HttpError(403, 'forbidden', 'the X-Hub-Signature-256 header does not match this body');
          }
          let json: unknown;
          try {
            json = JSON.parse(raw);
          } catch {
            throw new HttpError(400, 'invalid', 'the body is not JSON');
          }
          const parsed = messengerWebhookSchema.safeParse(json);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new HttpError(
              400,
              'invalid',
              `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not a Messenger webhook'}`,
            );
          }
          const handler = this.handler;
          if (!handler) throw new HttpError(503, 'unavailable', 'Messenger is not running');
          for (const entry of parsed.data.entry)
            for (const event of entry.messaging) {
              const inbound = toMessengerInbound(event);
              if (!inbound) continue;
              const message = await this.toInboundMessage(inbound);
              try {
                // Resolves once stored: Meta gets its 200 only for events that cannot be lost any more.
                await handler(message);
              } catch (error) {
                if (error instanceof DomainError && error.kind === 'invalid') {
                  this.deps.log.warn(
                    { mid: inbound.externalId, psid: inbound.psid, reason: error.message },
                    'Messenger event not taken',
                  );
                  continue;
                }
                throw new HttpError(
                  503,
                  'unavailable',
                  'the event could not be stored yet; Meta delivers it again',
                );
              }
            }
          return reply.type('text/plain; charset=utf-8').send('EVENT_RECEIVED');
        },
      );
    });
  }

  private async toInboundMessage(
    inbound: ReturnType<typeof toMessengerInbound> & {},
  ): Promise<InboundMessage> {
    const profile = await this.profileOf(inbound.psid);
    const now = this.now();
    // Meta's time of the message (the messaging window runs from it), never later than now.
    const at = inbound.receivedAt && inbound.receivedAt < now ? inbound.receivedAt : now;
    return {
      channel: CHANNEL,
      externalId: inbound.externalId,
      contact: {
        externalId: inbound.psid,
        name: profile.name,
        ...(profile.avatarUrl !== undefined ? { avatarUrl: profile.avatarUrl } : {}),
      },
      address: { psid: inbound.psid },
      text: inbound.text,
      attachments: inbound.attachments,
      ...(inbound.action ? { action: inbound.action } : {}),
      receivedAt: at.toISOString(),
    };
  }

  /**
   * The member's name and picture, remembered for a while. A failing profile call never loses the
   * message: a known member keeps the name they have (an empty name changes nothing), a new one gets a
   * placeholder until a later message brings the profile.
   */
  private async profileOf(psid: string): Promise<{ name: string; avatarUrl?: string | null }> {
    const known = this.profiles.get(psid);
    if (known && this.now().getTime() - known.at < this.options.profileTtlMs)
      return { name: known.name, avatarUrl: known.avatarUrl };
    try {
      const profile = await this.graph.profile(psid);
      const name = [profile.first_name, profile.last_name].filter(Boolean).join(' ').trim();
      this.healthy();
      if (name) {
        const remembered = { name, avatarUrl: profile.profile_pic ?? null, at: this.now().getTime() };
        this.profiles.delete(psid);
        this.profiles.set(psid, remembered);
        if (this.profiles.size > profileCacheMax) {
          const oldest = this.profiles.keys().next().value;
          if (oldest !== undefined) this.profiles.delete(oldest);
        }
        return { name, avatarUrl: remembered.avatarUrl };
      }
    } catch (error) {
      this.failing(error, 'profile');
      this.deps.log.warn(
        { psid, reason: error instanceof Error ? error.message : String(error) },
        'Messenger profile not read; the message is taken without it',
      );
    }
    const contact = await this.deps.store.contacts.findByIdentity(CHANNEL, psid).catch(() => undefined);
    return { name: contact ? '' : `Messenger user ${psid.slice(-4)}` };
  }
}

/** Compares two secrets without telling by timing how much of them matched. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
