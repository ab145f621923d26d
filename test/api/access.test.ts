import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { createTestCenter } from '../support/test-center.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

const validFlow = {
  initial: 'start',
  states: [
    { name: 'start', type: 'trigger', next: 'bot' },
    { name: 'bot', type: 'virtual-agent', onHandoff: 'queue' },
    { name: 'queue', type: 'send-to-queue', queue: 'support' },
  ],
};

describe('roles on every route', () => {
  let api: Api;
  let agent: Caller;
  let other: Caller;
  let supervisor: Caller;
  let admin: Caller;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    other = await api.signIn('other@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  type Who = 'anonymous' | 'agent' | 'supervisor' | 'admin';
  const as = (who: Who, method: string, path: string, body?: unknown) =>
    who === 'anonymous'
      ? api.call(method, path, body, { 'x-switchboard-csrf': '1' })
      : { agent, supervisor, admin }[who].call(method, path, body);

  // [method, path, body, expected status for anonymous, agent, supervisor, admin]
  const matrix: [string, () => string, unknown, [number, number, number, number]][] = [
    ['GET', () => '/api/v1/agents', undefined, [401, 200, 200, 200]],
    ['GET', () => `/api/v1/agents/${other.agent.id}`, undefined, [401, 200, 200, 200]],
    ['POST', () => '/api/v1/agents', { email: 'new@example.com', name: 'New' }, [401, 403, 403, 201]],
    ['PATCH', () => `/api/v1/agents/${other.agent.id}`, { skills: ['billing'] }, [401, 403, 403, 200]],
    ['PUT', () => `/api/v1/agents/${other.agent.id}/presence`, { presence: 'away' }, [401, 403, 200, 200]],
    ['PUT', () => `/api/v1/agents/${agent.agent.id}/presence`, { presence: 'away' }, [401, 200, 200, 200]],
    ['GET', () => '/api/v1/conversations', undefined, [401, 200, 200, 200]],
    ['GET', () => `/api/v1/conversations?agentId=${other.agent.id}`, undefined, [401, 403, 200, 200]],
    ['GET', () => '/api/v1/reservations', undefined, [401, 200, 200, 200]],
    ['GET', () => `/api/v1/reservations?agentId=${other.agent.id}`, undefined, [401, 403, 200, 200]],
    ['GET', () => '/api/v1/cases', undefined, [401, 200, 200, 200]],
    ['GET', () => '/api/v1/queues', undefined, [401, 200, 200, 200]],
    ['GET', () => '/api/v1/queues/stats', undefined, [401, 200, 200, 200]],
    ['POST', () => '/api/v1/queues', { name: `q-${Math.random()}` }, [401, 403, 403, 201]],
    ['GET', () => '/api/v1/routing/role-routes', undefined, [401, 403, 200, 200]],
    ['PUT', () => '/api/v1/routing/role-routes', { routes: [] }, [401, 403, 403, 200]],
    ['GET', () => `/api/v1/contacts/nobody/member-context`, undefined, [401, 404, 404, 404]],
    ['GET', () => '/api/v1/articles', undefined, [401, 200, 200, 200]],
    ['POST', () => '/api/v1/articles', { title: 'Refunds', body: 'How refunds work.' }, [401, 403, 201, 201]],
    ['GET', () => '/api/v1/articles/search?q=refund', undefined, [401, 200, 200, 200]],
    ['GET', () => '/api/v1/canned-responses', undefined, [401, 200, 200, 200]],
    ['GET', () => '/api/v1/stats', undefined, [401, 403, 200, 200]],
    ['GET', () => '/api/v1/channels', undefined, [401, 403, 403, 200]],
    ['GET', () => '/api/v1/flows', undefined, [401, 403, 200, 200]],
    ['GET', () => '/api/v1/flows/active', undefined, [401, 403, 200, 200]],
    ['PUT', () => '/api/v1/flows/active', { definition: validFlow }, [401, 403, 403, 200]],
    ['GET', () => `/api/v1/auth/tokens?agentId=${other.agent.id}`, undefined, [401, 403, 403, 200]],
    ['GET', () => '/api/v1/auth/me', undefined, [401, 200, 200, 200]],
    ['GET', () => '/healthz', undefined, [200, 200, 200, 200]],
    ['GET', () => '/metrics', undefined, [401, 401, 401, 200]],
    ['GET', () => '/api/openapi.json', undefined, [200, 200, 200, 200]],
  ];

  it.each(matrix)('%s %s', async (method, path, body, expected) => {
    const who: Who[] = ['anonymous', 'agent', 'supervisor', 'admin'];
    const got: number[] = [];
    for (const w of who) got.push((await as(w, method, path(), body)).status);
    expect(got).toEqual(expected);
  });

  it('says which role is needed', async () => {
    const res = await agent.call('POST', '/api/v1/queues', { name: 'vip' });
    expect(await res.json()).toEqual({ error: { code: 'forbidden', message: 'this needs the admin role' } });
  });

  it('keeps an admin from changing their own role', async () => {
    const res = await admin.call('PATCH', `/api/v1/agents/${admin.agent.id}`, { role: 'agent' });
    expect(res.status).toBe(403);
    expect((await api.tc.store.agents.get(admin.agent.id))?.role).toBe('admin');
  });

  it('applies a role change at the next request', async () => {
    const promoted = await api.signIn('promoted@example.com', 'agent');
    expect((await promoted.call('GET', '/api/v1/flows')).status).toBe(403);
    await admin.call('PATCH', `/api/v1/agents/${promoted.agent.id}`, { role: 'supervisor' });
    expect((await promoted.call('GET', '/api/v1/flows')).status).toBe(200);
  });
});

describe('CSRF', () => {
  let api: Api;
  let ana: Caller;
  beforeAll(async () => {
    api = await startApi({ config: { allowedOrigins: ['http://localhost:5173'] } });
    ana = await api.signIn('ana@example.com');
  });
  afterAll(async () => api.close());

  const setPresence = (headers: Record<string, string>, presence = 'available') =>
    api.call(
      'PUT',
      `/api/v1/agents/${ana.agent.id}/presence`,
      { presence },
      { cookie: ana.cookie, ...headers },
    );

  it('refuses cookie-authenticated writes without the header or a same-origin Origin, changing nothing', async () => {
    for (const headers of [
      {},
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'x-switchboard-csrf': '0' },
    ]) {
      const res = await setPresence(headers);
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('csrf');
    }
    expect((await api.tc.store.agents.get(ana.agent.id))?.presence).toBe('offline');
  });

  it('accepts the header, the same origin, or a configured origin', async () => {
    expect((await setPresence({ 'x-switchboard-csrf': '1' }, 'away')).status).toBe(200);
    expect((await setPresence({ origin: api.base }, 'available')).status).toBe(200);
    expect((await setPresence({ origin: 'http://localhost:5173' }, 'away')).status).toBe(200);
  });

  it('lets cookie-authenticated reads through', async () => {
    expect((await api.call('GET', '/api/v1/auth/me', undefined, { cookie: ana.cookie })).status).toBe(200);
  });
});

describe('routes must declare a role', () => {
  it('refuses to start with a route that declares none', async () => {
    const tc = await createTestCenter();
    const app = buildApp({
      center: tc.center,
      logger: false,
      registerRoutes: (scope) => {
        scope.post('/webhooks/forgotten', async () => ({ ok: true }));
      },
    });
    await expect(app.ready()).rejects.toThrow(/declares no role/);
    await app.close().catch(() => {});
    await tc.close();
  });

  it("serves connectors' public webhook routes", async () => {
    const api = await startApi({
      build: {
        registerRoutes: (scope) => {
          scope.post('/webhooks/test', { config: { role: 'public' } }, async (request) => ({
            echo: request.body,
          }));
        },
      },
    });
    try {
      const res = await api.call('POST', '/webhooks/test', { hello: 'world' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ echo: { hello: 'world' } });
    } finally {
      await api.close();
    }
  });
});
