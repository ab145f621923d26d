import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Business hours and SLA policies: admins write, agents read; bad input is a 400 and changes nothing. */
describe('SLA API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  let queueId: string;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
    const res = await admin.call('POST', '/api/v1/queues', { name: 'billing' });
    queueId = (await res.json()).id;
  });
  afterAll(async () => api.close());

  const stored = async () =>
    JSON.stringify([await api.tc.store.sla.listBusinessHours(), await api.tc.store.sla.listPolicies()]);
  const hours = {
    timeZone: 'Asia/Riyadh',
    weekly: [{ day: 0, open: '09:00', close: '17:00' }],
    holidays: ['2026-03-20'],
  };

  it('lets admins set hours and policies, and agents read them', async () => {
    const put = await admin.call('PUT', `/api/v1/queues/${queueId}/business-hours`, hours);
    expect(put.status).toBe(200);
    expect((await put.json()).businessHours).toMatchObject(hours);
    const policy = await admin.call('PUT', `/api/v1/queues/${queueId}/sla-policies/high`, {
      firstResponseMinutes: 15,
      resolutionMinutes: 480,
    });
    expect(policy.status).toBe(200);
    expect(await policy.json()).toMatchObject({
      priority: 'high',
      firstResponseMinutes: 15,
      nextResponseMinutes: null,
    });
    const read = await (await agent.call('GET', `/api/v1/queues/${queueId}/business-hours`)).json();
    expect(read.businessHours.timeZone).toBe('Asia/Riyadh');
    expect(typeof read.open).toBe('boolean');
    const policies = await (await agent.call('GET', `/api/v1/sla/policies?queueId=${queueId}`)).json();
    expect(policies.policies).toHaveLength(1);
    expect((await agent.call('GET', '/api/v1/sla/timers')).status).toBe(200);
  });

  it('refuses writes to agents and supervisors, and breaches to agents, changing nothing', async () => {
    const before = await stored();
    const writes: [string, string, unknown?][] = [
      ['PUT', `/api/v1/queues/${queueId}/business-hours`, hours],
      ['DELETE', `/api/v1/queues/${queueId}/business-hours`],
      ['PUT', `/api/v1/queues/${queueId}/sla-policies/low`, { firstResponseMinutes: 5 }],
      ['DELETE', `/api/v1/queues/${queueId}/sla-policies/high`],
    ];
    for (const [method, path, body] of writes)
      for (const who of [agent, supervisor])
        expect((await who.call(method, path, body)).status, `${who.agent.role} ${method} ${path}`).toBe(403);
    expect((await agent.call('GET', '/api/v1/sla/breaches')).status).toBe(403);
    expect((await agent.call('GET', '/api/v1/stats/sla?since=2026-01-01T00:00:00Z')).status).toBe(403);
    expect((await supervisor.call('GET', '/api/v1/sla/breaches')).status).toBe(200);
    expect((await api.call('GET', '/api/v1/sla/policies')).status).toBe(401);
    expect(await stored()).toBe(before);
  });

  it('answers 400 with a message for bad hours and policies, and 404 for a missing queue', async () => {
    const before = await stored();
    const bad: [string, string, unknown, RegExp][] = [
      [
        'PUT',
        `/api/v1/queues/${queueId}/business-hours`,
        { ...hours, timeZone: 'Mars/Olympus' },
        /time zone/,
      ],
      [
        'PUT',
        `/api/v1/queues/${queueId}/business-hours`,
        { ...hours, weekly: [{ day: 1, open: '17:00', close: '09:00' }] },
        /close after it opens/,
      ],
      [
        'PUT',
        `/api/v1/queues/${queueId}/business-hours`,
        { ...hours, weekly: [{ day: 7, open: '09:00', close: '10:00' }] },
        /day/,
      ],
      ['PUT', `/api/v1/queues/${queueId}/business-hours`, { ...hours, holidays: ['tomorrow'] }, /YYYY-MM-DD/],
      [
        'PUT',
        `/api/v1/queues/${queueId}/sla-policies/high`,
        { firstResponseMinutes: 0 },
        /firstResponseMinutes/,
      ],
      ['PUT', `/api/v1/queues/${queueId}/sla-policies/high`, {}, /at least one target/],
      ['PUT', `/api/v1/queues/${queueId}/sla-policies/extreme`, { firstResponseMinutes: 5 }, /priority/],
    ];
    for (const [method, path, body, message] of bad) {
      const res = await admin.call(method, path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.message).toMatch(message);
    }
    expect((await admin.call('PUT', '/api/v1/queues/missing/business-hours', hours)).status).toBe(404);
    expect(await stored()).toBe(before);
  });

  it("shows a live conversation's response clock in the supervisor monitor", async () => {
    const queue = await api.tc.center.queues.ensureDefault();
    const put = await admin.call('PUT', `/api/v1/queues/${queue.id}/sla-policies/normal`, {
      firstResponseMinutes: 30,
      resolutionMinutes: 600,
    });
    expect(put.status).toBe(200);
    await api.tc.connector.receive({ text: 'I want to talk to a human please', from: 'member-sla' });
    type Row = { conversation: { id: string; queueId: string | null }; sla: Record<string, unknown> | null };
    const row = await eventually('the queued conversation in the monitor', async () => {
      const monitor = await (await supervisor.call('GET', '/api/v1/monitor')).json();
      return (monitor.conversations as Row[]).find((r) => r.conversation.queueId === queue.id);
    });
    // The response clock, not the case's resolution clock.
    expect(row.sla).toMatchObject({
      metric: 'first_response',
      targetMinutes: 30,
      status: 'running',
      conversationId: row.conversation.id,
      breachedAt: null,
    });
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/queues/{id}/business-hours',
        '/api/v1/queues/{id}/sla-policies/{priority}',
        '/api/v1/sla/policies',
        '/api/v1/sla/timers',
        '/api/v1/sla/breaches',
        '/api/v1/stats/sla',
      ]),
    );
  });
});
