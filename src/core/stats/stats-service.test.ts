import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { DomainError } from '../errors.ts';
import type { Agent } from '../model.ts';

let t: TestCenter;
beforeEach(async () => {
  // 09:00 UTC: the day so far is nine hours long.
  t = await createTestCenter();
});
afterEach(() => t.close());

const minutes = (n: number) => n * 60_000;

/** A member asks for a person; returns the conversation id once it waits in the queue. */
async function handOff(from: string): Promise<string> {
  await t.connector.receive({ from, text: 'I need a human please', action: 'handoff' });
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!.id;
}

async function accept(agent: Agent, conversationId: string): Promise<void> {
  const [offer] = await t.store.reservations.list({ conversationId, status: 'pending' });
  await t.center.router.accept(offer!.id, agent.id);
}

describe('supervisor figures', () => {
  it('are empty, with one bucket per hour so far, on a quiet day', async () => {
    const stats = await t.center.stats.figures();
    expect(stats).toMatchObject({
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-01T09:00:00.000Z',
      conversations: { total: 0, handedOff: 0, closed: 0 },
      firstResponse: { medianSeconds: null, count: 0 },
      resolution: { medianSeconds: null, count: 0 },
      csat: { average: null, count: 0 },
      queues: [],
      agents: [],
    });
    expect(stats.hours.map((h) => h.start.slice(11, 16))).toEqual([
      '00:00',
      '01:00',
      '02:00',
      '03:00',
      '04:00',
      '05:00',
      '06:00',
      '07:00',
      '08:00',
      '09:00',
    ]);
  });

  it('count volume, medians of first response and resolution, CSAT, queues and agents', async () => {
    const dana = await t.agent('dana@example.com', { presence: 'available', capacity: 5, name: 'Dana' });

    // Yesterday's conversation, closed yesterday: none of today's figures.
    const old = await handOff('yesterday');
    await accept(dana, old);
    // Moved back to yesterday by hand: the clock only moves forward.
    const stored = await t.store.conversations.get(old);
    await t.store.conversations.update({
      ...stored!,
      createdAt: '2026-02-28T10:00:00.000Z',
      queuedAt: '2026-02-28T10:00:00.000Z',
      assignedAt: '2026-02-28T10:00:00.000Z',
      firstAgentReplyAt: '2026-02-28T10:01:00.000Z',
      state: 'closed',
      closedAt: '2026-02-28T10:30:00.000Z',
    });

    // m1 waits 2 minutes for a first reply, and is closed 10 minutes after it began.
    const m1 = await handOff('m1');
    await accept(dana, m1);
    t.clock.advance(minutes(2));
    await t.center.conversations.reply(dana.id, m1, { text: 'Hello, Dana here' });
    // m2 arrives at 09:02 and waits 6 minutes.
    const m2 = await handOff('m2');
    await accept(dana, m2);
    t.clock.advance(minutes(6));
    await t.center.conversations.reply(dana.id, m2, { text: 'Hi!' });
    t.clock.advance(minutes(2));
    await t.center.conversations.close(dana.id, m1, { note: 'done' });
    // m3 arrives at 09:10 and waits 10 minutes; it is still open.
    const m3 = await handOff('m3');
    await accept(dana, m3);
    t.clock.advance(minutes(10));
    await t.center.conversations.reply(dana.id, m3, { text: 'Sorry for the wait' });
    // m4 stays with the bot and is not handed off; m5 waits in the queue (Dana goes away).
    await t.connector.receive({ from: 'm4', text: 'what are your opening hours?' });
    await t.center.agents.setPresence(dana.id, 'away');
    await handOff('m5');
    t.clock.advance(minutes(5));
    // m1's member rates 4, a second case rated 2 today.
    await t.connector.receive({ from: 'm1', text: '', action: 'rate:4' });
    await t.center.agents.setPresence(dana.id, 'available');
    t.clock.advance(minutes(1));
    await t.center.conversations.close(dana.id, m2, {});
    await t.connector.receive({ from: 'm2', text: '', action: 'rate:2' });
    // Yesterday's rating does not count.
    await t.connector.receive({ from: 'yesterday', text: '', action: 'rate:1' });
    const yesterdayCase = (await t.store.conversations.get(old))!.caseId!;
    const [entry] = (await t.store.cases.listTimeline(yesterdayCase)).filter((e) => e.type === 'rating');
    expect(entry).toBeDefined();

    const stats = await t.center.stats.figures();
    expect(stats.until).toBe('2026-03-01T09:26:00.000Z');
    // m1..m5 began today; four reached a person or a queue.
    expect(stats.conversations).toEqual({ total: 5, handedOff: 4, closed: 2 });
    // First responses: m1 2 min, m2 6 min, m3 10 min.
    expect(stats.firstResponse).toEqual({ medianSeconds: 360, count: 3 });
    // Resolutions: m1 10 min (09:00 → 09:10), m2 24 min (09:02 → 09:26): the median of two is their mean.
    expect(stats.resolution).toEqual({ medianSeconds: 17 * 60, count: 2 });
    expect(stats.hours.find((h) => h.start === '2026-03-01T09:00:00.000Z')?.conversations).toBe(5);
    expect(stats.hours.reduce((n, h) => n + h.conversations, 0)).toBe(5);
    expect(stats.queues).toEqual([
      expect.objectContaining({ name: 'support', waiting: 1, longestWaitSeconds: 360 }),
    ]);
    // m3 is still hers; m1 and m2 she closed (m5 is only offered to her).
    expect(stats.agents).toEqual([
      expect.objectContaining({ id: dana.id, name: 'Dana', presence: 'available', load: 1, closed: 2 }),
    ]);
    // A rating given for yesterday's case today is today's CSAT: it counts when it was given.
    // All three were Dana's, in the support queue, on the test channel; none left a comment.
    const three = { average: 2.33, count: 3 };
    expect(stats.csat).toEqual({
      ...three,
      byAgent: [{ ...three, id: dana.id, name: 'Dana' }],
      byQueue: [{ ...three, id: expect.any(String), name: 'support' }],
      byChannel: [{ ...three, id: 'test', name: 'test' }],
      comments: [],
    });

    // A window from 09:05: only what happened since then.
    const later = await t.center.stats.figures('2026-03-01T09:05:00.000Z');
    expect(later.conversations).toEqual({ total: 3, handedOff: 2, closed: 2 });
    expect(later.firstResponse).toEqual({ medianSeconds: 480, count: 2 });
    expect(later.hours).toHaveLength(1);
  });

  it('refuses a window in the future, too long, or not an instant', async () => {
    const kind = (since: string) =>
      t.center.stats.figures(since).then(
        () => 'resolved',
        (e: unknown) => (e instanceof DomainError ? e.kind : String(e)),
      );
    expect(await kind('2026-03-01T10:00:00.000Z')).toBe('invalid');
    expect(await kind('2026-01-01T00:00:00.000Z')).toBe('invalid');
    expect(await kind('yesterday')).toBe('invalid');
    expect(await kind('2026-02-01T09:00:00.000Z')).toBe('resolved');
  });
});
