import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import type { Store } from '../../core/ports/repositories.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { type GatewayLeaseOptions, GatewayLeases, shardLeaseName } from './gateway-leases.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-gateway-leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Short leases, so that expiry happens within the test; the real ones are 6 s renewed every 2 s. */
const quick: Partial<GatewayLeaseOptions> = { ttlMs: 900, intervalMs: 150 };
const silent = { info: () => {}, warn: () => {} };

let files = 0;
const running: GatewayLeases[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const leases of running.splice(0)) await leases.stop();
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});

/** Two instances' stores on one SQLite file. */
async function twoStores(): Promise<[Store, Store]> {
  files += 1;
  const file = path.join(dir, `leases-${files}.db`);
  const first = await openStore({ url: file });
  const second = await openStore({ url: file });
  stores.push(first, second);
  return [first, second];
}

/** One instance's leases for `shards` shards, recording what it was told into the shared `events`. */
function instance(
  store: Store,
  owner: string,
  events: string[],
  shards = 1,
  options: Partial<GatewayLeaseOptions> = quick,
) {
  const leases = new GatewayLeases(
    store.leases,
    owner,
    shards,
    {
      gained: (shard) => events.push(`${owner} gained ${shard}`),
      lost: (shard, reason) => events.push(`${owner} lost ${shard}: ${reason}`),
    },
    silent,
    options,
  );
  running.push(leases);
  return leases;
}

describe('gateway shard leases', () => {
  it('gives each shard to one instance; the other stands by and names the holder', async () => {
    const [a, b] = await twoStores();
    const events: string[] = [];
    const first = instance(a, 'one', events, 2);
    await first.start();
    const second = instance(b, 'two', events, 2);
    await second.start();
    expect(first.heldShards()).toEqual([0, 1]);
    expect(second.heldShards()).toEqual([]);
    expect(second.elsewhere()).toEqual([
      { id: 0, status: 'standby', owner: 'one' },
      { id: 1, status: 'standby', owner: 'one' },
    ]);
    expect(events).toEqual(['one gained 0', 'one gained 1']);
  });

  it('a holder whose database is gone gives its shard up before another instance can take it', async () => {
    const [a, b] = await twoStores();
    const events: string[] = [];
    const holder = instance(a, 'one', events);
    await holder.start();
    const standby = instance(b, 'two', events);
    await standby.start();
    // The holder's database connection ends: it can no longer renew, so it must stop using the shard.
    await a.close();
    await eventually('the other instance to take the shard', () => standby.holds(0), 10_000);
    expect(events[0]).toBe('one gained 0');
    expect(events[1]).toMatch(/^one lost 0: the lease could not be renewed in time/);
    expect(events[2]).toBe('two gained 0');
    expect(holder.holds(0)).toBe(false);
  });

  it('a holder whose lease was taken from it hears so at its next renewal', async () => {
    const [a, b] = await twoStores();
    const events: string[] = [];
    const holder = instance(a, 'one', events);
    await holder.start();
    // Another instance takes the lease by force (as a single instance does at start).
    const taker = instance(b, 'two', events, 1, { ...quick, singleInstance: true });
    await taker.start();
    expect(taker.holds(0)).toBe(true);
    await eventually('the holder to give the shard up', () => !holder.holds(0), 10_000);
    expect(events).toEqual([
      'one gained 0',
      'two gained 0',
      'one lost 0: the lease was taken over or ran out',
    ]);
    expect((await b.leases.get(shardLeaseName(0)))?.owner).toBe('two');
  });

  it('a stopped instance gives its shards back: the other takes them at its next look, not after the expiry', async () => {
    const [a, b] = await twoStores();
    const events: string[] = [];
    // A lease that would last a minute: only the release can free it in time.
    const long = { ttlMs: 60_000, intervalMs: 150 };
    const holder = instance(a, 'one', events, 1, long);
    await holder.start();
    const standby = instance(b, 'two', events, 1, long);
    await standby.start();
    expect(standby.holds(0)).toBe(false);
    await holder.stop();
    await holder.release();
    await eventually('the other instance to take the shard', () => standby.holds(0), 10_000);
    expect(events).toEqual(['one gained 0', 'two gained 0']);
  });

  it('a shard given up after a failed open is not taken again here before its back-off', async () => {
    const [a] = await twoStores();
    const events: string[] = [];
    const only = instance(a, 'one', events);
    await only.start();
    await only.giveUp(0, 60_000);
    expect(only.holds(0)).toBe(false);
    // Several looks later it is still free: another instance may take it, this one waits.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(only.holds(0)).toBe(false);
    expect(events).toEqual(['one gained 0']);
    expect(only.elsewhere()).toEqual([{ id: 0, status: 'connecting', detail: 'free: about to be taken' }]);
  });
});
