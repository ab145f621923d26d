import type { WebhookDelivery, WebhookEvent, WebhookSubscription } from '../webhooks/webhook.ts';

export interface WebhookDeliveryClaim {
  now: string;
  leaseUntil: string;
  owner: string;
  limit: number;
}

export interface WebhookDeliveryFilter {
  subscriptionId: string;
  /** Newest first; this many at most. */
  limit: number;
  /** Only deliveries created before this one (the next page). */
  before?: string;
}

/** Webhook subscriptions and their deliveries (a durable queue claimed with leases, as the outbox is). */
export interface WebhookRepository {
  createSubscription(subscription: WebhookSubscription): Promise<void>;
  getSubscription(id: string): Promise<WebhookSubscription | undefined>;
  /** Oldest first. */
  listSubscriptions(): Promise<WebhookSubscription[]>;
  /** Enabled subscriptions only: the ones an event is delivered to. */
  listEnabledSubscriptions(): Promise<WebhookSubscription[]>;
  /** Updating a missing subscription is a `not_found` DomainError. */
  updateSubscription(subscription: WebhookSubscription): Promise<void>;
  /** Deletes it and its deliveries; deleting a missing one is a no-op. */
  deleteSubscription(id: string): Promise<void>;
  /**
   * Stores one pending delivery of `event` to each subscription, due at `event.at`; an event whose `key`
   * a subscription already has a delivery of is left out. Returns how many were stored.
   */
  addDeliveries(event: WebhookEvent, body: string, subscriptionIds: string[]): Promise<number>;
  getDelivery(id: string): Promise<WebhookDelivery | undefined>;
  listDeliveries(filter: WebhookDeliveryFilter): Promise<WebhookDelivery[]>;
  /**
   * Pending deliveries of enabled subscriptions due at `now` whose claim (if any) ran out, each claimed
   * for `owner` until `leaseUntil` in one atomic statement, so that two instances never claim the same one.
   */
  claimDue(claim: WebhookDeliveryClaim): Promise<WebhookDelivery[]>;
  /** Stores the outcome of an attempt and ends the claim; false when `owner` no longer holds it. */
  finish(delivery: WebhookDelivery, owner: string): Promise<boolean>;
  /** A delivery taken: the subscription is no longer failing. */
  markWorking(subscriptionId: string): Promise<void>;
  /**
   * A failed attempt at `at`: the subscription is failing since its first failure; when that was at or
   * before `disableIfFailingSince` it is disabled with `reason`. True only for the call that disabled it.
   */
  markFailing(
    subscriptionId: string,
    at: string,
    disableIfFailingSince: string,
    reason: string,
  ): Promise<boolean>;
  /** Makes a delivery due again at `now` (an admin's "send again"); the updated delivery. */
  redeliver(id: string, now: string): Promise<WebhookDelivery | undefined>;
}
