import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/ports/repositories.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();
const TTL = 6_000;

/**
 * What every `LeaseRepository` must do, run against SQLite and PostgreSQL: one holder at a time, renewal
 * only by the live tenure, takeover after expiry with a higher fencing token, release. `makeStores`
 * opens two stores on one database (two instances), where the engine allows it.
 */
export function describeLeaseRepositoryContract(
  name: string,
  makeStores: () => Promise<[Store, Store]>,
): void {
  describe(`lease repository contract: ${name}`, () => {
    let a: Store;
    let b: Store;
    beforeAll(async () => {
      [a, b] = await makeStores();
    });
    afterAll(async () => {
      await a?.close();
      if (b !== a) await b?.close();
    });
    const fresh = () => `test:${randomUUID()}`;

    it('gives a free lease to the first asker, and not to a second one while it lasts', async () => {
      const lease = fresh();
      const first = await a.leases.acquire({ name: lease, owner: 'one', now: at(0), ttlMs: TTL });
      expect(first).toEqual({
        name: lease,
        owner: 'one',
        token: 1,
        expiresAt: at(6),
        acquiredAt: at(0),
      });
      expect(await b.leases.acquire({ name: lease, owner: 'two', now: at(5), ttlMs: TTL })).toBeUndefined();
      // Asking again does not give the holder a second tenure either.
      expect(await a.leases.acquire({ name: lease, owner: 'one', now: at(5), ttlMs: TTL })).toBeUndefined();
      expect(await b.leases.get(lease)).toEqual(first);
    });

    it('renews the live tenure only', async () => {
      const lease = fresh();
      const held = (await a.leases.acquire({ name: lease, owner: 'one', now: at(0), ttlMs: TTL }))!;
      const renewed = await a.leases.renew(held, at(4), TTL);
      expect(renewed).toEqual({ ...held, expiresAt: at(10) });
      // Someone else's claim to it, a stale token, or a renewal after the expiry: refused.
      expect(await b.leases.renew({ ...held, owner: 'two' }, at(5), TTL)).toBeUndefined();
      expect(await b.leases.renew({ ...held, token: held.token + 1 }, at(5), TTL)).toBeUndefined();
      expect(await a.leases.renew(renewed!, at(10), TTL)).toBeUndefined();
      expect((await a.leases.get(lease))?.expiresAt).toBe(at(10));
    });

    it('lets another owner take an expired lease over with a higher token; the old tenure is fenced off', async () => {
      const lease = fresh();
      const old = (await a.leases.acquire({ name: lease, owner: 'one', now: at(0), ttlMs: TTL }))!;
      expect(await b.leases.acquire({ name: lease, owner: 'two', now: at(5), ttlMs: TTL })).toBeUndefined();
      const taken = await b.leases.acquire({ name: lease, owner: 'two', now: at(6), ttlMs: TTL });
      expect(taken).toMatchObject({
        owner: 'two',
        token: old.token + 1,
        expiresAt: at(12),
        acquiredAt: at(6),
      });
      // The old holder comes back (a paused process): it can neither renew nor release the new tenure.
      expect(await a.leases.renew(old, at(7), TTL)).toBeUndefined();
      expect(await a.leases.release(old)).toBe(false);
      expect((await a.leases.get(lease))?.owner).toBe('two');
      // The same owner taking it again later is a new tenure too: tokens only grow.
      const again = await a.leases.acquire({ name: lease, owner: 'one', now: at(30), ttlMs: TTL });
      expect(again?.token).toBe(old.token + 2);
    });

    it('frees a released lease for anyone at once', async () => {
      const lease = fresh();
      const held = (await a.leases.acquire({ name: lease, owner: 'one', now: at(0), ttlMs: TTL }))!;
      expect(await a.leases.release(held)).toBe(true);
      expect(await a.leases.renew(held, at(1), TTL)).toBeUndefined();
      const next = await b.leases.acquire({ name: lease, owner: 'two', now: at(1), ttlMs: TTL });
      expect(next).toMatchObject({ owner: 'two', token: 2 });
    });

    it('takes a live lease when forced (an only instance after its own crash), still with a higher token', async () => {
      const lease = fresh();
      const crashed = (await a.leases.acquire({ name: lease, owner: 'before', now: at(0), ttlMs: TTL }))!;
      const restarted = await b.leases.acquire({
        name: lease,
        owner: 'after',
        now: at(1),
        ttlMs: TTL,
        force: true,
      });
      expect(restarted).toMatchObject({ owner: 'after', token: crashed.token + 1 });
      expect(await a.leases.renew(crashed, at(2), TTL)).toBeUndefined();
    });

    it('gives a lease to exactly one of many instances asking at once', async () => {
      const lease = fresh();
      const asks = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).leases.acquire({ name: lease, owner: `owner-${i}`, now: at(0), ttlMs: TTL }),
      );
      const granted = (await Promise.all(asks)).filter((l) => l !== undefined);
      expect(granted).toHaveLength(1);
      // And of many taking the expired lease over at once, exactly one again.
      const takeovers = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).leases.acquire({ name: lease, owner: `late-${i}`, now: at(7), ttlMs: TTL }),
      );
      const took = (await Promise.all(takeovers)).filter((l) => l !== undefined);
      expect(took).toHaveLength(1);
      expect(took[0]?.token).toBe(2);
    });

    it('lists the leases under a prefix, by name', async () => {
      const prefix = `${fresh()}:shard:`;
      for (const id of [1, 0])
        await a.leases.acquire({ name: `${prefix}${id}`, owner: 'one', now: at(0), ttlMs: TTL });
      await a.leases.acquire({ name: `${prefix.slice(0, -1)}x`, owner: 'one', now: at(0), ttlMs: TTL });
      expect((await b.leases.list(prefix)).map((l) => l.name)).toEqual([`${prefix}0`, `${prefix}1`]);
      expect(await b.leases.list(`${prefix}%`)).toEqual([]);
    });

    it('refuses a request without a valid time or duration', async () => {
      await expect(
        a.leases.acquire({ name: fresh(), owner: 'one', now: 'soon', ttlMs: TTL }),
      ).rejects.toThrow(/valid time/);
      await expect(a.leases.acquire({ name: fresh(), owner: 'one', now: at(0), ttlMs: 0 })).rejects.toThrow(
        /positive duration/,
      );
    });
  });
}
