import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, startApi } from './api-harness.ts';

/** Issue 15: admins map community roles (Discord's) to a queue and a priority; the member context is readable. */
describe('role routes and member context over the API', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  it('admins replace the routes; supervisors read them; agents do neither; bad input is 400 and changes nothing', async () => {
    const admin = await api.signIn('admin@example.com', 'admin');
    const supervisor = await api.signIn('lead@example.com', 'supervisor');
    const agent = await api.signIn('agent@example.com', 'agent');
    const priority = (await (await admin.call('POST', '/api/v1/queues', { name: 'priority' })).json()) as {
      id: string;
    };
    await admin.call('POST', '/api/v1/queues', { name: 'partners', skills: ['partner'] });
    const routes = [
      { role: 'VIP', queueId: priority.id, priority: 'high' },
      { role: 'Booster', priority: 'urgent' },
      { role: 'Partner', skill: 'partner' },
    ];
    const saved = await admin.call('PUT', '/api/v1/routing/role-routes', { routes });
    expect(saved.status).toBe(200);
    const expected = [
      { role: 'VIP', queueId: priority.id, priority: 'high', skill: null },
      { role: 'Booster', queueId: null, priority: 'urgent', skill: null },
      { role: 'Partner', queueId: null, priority: null, skill: 'partner' },
    ];
    expect(await saved.json()).toEqual({ routes: expected });
    const read = await supervisor.call('GET', '/api/v1/routing/role-routes');
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ routes: expected });

    expect((await agent.call('GET', '/api/v1/routing/role-routes')).status).toBe(403);
    expect((await agent.call('PUT', '/api/v1/routing/role-routes', { routes: [] })).status).toBe(403);
    expect((await supervisor.call('PUT', '/api/v1/routing/role-routes', { routes: [] })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/routing/role-routes')).status).toBe(401);
    for (const body of [
      { routes: [{ role: 'VIP', queueId: 'no-such-queue' }] },
      { routes: [{ role: 'VIP' }] },
      { routes: [{ role: 'VIP', priority: 'whenever' }] },
      { routes: [{ role: '', priority: 'high' }] },
      { routes: [{ role: 'VIP', priority: 'high', skills: ['x'] }] },
      { routes: [{ role: 'VIP', skill: 'reseller' }] },
      { routes: [{ role: 'VIP', skill: '  ' }] },
      { routes: [{ role: 'VIP', skill: 42 }] },
      {
        routes: [
          { role: 'VIP', priority: 'high' },
          { role: 'vip', priority: 'low' },
        ],
      },
      { routes: 'VIP' },
    ]) {
      const refused = await admin.call('PUT', '/api/v1/routing/role-routes', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect(await (await admin.call('GET', '/api/v1/routing/role-routes')).json()).toEqual({
      routes: expected,
    });
  });

  it('agents read a contact’s member context; an unknown contact is 404', async () => {
    const agent = await api.signIn('agent@example.com', 'agent');
    await api.tc.connector.receive({
      from: 'm1',
      text: 'hello',
      member: {
        server: { id: '700', name: 'Acme' },
        roles: [{ id: '801', name: 'VIP' }],
        joinedAt: '2025-01-02T00:00:00.000Z',
        boostingSince: null,
        accountCreatedAt: '2020-01-01T00:00:00.000Z',
        requestChannel: { id: '900', name: 'general' },
      },
    });
    const contact = await api.tc.store.contacts.findByIdentity('test', 'm1');
    const answer = await agent.call('GET', `/api/v1/contacts/${contact!.id}/member-context`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      servers: [{ server: { name: 'Acme' }, roles: [{ name: 'VIP' }], joinedAt: '2025-01-02T00:00:00.000Z' }],
    });
    expect((await agent.call('GET', '/api/v1/contacts/nobody/member-context')).status).toBe(404);
  });
});
