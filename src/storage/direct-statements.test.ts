import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { WebhookSubscription } from '../core/webhooks/webhook.ts';
import { StatementCache } from './database.ts';
import { openStore } from './kysely-store.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-direct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const subscription = (id: string): WebhookSubscription => ({
  id,
  url: `https://hooks.example.com/${id}`,
  description: id,
  events: ['message.created'],
  secret: `secret-${id}`,
  enabled: true,
  failingSince: null,
  disabledAt: null,
  disabledReason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const ids = (subs: WebhookSubscription[]) => subs.map((s) => s.id).sort();

describe('SQLite transactions: hot queries on the connection, subscriptions read once per transaction', () => {
  it('sees the group’s own writes, forgets what a failed part wrote, and commits as before', async () => {
    const store = await openStore({ url: path.join(dir, 'subscriptions.db') });
    await store.webhooks.createSubscription(subscription('before'));
    const seen: string[][] = [];
    const results = await Promise.allSettled([
      store.groupedTransaction(async (tx) => {
        seen.push(ids(await tx.webhooks.listEnabledSubscriptions()));
      }),
      store.groupedTransaction(async (tx) => {
        await tx.webhooks.createSubscription(subscription('added'));
        seen.push(ids(await tx.webhooks.listEnabledSubscriptions()));
      }),
      store.groupedTransaction(async (tx) => {
        await tx.webhooks.createSubscription(subscription('undone'));
        seen.push(ids(await tx.webhooks.listEnabledSubscriptions()));
        throw new Error('this part fails after adding one');
      }),
      store.groupedTransaction(async (tx) => {
        seen.push(ids(await tx.webhooks.listEnabledSubscriptions()));
        const before = await tx.webhooks.getSubscription('before');
        if (before) await tx.webhooks.updateSubscription({ ...before, enabled: false });
        seen.push(ids(await tx.webhooks.listEnabledSubscriptions()));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(seen).toEqual([
      ['before'],
      ['added', 'before'],
      ['added', 'before', 'undone'],
      ['added', 'before'],
      ['added'],
    ]);
    expect(ids(await store.webhooks.listEnabledSubscriptions())).toEqual(['added']);
    expect(await store.webhooks.getSubscription('undone')).toBeUndefined();
    await store.close();
  });

  it('undoes the compiled queries of a transaction that fails, and reads afresh in the next one', async () => {
    const store = await openStore({ url: path.join(dir, 'rollback.db') });
    await expect(
      store.transaction(async (tx) => {
        await tx.webhooks.createSubscription(subscription('gone'));
        expect(ids(await tx.webhooks.listEnabledSubscriptions())).toEqual(['gone']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await store.transaction(async (tx) => {
      expect(await tx.webhooks.listEnabledSubscriptions()).toEqual([]);
    });
    // A second process adding one between two transactions is seen by the next.
    const other = await openStore({ url: path.join(dir, 'rollback.db'), migrate: false });
    await other.webhooks.createSubscription(subscription('elsewhere'));
    await store.transaction(async (tx) => {
      expect(ids(await tx.webhooks.listEnabledSubscriptions())).toEqual(['elsewhere']);
    });
    await other.close();
    await store.close();
  });

  it('asks the database for the enabled subscriptions once for a whole group of receives', async () => {
    const store = await openStore({ url: path.join(dir, 'once.db') });
    await store.webhooks.createSubscription(subscription('one'));
    const prepare = vi.spyOn(StatementCache.prototype, 'prepare');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.groupedTransaction(async (tx) => {
          expect(ids(await tx.webhooks.listEnabledSubscriptions())).toEqual(['one']);
        }),
      ),
    );
    const reads = prepare.mock.calls.filter(([sql]) => sql.includes('from "webhook_subscriptions"'));
    expect(reads).toHaveLength(1);
    await store.close();
  });
});
