import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** The supervisor's figures, computed on the server (see src/core/stats/stats-service.ts for each definition). */
describe('GET /api/v1/stats', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  beforeAll(async () => {
    // The test center's clock stands at 2026-03-01T09:00:00Z and moves only when told.
    api = await startApi();
    agent = await api.signIn('dana@example.com', 'agent', { presence: 'available' });
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');

    // One member asks for a person; Dana accepts, answers after 3 minutes and closes 5 minutes later.
    await api.tc.connector.receive({ from: 'm1', text: 'I need a human', action: 'handoff' });
    const reservations = await (await agent.call('GET', '/api/v1/reservations?status=pending')).json();
    const offer = reservations.reservations[0];
    expect((await agent.call('POST', `/api/v1/reservations/${offer.id}/accept`)).status).toBe(200);
    api.tc.clock.advance(3 * 60_000);
    const sent = await agent.call('POST', `/api/v1/conversations/${offer.conversationId}/messages`, {
      text: 'Hello, Dana here',
    });
    expect(sent.status).toBe(201);
    api.tc.clock.advance(5 * 60_000);
    expect((await agent.call('POST', `/api/v1/conversations/${offer.conversationId}/close`, {})).status).toBe(
      200,
    );
    await api.tc.connector.receive({ from: 'm1', text: '', action: 'rate:5' });
    // A second member waits in the queue (Dana's capacity is free, so it is offered, not taken).
    await api.tc.connector.receive({ from: 'm2', text: 'a person please', action: 'handoff' });
    api.tc.clock.advance(60_000);
  });
  afterAll(async () => api.close());

  it('gives volume, medians, CSAT, hours, queues and agents for the day so far', async () => {
    const res = await supervisor.call('GET', '/api/v1/stats');
    expect(res.status).toBe(200);
    const stats = await res.json();
    expect(stats).toMatchObject({
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-01T09:09:00.000Z',
      conversations: { total: 2, handedOff: 2, closed: 1 },
      firstResponse: { medianSeconds: 180, count: 1 },
      resolution: { medianSeconds: 480, count: 1 },
      csat: { average: 5, count: 1 },
      queues: [{ name: 'support', waiting: 1, longestWaitSeconds: 60, agentsAvailable: 1 }],
    });
    expect(stats.hours).toHaveLength(10);
    expect(stats.hours[9]).toEqual({ start: '2026-03-01T09:00:00.000Z', conversations: 2 });
    const dana = stats.agents.find((a: { email: string }) => a.email === 'dana@example.com');
    expect(dana).toEqual({
      id: agent.agent.id,
      name: 'dana',
      email: 'dana@example.com',
      role: 'agent',
      presence: 'available',
      capacity: 3,
      load: 0,
      closed: 1,
    });
    // Nothing private leaks through the agents' figures.
    expect(JSON.stringify(stats)).not.toMatch(/passwordHash|\$scrypt/);
  });

  it('takes the window from `since`, so the desktop gets its own local day', async () => {
    const res = await supervisor.call(
      'GET',
      `/api/v1/stats?since=${encodeURIComponent('2026-03-01T09:04:00+01:00')}`,
    );
    expect(res.status).toBe(200);
    const stats = await res.json();
    expect(stats.since).toBe('2026-03-01T08:04:00.000Z');
    expect(stats.hours.map((h: { start: string }) => h.start)).toEqual([
      '2026-03-01T08:04:00.000Z',
      '2026-03-01T09:04:00.000Z',
    ]);
    const narrow = await (await admin.call('GET', '/api/v1/stats?since=2026-03-01T09:05:00Z')).json();
    // m1 was created and answered before 09:05 but closed after: it counts for resolution only;
    // m2 arrived at 09:08.
    expect(narrow.conversations).toEqual({ total: 1, handedOff: 1, closed: 1 });
    expect(narrow.firstResponse).toEqual({ medianSeconds: null, count: 0 });
    expect(narrow.resolution.count).toBe(1);
  });

  it('is for supervisors and admins only', async () => {
    const statuses = [
      (await api.call('GET', '/api/v1/stats')).status,
      (await agent.call('GET', '/api/v1/stats')).status,
      (await supervisor.call('GET', '/api/v1/stats')).status,
      (await admin.call('GET', '/api/v1/stats')).status,
    ];
    expect(statuses).toEqual([401, 403, 200, 200]);
  });

  it('refuses a bad window with a clear 400', async () => {
    const cases: [string, RegExp][] = [
      ['since=yesterday', /query\.since: must be an ISO-8601 instant/],
      ['since=2026-03-02T00:00:00Z', /since is in the future/],
      ['since=2025-01-01T00:00:00Z', /more than 31 days ago/],
      ['until=2026-03-01T00:00:00Z', /until/],
    ];
    for (const [query, message] of cases) {
      const res = await supervisor.call('GET', `/api/v1/stats?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await res.json()).error.message).toMatch(message);
    }
  });
});
