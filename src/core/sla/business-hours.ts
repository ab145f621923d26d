/**
 * Business hours of a queue: weekly opening intervals in a time zone (IANA name), less holidays. Every
 * computation here is pure and uses `Intl` for the zone's offsets (daylight saving included).
 */

/** One opening interval on a weekday (0 = Sunday … 6 = Saturday), local `HH:MM`; `close` may be `24:00`. */
export interface OpeningInterval {
  day: number;
  open: string;
  close: string;
}

export interface BusinessHours {
  queueId: string;
  /** IANA time zone, e.g. `Europe/London`, `Asia/Riyadh`. */
  timeZone: string;
  weekly: OpeningInterval[];
  /** Local dates (`YYYY-MM-DD`) on which the queue is closed all day. */
  holidays: string[];
  updatedAt: string;
}

/** How far ahead an opening is looked for; hours with none in this many days are "never open". */
const HORIZON_DAYS = 400;
const MINUTE = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone `Intl` knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at instant `ms`, in ms (Riyadh: +3 h). */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a local wall time (two passes over the zone's offset). A time skipped by a daylight-saving
 * jump resolves to the instant after the jump.
 */
export function instantOf(
  local: { year: number; month: number; day: number; minutes: number },
  timeZone: string,
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day) + local.minutes * MINUTE;
  const guess = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(guess, timeZone);
  // In a gap neither pass shows the wall time; the first lies after the jump.
  return offsetAt(second, timeZone) === wall - second ? second : guess;
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

const isoDate = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** Opening intervals as instants, in order, from the local day holding `fromMs` on. */
function* openings(hours: BusinessHours, fromMs: number): Generator<[number, number]> {
  const { timeZone } = hours;
  const start = localParts(fromMs, timeZone);
  const holidays = new Set(hours.holidays);
  const byDay = new Map<number, Array<[number, number]>>();
  for (const i of hours.weekly) {
    const list = byDay.get(i.day) ?? [];
    list.push([toMinutes(i.open), toMinutes(i.close)]);
    byDay.set(i.day, list);
  }
  for (const list of byDay.values()) list.sort((a, b) => a[0] - b[0]);
  for (let n = 0; n < HORIZON_DAYS; n++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + n));
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (holidays.has(isoDate(year, month, day))) continue;
    for (const [open, close] of byDay.get(date.getUTCDay()) ?? []) {
      const s = instantOf({ year, month, day, minutes: open }, timeZone);
      const e = instantOf({ year, month, day, minutes: close }, timeZone);
      if (e > fromMs && e > s) yield [Math.max(s, fromMs), e];
    }
  }
}

/** Whether the queue is open at `at`; no business hours means always open. */
export function isOpen(hours: BusinessHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  const ms = at.getTime();
  for (const [s] of openings(hours, ms)) return s <= ms;
  return false;
}

/** When the queue next opens at or after `at` (`at` itself when open); null when it never does. */
export function nextOpening(hours: BusinessHours | null | undefined, at: Date): Date | null {
  if (!hours) return at;
  for (const [s] of openings(hours, at.getTime())) return new Date(s);
  return null;
}

/**
 * The instant at which `ms` of business time has passed since `from`; null when the hours never open
 * again. Without business hours every moment counts.
 */
export function addBusinessTime(
  hours: BusinessHours | null | undefined,
  from: Date,
  ms: number,
): Date | null {
  if (!hours) return new Date(from.getTime() + ms);
  let left = Math.max(0, ms);
  for (const [s, e] of openings(hours, from.getTime())) {
    if (left <= e - s) return new Date(s + left);
    left -= e - s;
  }
  return null;
}

/** Business time between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(hours: BusinessHours | null | undefined, from: Date, to: Date): number {
  const end = to.getTime();
  if (end <= from.getTime()) return 0;
  if (!hours) return end - from.getTime();
  let total = 0;
  for (const [s, e] of openings(hours, from.getTime())) {
    if (s >= end) break;
    total += Math.min(e, end) - s;
  }
  return total;
}

/** The local date and time of `at` in `timeZone`, for telling a member when a person is back. */
export function localDateTime(at: Date, timeZone: string): { date: string; time: string; weekday: number } {
  const p = localParts(at.getTime(), timeZone);
  return {
    date: isoDate(p.year, p.month, p.day),
    time: `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`,
    weekday: new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(),
  };
}
