import { describe, expect, it } from 'vitest';
import { leasedClaim, retryDelay } from './retry-backoff.ts';

const noJitter = { baseBackoffMs: 500, maxBackoffMs: 60_000, jitter: 0.2, random: () => 0 };

describe('retryDelay', () => {
  it('doubles from the base on every failed attempt, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, noJitter))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(retryDelay(30, noJitter)).toBe(60_000);
    expect(retryDelay(10_000, noJitter)).toBe(60_000);
  });

  it('takes at most the jitter share off at random', () => {
    expect(retryDelay(1, { ...noJitter, random: () => 0.5 })).toBe(450);
    expect(retryDelay(1, { ...noJitter, random: () => 0.999_999 })).toBe(400);
  });
});

describe('leasedClaim', () => {
  it('reserves the claimed items until now plus the lease', () => {
    expect(leasedClaim(new Date('2026-01-01T00:00:00.000Z'), 60_000, 'me', 8)).toEqual({
      now: '2026-01-01T00:00:00.000Z',
      leaseUntil: '2026-01-01T00:01:00.000Z',
      owner: 'me',
      limit: 8,
    });
  });
});
