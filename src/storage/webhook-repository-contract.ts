import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/ports/repositories.ts';
import type { WebhookEvent, WebhookSubscription } from '../core/webhooks/webhook.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();

export function subscription(overrides: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    id: randomUUID(),
    url: 'https://crm.example.com/hooks/switchboard',
    description: 'CRM',
    events: ['case.created', 'message.created'],
    secret: `whsec_${randomUUID()}`,
    enabled: true,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function event(key: string, minute: number): WebhookEvent {
  return { id: randomUUID(), type: 'case.created', key, at: at(minute), data: { n: key } };
}

/**
 * The webhook repository on one engine, with two stores on one database (two instances): subscriptions
 * kept as given, one delivery per occurrence and subscription, claims that two instances never share.
 */
export function describeWebhookRepositoryContract(name: string, open: () => Promise<[Store, Store]>): void {
  describe(`webhook repository: ${name}`, () => {
    let first: Store;
    let second: Store;
    beforeAll(async () => {
      [first, second] = await open();
    });
    afterAll(async () => {
      await first?.close();
      if (second !== first) await second?.close();
    });

    it('keeps subscriptions as given, lists the enabled ones, and deletes one with its deliveries', async () => {
      const on = subscription({ createdAt: at(1) });
      const off = subscription({
        enabled: false,
        disabledAt: at(2),
        disabledReason: 'off',
        createdAt: at(2),
      });
      await first.webhooks.createSubscription(on);
      await first.webhooks.createSubscription(off);
      expect(await second.webhooks.getSubscription(on.id)).toEqual(on);
      expect((await second.webhooks.listSubscriptions()).map((s) => s.id)).toEqual(
        expect.arrayContaining([on.id, off.id]),
      );
      const enabled = (await second.webhooks.listEnabledSubscriptions()).map((s) => s.id);
      expect(enabled).toContain(on.id);
      expect(enabled).not.toContain(off.id);
      const changed = {
        ...on,
        url: 'https://crm.example.com/v2',
        events: ['case.solved' as const],
        updatedAt: at(3),
      };
      await second.webhooks.updateSubscription(changed);
      expect(await first.webhooks.getSubscription(on.id)).toEqual(changed);
      await expect(first.webhooks.updateSubscription(subscription())).rejects.toMatchObject({
        kind: 'not_found',
      });

      await first.webhooks.addDeliveries(event(`k-${on.id}`, 4), '{}', [on.id]);
      await first.webhooks.deleteSubscription(on.id);
      expect(await first.webhooks.getSubscription(on.id)).toBeUndefined();
      expect(await first.webhooks.listDeliveries({ subscriptionId: on.id, limit: 10 })).toEqual([]);
      await first.webhooks.deleteSubscription(on.id);
      await first.webhooks.deleteSubscription(off.id);
    });

    it('stores one delivery per occurrence and subscription, and lists the log newest first in pages', async () => {
      const a = subscription();
      const b = subscription();
      await first.webhooks.createSubscription(a);
      await first.webhooks.createSubscription(b);
      const once = event(`once-${a.id}`, 5);
      expect(await first.webhooks.addDeliveries(once, '{"x":1}', [a.id, b.id])).toBe(2);
      // The same change reported again (another emit, another instance): nothing more.
      expect(
        await second.webhooks.addDeliveries({ ...once, id: randomUUID() }, '{"x":2}', [a.id, b.id]),
      ).toBe(0);
      for (let minute = 6; minute < 11; minute++)
        await first.webhooks.addDeliveries(event(`${a.id}-${minute}`, minute), `{"m":${minute}}`, [a.id]);
      const page = await second.webhooks.listDeliveries({ subscriptionId: a.id, limit: 4 });
      expect(page.map((d) => d.createdAt)).toEqual([at(10), at(9), at(8), at(7)]);
      expect(page[0]).toMatchObject({
        subscriptionId: a.id,
        eventType: 'case.created',
        body: '{"m":10}',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at(10),
        responseStatus: null,
        deliveredAt: null,
      });
      const rest = await second.webhooks.listDeliveries({
        subscriptionId: a.id,
        limit: 4,
        before: page[3]!.id,
      });
      expect(rest.map((d) => d.createdAt)).toEqual([at(6), at(5)]);
      expect(rest[1]?.body).toBe('{"x":1}');
      const forB = await first.webhooks.listDeliveries({ subscriptionId: b.id, limit: 10 });
      expect(forB.map((d) => d.eventId)).toEqual([once.id]);
      expect(forB[0]?.eventId).toBe(rest[1]?.eventId);
      await first.webhooks.deleteSubscription(a.id);
      await first.webhooks.deleteSubscription(b.id);
    });

    it('claims due deliveries of enabled subscriptions once across two stores, and keeps the outcome', async () => {
      const on = subscription();
      const off = subscription({ enabled: false });
      await first.webhooks.createSubscription(on);
      await first.webhooks.createSubscription(off);
      for (let n = 0; n < 6; n++)
        await first.webhooks.addDeliveries(event(`c-${on.id}-${n}`, 1), '{}', [on.id]);
      await first.webhooks.addDeliveries(event(`c-${off.id}`, 1), '{}', [off.id]);
      await first.webhooks.addDeliveries(event(`later-${on.id}`, 30), '{}', [on.id]);
      const claim = (store: Store, owner: string) =>
        store.webhooks.claimDue({ now: at(20), leaseUntil: at(21), owner, limit: 4 });
      const [x, y] = await Promise.all([claim(first, 'x'), claim(second, 'y')]);
      const ids = [...x, ...y].map((d) => d.id);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size).toBe(6);
      // Held by a live claim, or not due yet, or its subscription is off: nothing.
      expect(await claim(first, 'z')).toEqual([]);
      const mine = (x[0] ?? y[0])!;
      const owner = x[0] ? 'x' : 'y';
      const outcome = {
        ...mine,
        status: 'delivered' as const,
        attempts: 1,
        lastAttemptAt: at(20),
        responseStatus: 204,
        responseExcerpt: 'ok',
        deliveredAt: at(20),
      };
      expect(await first.webhooks.finish(outcome, owner === 'x' ? 'y' : 'x')).toBe(false);
      expect(await second.webhooks.finish(outcome, owner)).toBe(true);
      expect(await first.webhooks.getDelivery(mine.id)).toEqual(outcome);
      // A claim that ran out is taken again (the instance holding it died).
      const again = await first.webhooks.claimDue({ now: at(22), leaseUntil: at(23), owner: 'z', limit: 10 });
      expect(again).toHaveLength(5);
      // Sending again makes a delivered one due now.
      expect(await first.webhooks.redeliver(mine.id, at(24))).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(24),
      });
      await first.webhooks.deleteSubscription(on.id);
      await first.webhooks.deleteSubscription(off.id);
    });

    it('disables a subscription failing since the cut-off once, and a success ends the failing', async () => {
      const s = subscription();
      await first.webhooks.createSubscription(s);
      const cutoff = (minute: number) => at(minute - 10);
      expect(await first.webhooks.markFailing(s.id, at(1), cutoff(1), 'r')).toBe(false);
      expect((await first.webhooks.getSubscription(s.id))?.failingSince).toBe(at(1));
      expect(await first.webhooks.markFailing(s.id, at(5), cutoff(5), 'r')).toBe(false);
      expect((await first.webhooks.getSubscription(s.id))?.failingSince).toBe(at(1));
      await second.webhooks.markWorking(s.id);
      expect((await first.webhooks.getSubscription(s.id))?.failingSince).toBeNull();
      expect(await first.webhooks.markFailing(s.id, at(20), cutoff(20), 'r')).toBe(false);
      const results = await Promise.all([
        first.webhooks.markFailing(s.id, at(31), cutoff(31), 'a day of failures'),
        second.webhooks.markFailing(s.id, at(31), cutoff(31), 'a day of failures'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await first.webhooks.getSubscription(s.id)).toMatchObject({
        enabled: false,
        disabledAt: at(31),
        disabledReason: 'a day of failures',
      });
      await first.webhooks.deleteSubscription(s.id);
    });
  });
}
