import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  type BusinessHours,
  businessTimeBetween,
  instantOf,
  isOpen,
  isTimeZone,
  nextOpening,
} from './business-hours.ts';

const weekdays = (
  timeZone: string,
  open = '09:00',
  close = '17:00',
  holidays: string[] = [],
): BusinessHours => ({
  queueId: 'q',
  timeZone,
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open, close })),
  holidays,
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const HOUR = 3_600_000;

describe('business hours', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('Asia/Riyadh')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('is open within the local weekday hours of its zone only', () => {
    // Riyadh is UTC+3 all year: 09:00–17:00 there is 06:00–14:00 UTC. 2026-03-02 is a Monday.
    const riyadh = weekdays('Asia/Riyadh');
    expect(isOpen(riyadh, at('2026-03-02T06:00:00Z'))).toBe(true);
    expect(isOpen(riyadh, at('2026-03-02T05:59:59Z'))).toBe(false);
    expect(isOpen(riyadh, at('2026-03-02T13:59:00Z'))).toBe(true);
    expect(isOpen(riyadh, at('2026-03-02T14:00:00Z'))).toBe(false);
    // Saturday.
    expect(isOpen(riyadh, at('2026-03-07T08:00:00Z'))).toBe(false);
    expect(isOpen(null, at('2026-03-07T08:00:00Z'))).toBe(true);
  });

  it('finds the next opening over a weekend and a holiday', () => {
    const riyadh = weekdays('Asia/Riyadh', '09:00', '17:00', ['2026-03-09']);
    // Friday evening → Monday is a holiday → Tuesday 09:00 Riyadh.
    expect(iso(nextOpening(riyadh, at('2026-03-06T15:00:00Z')))).toBe('2026-03-10T06:00:00.000Z');
    // While open, now is the opening.
    expect(iso(nextOpening(riyadh, at('2026-03-10T07:00:00Z')))).toBe('2026-03-10T07:00:00.000Z');
    const never: BusinessHours = { ...riyadh, weekly: [] };
    expect(nextOpening(never, at('2026-03-10T07:00:00Z'))).toBeNull();
    expect(addBusinessTime(never, at('2026-03-10T07:00:00Z'), HOUR)).toBeNull();
  });

  it('adds business time across closing time, the weekend and a holiday', () => {
    const london = weekdays('Europe/London', '09:00', '17:00', ['2026-01-05']);
    // Friday 2026-01-02 16:00 GMT + 2 h: 1 h on Friday, Monday is a holiday, 1 h on Tuesday → 10:00.
    expect(iso(addBusinessTime(london, at('2026-01-02T16:00:00Z'), 2 * HOUR))).toBe(
      '2026-01-06T10:00:00.000Z',
    );
    // Started out of hours (Saturday): the clock starts at the next opening.
    expect(iso(addBusinessTime(london, at('2026-01-03T12:00:00Z'), 30 * 60_000))).toBe(
      '2026-01-06T09:30:00.000Z',
    );
    expect(iso(addBusinessTime(null, at('2026-01-03T12:00:00Z'), HOUR))).toBe('2026-01-03T13:00:00.000Z');
  });

  it('follows daylight saving: the same local hours are an hour earlier in UTC in summer', () => {
    const ny = weekdays('America/New_York');
    // Winter (EST, UTC−5): 09:00 is 14:00 UTC. Summer (EDT, UTC−4): 13:00 UTC.
    expect(iso(nextOpening(ny, at('2026-03-06T12:00:00Z')))).toBe('2026-03-06T14:00:00.000Z');
    expect(iso(nextOpening(ny, at('2026-03-09T12:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
    // Friday before the change (8 March 2026) 16:00 EST + 2 h → Monday 10:00 EDT.
    expect(iso(addBusinessTime(ny, at('2026-03-06T21:00:00Z'), 2 * HOUR))).toBe('2026-03-09T14:00:00.000Z');
    // A time skipped by the jump (02:30 on 8 March) resolves after it.
    expect(
      new Date(instantOf({ year: 2026, month: 3, day: 8, minutes: 150 }, 'America/New_York')).toISOString(),
    ).toBe('2026-03-08T07:30:00.000Z');
  });

  it('counts business time between two instants, the inverse of adding it', () => {
    const riyadh = weekdays('Asia/Riyadh', '09:00', '17:00', ['2026-03-09']);
    const from = at('2026-03-05T10:00:00Z'); // Thursday 13:00 Riyadh
    const to = at('2026-03-10T08:00:00Z'); // Tuesday 11:00 Riyadh
    // Thursday 4 h, Friday 8 h, weekend and Monday's holiday none, Tuesday 2 h.
    expect(businessTimeBetween(riyadh, from, to)).toBe(14 * HOUR);
    expect(iso(addBusinessTime(riyadh, from, 14 * HOUR))).toBe(to.toISOString());
    expect(businessTimeBetween(riyadh, to, from)).toBe(0);
  });

  it('keeps several intervals a day and a day open until midnight', () => {
    const split: BusinessHours = {
      queueId: 'q',
      timeZone: 'UTC',
      weekly: [
        { day: 1, open: '14:00', close: '24:00' },
        { day: 1, open: '08:00', close: '12:00' },
      ],
      holidays: [],
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(isOpen(split, at('2026-03-02T13:00:00Z'))).toBe(false);
    expect(iso(addBusinessTime(split, at('2026-03-02T11:00:00Z'), 2 * HOUR))).toBe(
      '2026-03-02T15:00:00.000Z',
    );
    expect(iso(addBusinessTime(split, at('2026-03-02T23:00:00Z'), 2 * HOUR))).toBe(
      '2026-03-09T09:00:00.000Z',
    );
  });
});
