import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi, TEST_PASSWORD } from './api-harness.ts';

describe('OpenAPI, health, metrics, headers', () => {
  let api: Api;
  let admin: Caller;
  beforeAll(async () => {
    api = await startApi();
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  it('serves an OpenAPI 3 document listing the routes with their schemas', async () => {
    const res = await api.fetch('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/agents',
      '/api/v1/agents/{id}/presence',
      '/api/v1/conversations/{id}/messages',
      '/api/v1/conversations/{id}/transfer',
      '/api/v1/reservations/{id}/accept',
      '/api/v1/cases/{id}/notes',
      '/api/v1/queues/stats',
      '/api/v1/articles/{id}',
      '/api/v1/flows/active',
      '/healthz',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const create = doc.paths['/api/v1/agents'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['email', 'name']);
    expect(body.properties.role.enum).toEqual(['admin', 'supervisor', 'agent']);
    const agent = create.responses['201'].content['application/json'].schema;
    expect(Object.keys(agent.properties)).not.toContain('passwordHash');
    expect(create.responses['4XX'] ?? create.responses['4xx']).toBeTruthy();
    const list = doc.paths['/api/v1/cases'].get.parameters.map(
      (p: { name: string; in: string }) => `${p.in}:${p.name}`,
    );
    expect(list).toEqual(
      expect.arrayContaining([
        'query:kind',
        'query:status',
        'query:priority',
        'query:assignee',
        'query:text',
        'query:limit',
        'query:offset',
      ]),
    );
  });

  it('serves the browsable docs', async () => {
    const res = await api.fetch('/api/docs/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/swagger/i);
  });

  it('sends security headers', async () => {
    const res = await api.fetch('/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('reports health with the connectors', async () => {
    const res = await api.fetch('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      database: 'ok',
      connectors: { test: { status: 'connected', detail: null } },
      delivery: { status: 'ok', channels: [] },
    });
  });

  it('exposes Prometheus metrics: process, HTTP and domain figures', async () => {
    await admin.call('POST', '/api/v1/queues', { name: 'support' });
    await api.tc.connector.receive({ text: 'hello there' });
    const res = await admin.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/v1\/queues".*\}/);
    expect(text).toMatch(/switchboard_messages_total\{author_kind="contact",channel="test"\} 1/);
    expect(text).toMatch(/switchboard_queue_waiting\{queue="support"\} 0/);
    expect(text).toMatch(/switchboard_connector_up\{channel="test",status="connected"\} 1/);
    expect(text).toMatch(/switchboard_realtime_connections 0/);
  });
});

describe('/metrics is not public', () => {
  const scraperToken = 'prometheus-scrape-token-0123456789';
  let api: Api;
  beforeAll(async () => {
    api = await startApi({ config: { metricsToken: scraperToken } });
  });
  afterAll(async () => api.close());

  it('answers a scraper with the metrics token, and admins; refuses everyone else with a clear 401', async () => {
    const scraped = await api.fetch('/metrics', { headers: { authorization: `Bearer ${scraperToken}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/switchboard_realtime_connections/);
    const admin = await api.signIn('admin@example.com', 'admin');
    expect((await admin.call('GET', '/metrics')).status).toBe(200);
    const agent = await api.signIn('agent@example.com', 'agent');
    for (const headers of [
      {},
      { authorization: `Bearer ${scraperToken}x` },
      { authorization: 'Bearer short' },
      { cookie: agent.cookie },
    ]) {
      const res = await api.fetch('/metrics', { headers });
      expect(res.status).toBe(401);
      const body = await res.json();
      expect(body.error.message).toMatch(/SWITCHBOARD_METRICS_TOKEN/);
      expect(JSON.stringify(body)).not.toContain('switchboard_');
    }
  });

  it('without a configured token, only admins read it', async () => {
    const plain = await startApi();
    try {
      expect((await plain.fetch('/metrics')).status).toBe(401);
      expect(
        (await plain.fetch('/metrics', { headers: { authorization: 'Bearer anything-at-all-here' } })).status,
      ).toBe(401);
    } finally {
      await plain.close();
    }
  });
});

describe('health when the database is gone', () => {
  it('answers 503', async () => {
    const api = await startApi();
    await api.tc.store.close();
    const res = await api.fetch('/healthz');
    expect(res.status).toBe(503);
    expect((await res.json()).status).toBe('unavailable');
    await api.app.close();
  });
});

describe('logs', () => {
  it('never contain passwords, session tokens or API tokens', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const api = await startApi({ build: { logger: pino({ level: 'trace' }, sink) } });
    try {
      const ana = await api.signIn('ana@example.com');
      const { token } = await (await ana.call('POST', '/api/v1/auth/tokens', { name: 'ci' })).json();
      await api.call('GET', '/api/v1/auth/me', undefined, { authorization: `Bearer ${token}` });
      await api.call('POST', '/api/v1/auth/login', {
        email: 'ana@example.com',
        password: 'wrong-password-123',
      });
      const log = lines.join('');
      expect(log).toMatch(/incoming request/);
      for (const secret of [TEST_PASSWORD, 'wrong-password-123', ana.cookie.split('=')[1]!, token]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await api.close();
    }
  });
});

describe('the agent desktop', () => {
  it('is served from the build, with index.html for its own paths and 404s for missing files', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = await mkdtemp(join(tmpdir(), 'sb-web-'));
    const { mkdir } = await import('node:fs/promises');
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Switchboard</title>');
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    const { desktopStaticRoutes } = await import('../../src/http/static.ts');
    const api = await startApi({
      build: {
        registerRoutes: async (scope) => {
          await scope.register(async (s) =>
            desktopStaticRoutes(s, { root, articles: { get: async () => undefined } }),
          );
        },
      },
    });
    try {
      for (const path of ['/', '/inbox', '/conversations/42']) {
        const res = await api.fetch(path);
        expect(res.status, path).toBe(200);
        expect(await res.text()).toContain('<title>Switchboard</title>');
      }
      const js = await api.fetch('/assets/app.js');
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await api.fetch('/assets/missing.js')).status).toBe(404);
      const apiMiss = await api.fetch('/api/v1/nothing');
      expect(apiMiss.status).toBe(404);
      expect((await apiMiss.json()).error.code).toBe('not_found');
      for (const path of [
        '/..%2f..%2f..%2fetc%2fpasswd',
        '/..%2f..%2f..%2fetc%2fhost.conf',
        '/%2e%2e/%2e%2e/etc/hosts',
      ]) {
        const res = await api.fetch(path);
        const text = await res.text();
        expect(text).not.toMatch(/root:|localhost|multi on/);
      }
      expect((await api.fetch('/healthz')).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
