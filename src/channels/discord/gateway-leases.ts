import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Lease, LeaseRepository } from '../../core/ports/repositories.ts';

export interface GatewayLeaseOptions {
  /** How long a shard's lease lasts without renewal: a dead holder's shards are free this long after its last renewal. */
  ttlMs: number;
  /** How often the holder renews its leases and an instance without them tries to take free ones. */
  intervalMs: number;
  /**
   * The only instance there is (SQLite without Redis): it takes its shards at once at start, even while the
   * lease of its own crashed predecessor has not run out yet.
   */
  singleInstance: boolean;
}

export const defaultGatewayLeaseOptions: GatewayLeaseOptions = {
  // A holder killed right after a renewal leaves its shards free 6 s later; the others look every 2 s and
  // open the gateway in about a second: the shard is held again within 10 s.
  ttlMs: 6_000,
  intervalMs: 2_000,
  singleInstance: false,
};

/** Where a shard is: held and connected here, being connected here, held by another instance, or failing. */
export type ShardStatus = 'connected' | 'connecting' | 'standby' | 'error';

export interface ShardHealth {
  id: number;
  status: ShardStatus;
  /** The instance that holds the shard's lease (this one when connected or connecting). */
  owner?: string;
  detail?: string;
}

export interface GatewayLeaseLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

export interface GatewayLeaseEvents {
  /** This instance took the shard's lease: it opens the gateway for it. */
  gained(shard: number, lease: Lease): void;
  /** The lease is gone (taken over, not renewed in time, released): the gateway for it must close at once. */
  lost(shard: number, reason: string): void;
}

/** The lease name of one shard. */
export const shardLeaseName = (shard: number): string => `${shardLeasePrefix}${shard}`;
export const shardLeasePrefix = 'discord:gateway:shard:';

/**
 * Holds one lease per Discord gateway shard for this instance: renews those it holds, takes those whose
 * holder stopped renewing, and gives up a shard as soon as it cannot prove it still holds it (a renewal
 * refused, or none succeeded in time) so that two instances never keep a session open for one shard.
 */
export class GatewayLeases {
  readonly options: GatewayLeaseOptions;
  private readonly held = new Map<number, Lease>();
  /** Per held shard: when (monotonic) its lease could have run out without a renewal, and the timer for it. */
  private readonly deadlines = new Map<number, NodeJS.Timeout>();
  /** The owner of each shard this instance does not hold, from the last look. */
  private readonly others = new Map<number, { owner: string; expiresAt: string }>();
  private problem: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private first = true;
  private stopped = false;
  /** Shards not to take before this (monotonic) time: their gateway could not be opened here. */
  private readonly backoff = new Map<number, number>();

  constructor(
    private readonly leases: LeaseRepository,
    readonly owner: string,
    readonly shardCount: number,
    private readonly events: GatewayLeaseEvents,
    private readonly log: GatewayLeaseLog,
    options: Partial<GatewayLeaseOptions> = {},
  ) {
    this.options = { ...defaultGatewayLeaseOptions, ...options };
  }

  /** Looks once (taking what is free), then keeps looking every `intervalMs`. */
  async start(): Promise<void> {
    await this.tick();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref?.();
  }

  /** Stops looking and renewing; the leases still held are returned by `release`. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** Gives every held lease back (after the gateway closed), so another instance takes the shards at once. */
  async release(): Promise<void> {
    for (const [shard, lease] of [...this.held]) {
      this.forget(shard);
      await this.leases
        .release(lease)
        .catch((error: unknown) => this.log.warn({ err: error, shard }, 'Discord shard lease not released'));
    }
  }

  /** Gives one shard back because its gateway could not be opened here; it is not taken again for `retryMs`. */
  async giveUp(shard: number, retryMs: number): Promise<void> {
    const lease = this.held.get(shard);
    this.backoff.set(shard, performance.now() + retryMs);
    if (!lease) return;
    this.forget(shard);
    await this.leases.release(lease).catch(() => undefined);
  }

  holds(shard: number): boolean {
    return this.held.has(shard);
  }

