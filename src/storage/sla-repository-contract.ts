import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/ports/repositories.ts';
import type { BusinessHours } from '../core/sla/business-hours.ts';
import type { SlaTimer } from '../core/sla/sla.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();

function timer(overrides: Partial<SlaTimer> = {}): SlaTimer {
  return {
    id: randomUUID(),
    caseId: randomUUID(),
    conversationId: randomUUID(),
    queueId: 'q-support',
    agentId: null,
    metric: 'first_response',
    targetMinutes: 30,
    status: 'running',
    startedAt: at(0),
    elapsedMs: 0,
    runningSince: at(0),
    warnAt: at(24),
    dueAt: at(30),
    warnedAt: null,
    breachedAt: null,
    endedAt: null,
    updatedAt: at(0),
    ...overrides,
  };
}

/**
 * The SLA repository on one engine, with two stores on one database (two instances): business hours and
 * policies kept as given, one policy per queue and priority, warnings and breaches claimed exactly once.
 */
export function describeSlaRepositoryContract(name: string, open: () => Promise<[Store, Store]>): void {
  describe(`SLA repository: ${name}`, () => {
    let first: Store;
    let second: Store;
    beforeAll(async () => {
      [first, second] = await open();
    });
    afterAll(async () => {
      await first?.close();
      if (second !== first) await second?.close();
    });

    it('keeps business hours as given, replaces them, and removes them', async () => {
      const queueId = randomUUID();
      const hours: BusinessHours = {
        queueId,
        timeZone: 'Asia/Riyadh',
        weekly: [
          { day: 0, open: '09:00', close: '17:00' },
          { day: 4, open: '09:00', close: '24:00' },
        ],
        holidays: ['2026-03-20'],
        updatedAt: at(1),
      };
      await first.sla.putBusinessHours(hours);
      expect(await second.sla.getBusinessHours(queueId)).toEqual(hours);
      const changed = { ...hours, timeZone: 'Europe/London', holidays: [], updatedAt: at(2) };
      await second.sla.putBusinessHours(changed);
      expect(await first.sla.getBusinessHours(queueId)).toEqual(changed);
      expect((await first.sla.listBusinessHours()).map((h) => h.queueId)).toContain(queueId);
      await first.sla.deleteBusinessHours(queueId);
      expect(await second.sla.getBusinessHours(queueId)).toBeUndefined();
      await first.sla.deleteBusinessHours(queueId);
    });

    it('keeps one policy per queue and priority, replacing targets in place', async () => {
      const queueId = randomUUID();
      const put = (store: Store, id: string, first: number | null) =>
        store.sla.putPolicy({
          id,
          queueId,
          priority: 'high',
          firstResponseMinutes: first,
          nextResponseMinutes: 10,
          resolutionMinutes: null,
          updatedAt: at(3),
        });
      const stored = await put(first, 'p-1', 5);
      const again = await put(second, 'p-2', 7);
      // The same queue and priority: the stored policy (its id) with the new targets.
      expect(again).toEqual({ ...stored, firstResponseMinutes: 7 });
      await first.sla.putPolicy({ ...stored, id: 'p-3', priority: 'low', updatedAt: at(4) });
      expect(
        (await second.sla.listPolicies(queueId)).map((p) => [p.priority, p.firstResponseMinutes]),
      ).toEqual([
        ['high', 7],
        ['low', 5],
      ]);
      expect(await first.sla.getPolicy(queueId, 'high')).toEqual(again);
      expect(await first.sla.getPolicy(queueId, 'urgent')).toBeUndefined();
      expect(await first.sla.deletePolicy(queueId, 'high')).toBe(true);
      expect(await first.sla.deletePolicy(queueId, 'high')).toBe(false);
      expect(await second.sla.listPolicies(queueId)).toHaveLength(1);
    });

    it('keeps timers as given and lists them by case, conversation, activity and window', async () => {
      const caseId = randomUUID();
      const conversationId = randomUUID();
      const a = timer({ caseId, conversationId, elapsedMs: 3_000_000_000, startedAt: at(5) });
      const b = timer({
        caseId,
        conversationId: null,
        metric: 'resolution',
        status: 'paused',
        runningSince: null,
        warnAt: null,
        dueAt: null,
        startedAt: at(6),
      });
      const c = timer({ caseId, conversationId, status: 'met', endedAt: at(8), startedAt: at(7) });
      for (const t of [a, b, c]) await first.sla.addTimer(t);
      expect(await second.sla.listCaseTimers(caseId)).toEqual([a, b, c]);
      expect(await second.sla.listActiveForConversations([conversationId])).toEqual([a]);
      expect(await second.sla.listActiveForConversations([])).toEqual([]);
      const activeIds = (await second.sla.listActive(10_000)).map((t) => t.id);
      expect(activeIds).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(activeIds).not.toContain(c.id);
      const changed = { ...a, agentId: 'agent-1', updatedAt: at(9) };
      await second.sla.updateTimer(changed);
      expect((await first.sla.listCaseTimers(caseId))[0]).toEqual(changed);
      await expect(first.sla.updateTimer(timer())).rejects.toMatchObject({ kind: 'not_found' });
      const window = (await first.sla.listTimers({ since: at(6), until: at(7) })).map((t) => t.id);
      expect(window).toContain(b.id);
      expect(window).not.toContain(a.id);
      expect(window).not.toContain(c.id);
    });

    it('claims each due warning and breach once across two stores', async () => {
      const caseId = randomUUID();
      const now = new Date(Date.UTC(2026, 5, 1, 12, 0)).toISOString();
      const past = (m: number) => new Date(Date.UTC(2026, 5, 1, 11, m)).toISOString();
      const due = Array.from({ length: 6 }, (_, n) =>
        timer({ caseId, warnAt: past(n), dueAt: past(30 + n), startedAt: past(0) }),
      );
      const warnOnly = timer({
        caseId,
        warnAt: past(10),
        dueAt: new Date(Date.UTC(2026, 5, 1, 13)).toISOString(),
      });
      const paused = timer({ caseId, status: 'paused', warnAt: past(1), dueAt: past(2) });
      for (const t of [...due, warnOnly, paused]) await first.sla.addTimer(t);

      const warn = (store: Store) => store.sla.claimWarnings(now, 4);
      const [w1, w2] = await Promise.all([warn(first), warn(second)]);
      const [w3] = await Promise.all([warn(first)]);
      const warned = [...w1, ...w2, ...w3].filter((t) => t.caseId === caseId).map((t) => t.id);
      expect(new Set(warned).size).toBe(warned.length);
      expect(warned).toHaveLength(7);
      expect(warned).not.toContain(paused.id);
      expect([...w1, ...w2, ...w3].every((t) => t.warnedAt === now)).toBe(true);
      expect((await warn(second)).filter((t) => t.caseId === caseId)).toEqual([]);

      const breach = (store: Store) => store.sla.claimBreaches(now, 4);
      const [b1, b2] = await Promise.all([breach(first), breach(second)]);
      const b3 = await breach(first);
      const breached = [...b1, ...b2, ...b3].filter((t) => t.caseId === caseId);
      expect(new Set(breached.map((t) => t.id)).size).toBe(6);
      expect(breached).toHaveLength(6);
      // Marked at the moment it was due, not when the sweep ran.
      for (const t of breached) expect(t.breachedAt).toBe(t.dueAt);
      expect((await breach(second)).filter((t) => t.caseId === caseId)).toEqual([]);
      const listed = (await first.sla.listBreached(100, past(0))).filter((t) => t.caseId === caseId);
      expect(listed.map((t) => t.dueAt)).toEqual(due.map((t) => t.dueAt).reverse());
    });
  });
}
