import { describe, expect, it } from 'vitest';
import type { BusinessHours } from './business-hours.ts';
import { elapsedAt, meetTimer, pauseTimer, resumeTimer, startTimer, stopTimer } from './sla-timers.ts';

const hours: BusinessHours = {
  queueId: 'q',
  timeZone: 'UTC',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' })),
  holidays: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const start = {
  caseId: 'c',
  conversationId: 'v',
  queueId: 'q',
  agentId: null,
  metric: 'first_response' as const,
  targetMinutes: 60,
};

describe('SLA timers', () => {
  it('warns at 80 % and breaches at the target, counting business time only', () => {
    // Monday 16:30: 30 minutes left today, the rest on Tuesday.
    const t = startTimer(start, '2026-03-02T16:30:00.000Z', hours);
    expect(t).toMatchObject({
      status: 'running',
      warnAt: '2026-03-03T09:18:00.000Z',
      dueAt: '2026-03-03T09:30:00.000Z',
    });
    expect(elapsedAt(t, '2026-03-03T09:00:00.000Z', hours)).toBe(30 * 60_000);
  });

  it('pauses while pending and resumes with the time it had left', () => {
    const t = startTimer(start, '2026-03-02T10:00:00.000Z', hours);
    const paused = pauseTimer(t, '2026-03-02T10:40:00.000Z', hours);
    expect(paused).toMatchObject({ status: 'paused', elapsedMs: 40 * 60_000, dueAt: null, warnAt: null });
    const resumed = resumeTimer(paused, '2026-03-02T15:00:00.000Z', hours);
    // 20 minutes left; the warning (at 48 minutes) is 8 minutes away.
    expect(resumed).toMatchObject({
      status: 'running',
      dueAt: '2026-03-02T15:20:00.000Z',
      warnAt: '2026-03-02T15:08:00.000Z',
    });
    expect(meetTimer(resumed, '2026-03-02T15:10:00.000Z', hours)).toMatchObject({
      status: 'met',
      elapsedMs: 50 * 60_000,
      endedAt: '2026-03-02T15:10:00.000Z',
    });
    expect(stopTimer(resumed, '2026-03-02T15:10:00.000Z', hours).status).toBe('stopped');
  });

  it('starts paused for a pending case', () => {
    expect(startTimer({ ...start, paused: true }, '2026-03-02T10:00:00.000Z', hours)).toMatchObject({
      status: 'paused',
      dueAt: null,
    });
  });
});