  heldShards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** The shards this instance does not hold: who holds them, or why it cannot tell. */
  elsewhere(): ShardHealth[] {
    const shards: ShardHealth[] = [];
    for (let id = 0; id < this.shardCount; id++) {
      if (this.held.has(id)) continue;
      const other = this.others.get(id);
      if (this.problem) shards.push({ id, status: 'error', detail: this.problem });
      else if (other && Date.parse(other.expiresAt) > Date.now())
        shards.push({ id, status: 'standby', owner: other.owner });
      else shards.push({ id, status: 'connecting', detail: 'free: about to be taken' });
    }
    return shards;
  }

  private tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.look().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async look(): Promise<void> {
    // Renewals first: they are what keeps this instance's sessions legitimate.
    for (const [shard, lease] of [...this.held]) {
      if (this.stopped) return;
      const started = performance.now();
      try {
        const renewed = await this.leases.renew(lease, new Date().toISOString(), this.options.ttlMs);
        if (this.held.get(shard) !== lease) continue;
        if (!renewed) this.lose(shard, 'the lease was taken over or ran out');
        else this.keep(shard, renewed, started);
      } catch (error) {
        // The deadline closes the gateway if the database stays out of reach.
        this.log.warn({ err: error, shard }, 'Discord shard lease not renewed; trying again');
      }
    }
    if (this.stopped || this.held.size === this.shardCount) return;
    let current: Lease[];
    try {
      current = await this.leases.list(shardLeasePrefix);
      this.problem = null;
    } catch (error) {
      this.problem = `shard leases not readable: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    const force = this.first && this.options.singleInstance;
    this.first = false;
    // Told after the look, all together: the gateway then opens once for every shard taken now.
    const taken: [number, Lease][] = [];
    for (let shard = 0; shard < this.shardCount; shard++) {
      if (this.stopped) return;
      if (this.held.has(shard)) continue;
      const existing = current.find((l) => l.name === shardLeaseName(shard));
      const now = new Date().toISOString();
      if (existing && existing.expiresAt > now && !force) {
        this.others.set(shard, { owner: existing.owner, expiresAt: existing.expiresAt });
        continue;
      }
      if ((this.backoff.get(shard) ?? 0) > performance.now()) continue;
      const started = performance.now();
      let lease: Lease | undefined;
      try {
        lease = await this.leases.acquire({
          name: shardLeaseName(shard),
          owner: this.owner,
          now,
          ttlMs: this.options.ttlMs,
          force,
        });
      } catch (error) {
        this.log.warn({ err: error, shard }, 'Discord shard lease not taken; trying again');
        continue;
      }
      if (!lease) continue; // another instance was quicker
      if (this.stopped) {
        await this.leases.release(lease).catch(() => undefined);
        return;
      }
      this.others.delete(shard);
      this.keep(shard, lease, started);
      this.log.info(
        {
          shard,
          owner: this.owner,
          token: lease.token,
          ...(existing ? { previousOwner: existing.owner, previousExpiry: existing.expiresAt } : {}),
        },
        existing && existing.owner !== this.owner ? 'Discord shard taken over' : 'Discord shard lease taken',
      );
      taken.push([shard, lease]);
    }
    for (const [shard, lease] of taken) if (this.held.get(shard) === lease) this.events.gained(shard, lease);
  }

  /**
   * Records a (re)newed lease. It is given up a little before it could run out, counted from when the
   * request was sent: another instance may take it only after it has run out, so by then this one is gone.
   */
  private keep(shard: number, lease: Lease, started: number): void {
    this.held.set(shard, lease);
    const previous = this.deadlines.get(shard);
    if (previous) clearTimeout(previous);
    const margin = Math.min(this.options.intervalMs / 2, this.options.ttlMs / 4);
    const left = started + this.options.ttlMs - margin - performance.now();
    const timer = setTimeout(
      () => this.lose(shard, 'the lease could not be renewed in time'),
      Math.max(0, left),
    );
    timer.unref?.();
    this.deadlines.set(shard, timer);
  }

  private lose(shard: number, reason: string): void {
    if (!this.held.has(shard)) return;
    this.forget(shard);
    this.log.warn({ shard, owner: this.owner, reason }, 'Discord shard lease lost; closing its gateway');
    this.events.lost(shard, reason);
  }

  private forget(shard: number): void {
    this.held.delete(shard);
    const timer = this.deadlines.get(shard);
    if (timer) clearTimeout(timer);
    this.deadlines.delete(shard);
  }
}

/** A lease owner name that tells an operator which instance holds a shard: host, process and a random part. */
export function instanceOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
