import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './kysely-store.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-grouped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite grouped transactions (group commit)', () => {
  it('commits concurrent work together, each visible to another process when it resolves, a failure alone undone', async () => {
    const url = path.join(dir, 'grouped.db');
    const store = await openStore({ url });
    const other = await openStore({ url, migrate: false });
    const seenOnResolve: Array<unknown> = [];
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        store
          .groupedTransaction(async (tx) => {
            await tx.settings.set(`key-${i}`, { i });
            if (i === 17) throw new Error('this one fails after writing');
            return i;
          })
          // Resolved only after the commit: another connection already reads it.
          .then(async (value) => {
            seenOnResolve.push(await other.settings.get(`key-${value}`));
            return value;
          }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[17]).toMatchObject({
      status: 'rejected',
      reason: { message: 'this one fails after writing' },
    });
    expect(seenOnResolve).toHaveLength(39);
    expect(seenOnResolve.every((v) => v !== undefined)).toBe(true);
    expect(await other.settings.get('key-17')).toBeUndefined();
    for (let i = 0; i < 40; i++) if (i !== 17) expect(await other.settings.get(`key-${i}`)).toEqual({ i });
    await other.close();
    await store.close();
  });

  it('runs grouped work in the order it was started, later work seeing earlier writes', async () => {
    const store = await openStore({ url: path.join(dir, 'order.db') });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.groupedTransaction(async (tx) => {
          const before = (await tx.settings.get<number[]>('order')) ?? [];
          order.push(i);
          await tx.settings.set('order', [...before, i]);
        }),
      ),
    );
    const expected = Array.from({ length: 20 }, (_, i) => i);
    expect(order).toEqual(expected);
    expect(await store.settings.get('order')).toEqual(expected);
    await store.close();
  });

  it('joins a transaction already running instead of waiting for a group', async () => {
    const store = await openStore({ url: path.join(dir, 'nested.db') });
    await expect(
      store.transaction(async (tx) => {
        await tx.settings.set('outer', 1);
        await store.groupedTransaction((inner) => inner.settings.set('inner', 2));
        throw new Error('roll back both');
      }),
    ).rejects.toThrow('roll back both');
    expect(await store.settings.get('outer')).toBeUndefined();
    expect(await store.settings.get('inner')).toBeUndefined();
    await store.close();
  });
});
