/** How a failed attempt is retried: a capped, jittered exponential back-off. */
export interface RetryBackoffOptions {
  /** First retry delay; doubled on every attempt, capped by `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Share of each back-off taken off at random, so that instances and endpoints that failed together
   * during one outage do not all retry in the same instant.
   */
  jitter: number;
  /** [0, 1); injectable so tests can pin the jitter. */
  random: () => number;
}

/** The wait before the next attempt, after `attempts` failed ones (1 or more). */
export function retryDelay(attempts: number, options: RetryBackoffOptions): number {
  const exponential = Math.min(
    options.baseBackoffMs * 2 ** Math.min(Math.max(attempts, 1) - 1, 40),
    options.maxBackoffMs,
  );
  return Math.round(exponential * (1 - options.jitter * options.random()));
}

/** A claim of due work with a lease: what `claimDue` of the outbox and of webhook deliveries take. */
export interface LeasedClaim {
  now: string;
  leaseUntil: string;
  owner: string;
  limit: number;
}

/** The claim made now for `limit` items, reserved for `leaseMs`. */
export function leasedClaim(now: Date, leaseMs: number, owner: string, limit: number): LeasedClaim {
  return {
    now: now.toISOString(),
    leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    owner,
    limit,
  };
}
