import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Clock } from '../ports/clock.ts';
import type { AdminNotice, EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import type { WebhookSender } from '../ports/webhook-sender.ts';
import { leasedClaim, type RetryBackoffOptions, retryDelay } from '../retry/retry-backoff.ts';
import {
  type PublicWebhookSubscription,
  type WebhookDelivery,
  type WebhookEventType,
  type WebhookSubscription,
  webhookEventTypes,
} from './webhook.ts';

export interface WebhookOptions extends RetryBackoffOptions {
  /** An endpoint failing this long (every attempt since its first failure) is disabled. */
  disableAfterMs: number;
  /** Deliveries in flight at once on this instance. */
  concurrency: number;
  /** An attempt without an answer after this long failed. */
  timeoutMs: number;
  /** How long a claimed delivery stays this instance's; longer than `timeoutMs`. */
  leaseMs: number;
  /** How often due deliveries (retries) are looked for. */
  tickMs: number;
  /** Who claims deliveries; unique per service. */
  owner: string;
}

export const defaultWebhookOptions: Omit<WebhookOptions, 'owner'> = {
  baseBackoffMs: 10_000,
  maxBackoffMs: 60 * 60_000,
  jitter: 0.2,
  disableAfterMs: 24 * 60 * 60_000,
  concurrency: 8,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  tickMs: 1_000,
  random: Math.random,
};

export interface WebhookLog {
  warn(context: Record<string, unknown>, message: string): void;
  error?(context: Record<string, unknown>, message: string): void;
}

export interface WebhookInput {
  url: string;
  description?: string;
  events: readonly string[];
  enabled?: boolean;
}

/** A subscription with its secret: what creating one or rotating its secret returns, once. */
export interface WebhookWithSecret {
  subscription: PublicWebhookSubscription;
  secret: string;
}

/** A delivery as the log shows it: what was sent is in the body, kept for "send again". */
export type WebhookDeliveryView = Omit<WebhookDelivery, 'body'>;

export const maxWebhookUrlLength = 2_000;
/** Why a subscription is off when an admin turned it off (any other reason is a day of failures). */
export const turnedOffByAdmin = 'turned off by an admin';
export const maxDeliveryPage = 200;

export function publicSubscription(subscription: WebhookSubscription): PublicWebhookSubscription {
  const { secret: _secret, ...rest } = subscription;
  return rest;
}

/** A delivery log line without the body it sent. */
export function deliveryView(delivery: WebhookDelivery): WebhookDeliveryView {
  const { body: _body, ...rest } = delivery;
  return rest;
}

/** `whsec_` and 32 random bytes in hex: the HMAC key of a subscription. Web Crypto, no I/O module. */
export function newWebhookSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The address, checked: http or https, no credentials in it (the signature is what proves the sender). */
export function cleanWebhookUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > maxWebhookUrlLength)
    throw invalid(`a webhook URL is at most ${maxWebhookUrlLength} characters`, { field: 'url' });
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid('the webhook URL is not a valid absolute URL (https://…)', { field: 'url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid('a webhook URL starts with https:// or http://', { field: 'url' });
  if (url.username || url.password)
    throw invalid('a webhook URL carries no user name or password; receivers check the signature', {
      field: 'url',
    });
  if (url.hash) throw invalid('a webhook URL has no #fragment', { field: 'url' });
  return url.toString();
}

export function cleanWebhookEvents(events: readonly string[]): WebhookEventType[] {
  const known = new Set<string>(webhookEventTypes);
  const unknown = events.filter((e) => !known.has(e));
  if (unknown.length > 0)
    throw invalid(`unknown webhook event ${unknown.join(', ')}; known: ${webhookEventTypes.join(', ')}`, {
      field: 'events',
    });
  if (events.length === 0) throw invalid('a webhook subscribes to at least one event', { field: 'events' });
  // In the product's order, once each.
  return webhookEventTypes.filter((e) => events.includes(e));
}

/**
 * Outbound webhooks: admins' subscriptions, and the delivery of what the core recorded for them
 * (`recordWebhookDeliveries`, in the transaction of each change). Deliveries are claimed from the
 * database with a lease, so several instances never send the same attempt; a failed attempt is retried
 * with a capped, jittered exponential back-off; an endpoint failing for `disableAfterMs` is disabled and
 * the admins are told (a log line, an `admin.notice` event, the reason on the subscription).
 */
export class WebhookService {
  readonly options: WebhookOptions;
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly sender: WebhookSender | null,
    options: Partial<WebhookOptions> = {},
    private readonly log: WebhookLog = { warn: () => {} },
  ) {
    this.options = { ...defaultWebhookOptions, owner: newId(), ...options };
  }

  async list(): Promise<PublicWebhookSubscription[]> {
    return (await this.store.webhooks.listSubscriptions()).map(publicSubscription);
  }

  async get(id: string): Promise<PublicWebhookSubscription> {
    return publicSubscription(await this.find(id));
  }

  async create(input: WebhookInput): Promise<WebhookWithSecret> {
    const url = cleanWebhookUrl(input.url);
    const events = cleanWebhookEvents(input.events);
    const now = this.now();
    const enabled = input.enabled ?? true;
    const subscription: WebhookSubscription = {
      id: newId(),
      url,
      description: cleanDescription(input.description ?? ''),
      events,
      secret: newWebhookSecret(),
      enabled,
      failingSince: null,
      disabledAt: enabled ? null : now,
      disabledReason: enabled ? null : turnedOffByAdmin,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.webhooks.createSubscription(subscription);
    return { subscription: publicSubscription(subscription), secret: subscription.secret };
  }

  async update(id: string, patch: Partial<WebhookInput>): Promise<PublicWebhookSubscription> {
    const current = await this.find(id);
    const now = this.now();
    const next: WebhookSubscription = {
      ...current,
      ...(patch.url !== undefined ? { url: cleanWebhookUrl(patch.url) } : {}),
      ...(patch.events !== undefined ? { events: cleanWebhookEvents(patch.events) } : {}),
      ...(patch.description !== undefined ? { description: cleanDescription(patch.description) } : {}),
      updatedAt: now,
    };
    if (patch.enabled === true && !current.enabled) {
      // Turned on again: a fresh start, and what waited while it was off goes out now.
      Object.assign(next, { enabled: true, failingSince: null, disabledAt: null, disabledReason: null });
    } else if (patch.enabled === false && current.enabled) {
      Object.assign(next, { enabled: false, disabledAt: now, disabledReason: turnedOffByAdmin });
    }
    await this.store.webhooks.updateSubscription(next);
    if (next.enabled && !current.enabled) this.wake();
    return publicSubscription(next);
  }

  async rotateSecret(id: string): Promise<WebhookWithSecret> {
    const current = await this.find(id);
    const next = { ...current, secret: newWebhookSecret(), updatedAt: this.now() };
    await this.store.webhooks.updateSubscription(next);
    return { subscription: publicSubscription(next), secret: next.secret };
  }

  async delete(id: string): Promise<void> {
    await this.find(id);
    await this.store.webhooks.deleteSubscription(id);
  }

  async deliveries(
    id: string,
    page: { limit?: number; before?: string } = {},
  ): Promise<WebhookDeliveryView[]> {
    await this.find(id);
    const limit = Math.min(Math.max(page.limit ?? 50, 1), maxDeliveryPage);
    const found = await this.store.webhooks.listDeliveries({
      subscriptionId: id,
      limit,
      ...(page.before ? { before: page.before } : {}),
    });
    return found.map(deliveryView);
  }

  /** Sends a delivery again (the same event id and body), at once. */
  async redeliver(subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const delivery = await this.store.webhooks.getDelivery(deliveryId);
    if (!delivery || delivery.subscriptionId !== subscriptionId)
      throw notFound('webhook delivery', deliveryId);
    const again = await this.store.webhooks.redeliver(deliveryId, this.now());
    if (!again) throw notFound('webhook delivery', deliveryId);
    this.wake();
    return deliveryView(again);
  }

  /** Looks for due deliveries every `tickMs`, and at once when a change recorded some. */
  start(): void {
    if (this.timer || !this.sender) return;
    this.unsubscribe = this.bus.subscribe((event) => {
      if (event.type === 'webhooks.enqueued') this.wake();
    });
    this.timer = setInterval(() => this.wake(), this.options.tickMs);
    this.wake();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.running?.catch(() => {});
  }

  private wake(): void {
    this.tick().catch((error: unknown) =>
      this.log.warn({ error: String(error) }, 'webhook delivery pass failed'),
    );
  }

  /**
   * Sends everything due now, `concurrency` at a time, until nothing due is left. A call during a pass
   * makes it look once more. Returns the number delivered.
   */
  async tick(): Promise<number> {
    this.again = true;
    if (this.running) return this.running;
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async pass(): Promise<number> {
    let delivered = 0;
    while (this.again) {
      this.again = false;
      for (;;) {
        const { leaseMs, owner, concurrency } = this.options;
        const claimed = await this.store.webhooks.claimDue(
          leasedClaim(this.clock.now(), leaseMs, owner, concurrency),
        );
        const outcomes = await Promise.all(claimed.map((d) => this.attempt(d)));
        delivered += outcomes.filter(Boolean).length;
        if (claimed.length < this.options.concurrency) break;
      }
    }
    return delivered;
  }

  /** One attempt; never rejects. A store failure leaves the claim to run out, and the attempt is made again. */
  private async attempt(delivery: WebhookDelivery): Promise<boolean> {
    try {
      const subscription = await this.store.webhooks.getSubscription(delivery.subscriptionId);
      if (!subscription?.enabled) return false;
      if (!this.sender) return false;
      const started = this.clock.now();
      const response = await this.sender.send({
        url: subscription.url,
        body: delivery.body,
        secret: subscription.secret,
        timestamp: Math.floor(started.getTime() / 1000),
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        deliveryId: delivery.id,
        timeoutMs: this.options.timeoutMs,
      });
      const at = this.clock.now();
      const attempts = delivery.attempts + 1;
      const outcome: WebhookDelivery = {
        ...delivery,
        attempts,
        lastAttemptAt: at.toISOString(),
        responseStatus: response.status,
        responseExcerpt: response.excerpt,
      };
      const where = {
        subscriptionId: subscription.id,
        deliveryId: delivery.id,
        host: hostOf(subscription.url),
      };
      if (response.ok) {
        const stored = await this.store.webhooks.finish(
          { ...outcome, status: 'delivered', deliveredAt: at.toISOString() },
          this.options.owner,
        );
        await this.store.webhooks.markWorking(subscription.id);
        if (!stored) this.claimLost(where);
        return stored;
      }
      const wait = retryDelay(attempts, this.options);
      this.log.warn(
        { ...where, event: delivery.eventType, attempts, status: response.status, retryInMs: wait },
        'webhook not delivered yet; retrying',
      );
      const stored = await this.store.webhooks.finish(
        { ...outcome, status: 'pending', nextAttemptAt: new Date(at.getTime() + wait).toISOString() },
        this.options.owner,
      );
      if (!stored) this.claimLost(where);
      const hours = Math.round(this.options.disableAfterMs / 3_600_000);
      const reason = `disabled after ${hours} hours of failed deliveries (last: ${
        response.status === null ? response.excerpt : `HTTP ${response.status}`
      })`;
      const disabled = await this.store.webhooks.markFailing(
        subscription.id,
        at.toISOString(),
        new Date(at.getTime() - this.options.disableAfterMs).toISOString(),
        reason.slice(0, 300),
      );
      if (disabled) await this.tellDisabled(subscription, reason, at);
      return false;
    } catch (error) {
      this.log.warn(
        { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id, error: String(error) },
        'webhook attempt outcome not stored; it is made again when its claim runs out',
      );
      return false;
    }
  }

  private async tellDisabled(subscription: WebhookSubscription, reason: string, at: Date): Promise<void> {
    (this.log.error ?? this.log.warn).call(
      this.log,
      { subscriptionId: subscription.id, host: hostOf(subscription.url), reason },
      'webhook endpoint disabled after a day of failures; an admin must turn it on again',
    );
    await this.bus.publish({
      type: 'admin.notice',
      notice: disabledNotice(subscription, reason, at.toISOString()),
    });
  }

  /**
   * What admins must act on now: every endpoint disabled after a day of failures, until it is turned on
   * again. The desktop shows these at sign-in; the `admin.notice` event tells the admins already there.
   */
  async notices(): Promise<AdminNotice[]> {
    const subscriptions = await this.store.webhooks.listSubscriptions();
    return subscriptions
      .filter((s) => !s.enabled && s.disabledReason !== null && s.disabledReason !== turnedOffByAdmin)
      .map((s) => disabledNotice(s, s.disabledReason ?? '', s.disabledAt ?? s.updatedAt));
  }

  private claimLost(where: Record<string, unknown>): void {
    this.log.warn(
      where,
      'webhook delivery claim ran out before its outcome was stored; another instance has it',
    );
  }

  private async find(id: string): Promise<WebhookSubscription> {
    const found = await this.store.webhooks.getSubscription(id);
    if (!found) throw notFound('webhook', id);
    return found;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function cleanDescription(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > 200)
    throw invalid('a webhook description is at most 200 characters', { field: 'description' });
  return trimmed;
}

function disabledNotice(subscription: WebhookSubscription, reason: string, at: string): AdminNotice {
  return {
    kind: 'webhook.disabled',
    text: `The webhook to ${hostOf(subscription.url)} was ${reason}. Fix the endpoint, then turn it on again in Admin → Webhooks.`,
    subjectId: subscription.id,
    at,
  };
}

/** Only the host is logged: a URL's path or query may hold an integrator's token. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown host';
  }
}
