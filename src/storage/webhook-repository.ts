import type { Kysely, Selectable } from 'kysely';
import type {
  WebhookDeliveryClaim,
  WebhookDeliveryFilter,
  WebhookRepository,
} from '../core/ports/webhook-repository.ts';
import type {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEvent,
  WebhookEventType,
  WebhookSubscription,
} from '../core/webhooks/webhook.ts';
import { type Database, directStatementsOf, engineOf } from './database.ts';
import { assertUpdated, compiledOnce, type DbScope, fromFlag, fromJson, toFlag, toJson } from './db-scope.ts';

export interface WebhookSubscriptionTable {
  id: string;
  url: string;
  description: string;
  /** JSON array of event types. */
  events: string;
  secret: string;
  enabled: number;
  failing_since: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryTable {
  id: string;
  subscription_id: string;
  event_id: string;
  /** The occurrence (`WebhookEvent.key`); unique per subscription. */
  event_key: string;
  event_type: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  response_status: number | null;
  response_excerpt: string | null;
  created_at: string;
  delivered_at: string | null;
  /** While a dispatcher holds the delivery: the end of its lease, and who holds it. */
  claimed_until: string | null;
  claim_owner: string | null;
}

const subscriptionFromRow = (r: Selectable<WebhookSubscriptionTable>): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: fromJson<WebhookEventType[]>(r.events),
  secret: r.secret,
  enabled: fromFlag(r.enabled),
  failingSince: r.failing_since,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const subscriptionToRow = (s: WebhookSubscription) => ({
  id: s.id,
  url: s.url,
  description: s.description,
  events: toJson(s.events),
  secret: s.secret,
  enabled: toFlag(s.enabled),
  failing_since: s.failingSince,
  disabled_at: s.disabledAt,
  disabled_reason: s.disabledReason,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

const deliveryFromRow = (r: Selectable<WebhookDeliveryTable>): WebhookDelivery => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  eventType: r.event_type as WebhookEventType,
  body: r.body,
  status: r.status as WebhookDeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  responseStatus: r.response_status === null ? null : Number(r.response_status),
  responseExcerpt: r.response_excerpt,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

/** Asked in every transaction that emits an integrator event (each inbound message): compiled once. */
const enabledSubscriptions = compiledOnce((db: Kysely<Database>) =>
  db.selectFrom('webhook_subscriptions').selectAll().where('enabled', '=', 1),
);

/**
 * The enabled subscriptions as first read in each open SQLite transaction, for its later reads: every receive
 * of a grouped transaction asks for them. An SQLite transaction here holds the write lock from its start, so
 * only its own writes can change them, and each of those drops the copy (as does a rollback to a savepoint,
 * `forgetSubscriptionReads`). PostgreSQL reads them every time.
 */
const enabledRead = new WeakMap<Kysely<Database>, Promise<WebhookSubscription[]>>();

export function forgetSubscriptionReads(db: Kysely<Database>): void {
  enabledRead.delete(db);
}

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly scope: DbScope) {}

  async createSubscription(subscription: WebhookSubscription): Promise<void> {
    await this.scope.db.insertInto('webhook_subscriptions').values(subscriptionToRow(subscription)).execute();
    forgetSubscriptionReads(this.scope.db);
  }

  async getSubscription(id: string): Promise<WebhookSubscription | undefined> {
    const row = await this.scope.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && subscriptionFromRow(row);
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    const rows = await this.scope.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(subscriptionFromRow);
  }

  async listEnabledSubscriptions(): Promise<WebhookSubscription[]> {
    const db = this.scope.db;
    if (!directStatementsOf(db)) return (await enabledSubscriptions(db)).map(subscriptionFromRow);
    let read = enabledRead.get(db);
    if (!read) {
      read = enabledSubscriptions(db).then((rows) => rows.map(subscriptionFromRow));
      enabledRead.set(db, read);
      read.catch(() => enabledRead.delete(db));
    }
    return [...(await read)];
  }

  async updateSubscription(subscription: WebhookSubscription): Promise<void> {
    const { id, created_at: _created, ...row } = subscriptionToRow(subscription);
    const result = await this.scope.db
      .updateTable('webhook_subscriptions')
      .set(row)
      .where('id', '=', id)
      .executeTakeFirst();
    forgetSubscriptionReads(this.scope.db);
    assertUpdated(result, 'webhook subscription', id);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.scope.db.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
    await this.scope.db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    forgetSubscriptionReads(this.scope.db);
  }

  async addDeliveries(event: WebhookEvent, body: string, subscriptionIds: string[]): Promise<number> {
    if (subscriptionIds.length === 0) return 0;
    const rows = await this.scope.db
      .insertInto('webhook_deliveries')
      .values(
        subscriptionIds.map((subscriptionId) => ({
          id: globalThis.crypto.randomUUID(),
          subscription_id: subscriptionId,
          event_id: event.id,
          event_key: event.key,
          event_type: event.type,
          body,
          status: 'pending' satisfies WebhookDeliveryStatus,
          attempts: 0,
          next_attempt_at: event.at,
          last_attempt_at: null,
          response_status: null,
          response_excerpt: null,
          created_at: event.at,
          delivered_at: null,
          claimed_until: null,
          claim_owner: null,
        })),
      )
      .onConflict((oc) => oc.columns(['subscription_id', 'event_key']).doNothing())
      .returning('id')
      .execute();
    return rows.length;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.scope.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && deliveryFromRow(row);
  }

  async listDeliveries({ subscriptionId, limit, before }: WebhookDeliveryFilter): Promise<WebhookDelivery[]> {
    let query = this.scope.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId);
    if (before) {
      const anchor = await this.getDelivery(before);
      if (anchor)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', anchor.createdAt),
            eb.and([eb('created_at', '=', anchor.createdAt), eb('id', '<', anchor.id)]),
          ]),
        );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(deliveryFromRow);
  }

  /**
   * One statement, as the outbox's claim: SQLite's UPDATE takes the write lock before it reads, and on
   * PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, so a concurrent claimer skips them.
   */
  async claimDue({ now, leaseUntil, owner, limit }: WebhookDeliveryClaim): Promise<WebhookDelivery[]> {
    const db = this.scope.db;
    const postgres = engineOf(db) === 'postgres';
    const candidates = db
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.status', '=', 'pending' satisfies WebhookDeliveryStatus)
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<=', now)]))
      .where(
        'd.subscription_id',
        'in',
        db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', 1),
      )
      .orderBy('d.next_attempt_at', 'asc')
      .orderBy('d.id', 'asc')
      .limit(limit)
      .$if(postgres, (qb) => qb.forUpdate().skipLocked());
    const rows = await db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: leaseUntil, claim_owner: owner })
      .where('id', 'in', candidates)
      .returningAll()
      .execute();
    return rows.map(deliveryFromRow).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
  }

  async finish(delivery: WebhookDelivery, owner: string): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('webhook_deliveries')
      .set({
        status: delivery.status,
        attempts: delivery.attempts,
        next_attempt_at: delivery.nextAttemptAt,
        last_attempt_at: delivery.lastAttemptAt,
        response_status: delivery.responseStatus,
        response_excerpt: delivery.responseExcerpt,
        delivered_at: delivery.deliveredAt,
        claimed_until: null,
        claim_owner: null,
      })
      .where('id', '=', delivery.id)
      .where('claim_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markWorking(subscriptionId: string): Promise<void> {
    await this.scope.db
      .updateTable('webhook_subscriptions')
      .set({ failing_since: null })
      .where('id', '=', subscriptionId)
      .where('failing_since', 'is not', null)
      .execute();
    forgetSubscriptionReads(this.scope.db);
  }

  async markFailing(
    subscriptionId: string,
    at: string,
    disableIfFailingSince: string,
    reason: string,
  ): Promise<boolean> {
    const db = this.scope.db;
    await db
      .updateTable('webhook_subscriptions')
      .set({ failing_since: at })
      .where('id', '=', subscriptionId)
      .where('failing_since', 'is', null)
      .execute();
    // Guarded by `enabled`: of several instances failing at once, one disables it (and tells the admin).
    const disabled = await db
      .updateTable('webhook_subscriptions')
      .set({ enabled: 0, disabled_at: at, disabled_reason: reason, updated_at: at })
      .where('id', '=', subscriptionId)
      .where('enabled', '=', 1)
      .where('failing_since', '<=', disableIfFailingSince)
      .executeTakeFirst();
    forgetSubscriptionReads(db);
    return disabled.numUpdatedRows > 0n;
  }

  async redeliver(id: string, now: string): Promise<WebhookDelivery | undefined> {
    const row = await this.scope.db
      .updateTable('webhook_deliveries')
      .set({
        status: 'pending' satisfies WebhookDeliveryStatus,
        next_attempt_at: now,
      })
      // An attempt in flight keeps its claim: the delivery is not sent twice at once.
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && deliveryFromRow(row);
  }
}
