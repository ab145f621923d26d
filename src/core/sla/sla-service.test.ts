import { afterEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

let tc: TestCenter | undefined;
afterEach(async () => tc?.close());

describe('SLA clocks on a hand-off', () => {
  it('starts on the hand-off, tells the member out of hours, breaches once on the timeline, and meets on a reply', async () => {
    tc = await createTestCenter();
    const { center, store, clock, connector } = tc;
    const queues = await store.queues.list();
    const queue = queues[0] ?? (await center.queues.create({ name: 'support' }));
    await center.queues.setHandoffQueue?.(queue.id);
    // Sunday 2026-03-01 09:00 UTC: a Monday-to-Friday queue is closed.
    await center.sla.setHours(queue.id, {
      timeZone: 'UTC',
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' })),
      holidays: [],
    });
    for (const priority of ['low', 'normal', 'high', 'urgent'] as const)
      await center.sla.setPolicy(queue.id, priority, {
        firstResponseMinutes: 30,
        nextResponseMinutes: null,
        resolutionMinutes: null,
      });
    await connector.receive({ text: 'I want to talk to a human' });
    const conversation = (await store.conversations.list({})).find((c) => c.state === 'queued');
    expect(conversation?.caseId).toBeTruthy();
    const texts = (await store.messages.listByConversation(conversation!.id)).map((m) => m.text);
    expect(texts.some((t) => t.includes('A person will be back on Monday 2 March at 09:00 (UTC)'))).toBe(
      true,
    );
    const [timer] = await store.sla.listCaseTimers(conversation!.caseId!);
    // Business time only: due 30 minutes after Monday's opening.
    expect(timer).toMatchObject({
      metric: 'first_response',
      status: 'running',
      dueAt: '2026-03-02T09:30:00.000Z',
    });
    clock.advance(24 * 3_600_000 + 31 * 60_000);
    expect(await center.sla.sweep()).toEqual({ warned: 1, breached: 1 });
    expect(await center.sla.sweep()).toEqual({ warned: 0, breached: 0 });
    const timeline = await store.cases.listTimeline(conversation!.caseId!);
    expect(timeline.filter((e) => e.type === 'sla_breach')).toHaveLength(1);
    expect((await center.sla.breaches(10)).map((b) => b.id)).toEqual([timer!.id]);
  });
});
