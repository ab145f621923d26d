import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Webhook subscriptions are an admin's: agents and supervisors are refused, bad input stores nothing. */
describe('webhooks API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  let id: string;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
    const res = await admin.call('POST', '/api/v1/webhooks', {
      url: 'https://crm.example.com/hooks',
      description: 'CRM',
      events: ['case.solved', 'case.created'],
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    id = body.webhook.id;
    expect(body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(body.webhook).toMatchObject({
      url: 'https://crm.example.com/hooks',
      description: 'CRM',
      events: ['case.created', 'case.solved'],
      enabled: true,
      disabledReason: null,
    });
    expect(body.webhook).not.toHaveProperty('secret');
  });
  afterAll(async () => api.close());

  const stored = async () => JSON.stringify(await api.tc.store.webhooks.listSubscriptions());

  it('refuses everyone but admins on every route, and changes nothing for them', async () => {
    const before = await stored();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks', { url: 'https://x.example.com/', events: ['case.created'] }],
      ['GET', `/api/v1/webhooks/${id}`],
      ['PATCH', `/api/v1/webhooks/${id}`, { enabled: false }],
      ['POST', `/api/v1/webhooks/${id}/rotate-secret`],
      ['GET', `/api/v1/webhooks/${id}/deliveries`],
      ['DELETE', `/api/v1/webhooks/${id}`],
      ['GET', '/api/v1/notices'],
    ];
    for (const [method, path, body] of routes) {
      expect(
        (await api.call(method, path, body, { 'x-switchboard-csrf': '1' })).status,
        `${method} ${path}`,
      ).toBe(401);
      for (const who of [agent, supervisor]) {
        const res = await who.call(method, path, body);
        expect(res.status, `${who.agent.role} ${method} ${path}`).toBe(403);
        expect((await res.json()).error.message).toBe('this needs the admin role');
      }
    }
    expect(await stored()).toBe(before);
  });

  it('answers 400 with a message for a bad URL or event, and stores nothing', async () => {
    const before = await stored();
    const bad: [unknown, RegExp][] = [
      [{ url: 'ftp://crm.example.com/', events: ['case.created'] }, /https:\/\/ or http:\/\//],
      [{ url: 'not a url', events: ['case.created'] }, /not a valid absolute URL/],
      [{ url: 'https://user:pw@crm.example.com/', events: ['case.created'] }, /no user name or password/],
      [{ url: 'https://crm.example.com/', events: ['case.exploded'] }, /events/],
      [{ url: 'https://crm.example.com/', events: [] }, /events/],
      [{ url: 'https://crm.example.com/' }, /events/],
      [{ url: 'https://crm.example.com/', events: ['case.created'], secret: 'mine' }, /secret/],
    ];
    for (const [body, message] of bad) {
      const res = await admin.call('POST', '/api/v1/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.message).toMatch(message);
    }
    const patch = await admin.call('PATCH', `/api/v1/webhooks/${id}`, { url: 'javascript:alert(1)' });
    expect(patch.status).toBe(400);
    expect((await admin.call('PATCH', `/api/v1/webhooks/${id}`, { events: ['nope'] })).status).toBe(400);
    expect((await admin.call('GET', '/api/v1/webhooks/missing')).status).toBe(404);
    expect(await stored()).toBe(before);
  });

  it('lists without secrets, turns off and on, rotates the secret and deletes', async () => {
    const list = await (await admin.call('GET', '/api/v1/webhooks')).json();
    expect(list.webhooks.map((w: { id: string }) => w.id)).toEqual([id]);
    expect(JSON.stringify(list)).not.toContain('whsec_');
    const off = await (await admin.call('PATCH', `/api/v1/webhooks/${id}`, { enabled: false })).json();
    expect(off).toMatchObject({ enabled: false, disabledReason: 'turned off by an admin' });
    const on = await (await admin.call('PATCH', `/api/v1/webhooks/${id}`, { enabled: true })).json();
    expect(on).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
    const secretBefore = (await api.tc.store.webhooks.getSubscription(id))?.secret;
    const rotated = await (await admin.call('POST', `/api/v1/webhooks/${id}/rotate-secret`)).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secretBefore);
    expect((await api.tc.store.webhooks.getSubscription(id))?.secret).toBe(rotated.secret);
    const deliveries = await (await admin.call('GET', `/api/v1/webhooks/${id}/deliveries?limit=5`)).json();
    expect(deliveries).toEqual({ deliveries: [] });
    expect((await admin.call('GET', `/api/v1/webhooks/${id}/deliveries?limit=0`)).status).toBe(400);
    const extra = await (
      await admin.call('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/x',
        events: ['message.created'],
      })
    ).json();
    expect((await admin.call('DELETE', `/api/v1/webhooks/${extra.webhook.id}`)).status).toBe(204);
    expect((await admin.call('DELETE', `/api/v1/webhooks/${extra.webhook.id}`)).status).toBe(404);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/webhooks',
        '/api/v1/webhooks/{id}',
        '/api/v1/webhooks/{id}/rotate-secret',
        '/api/v1/webhooks/{id}/deliveries',
        '/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      ]),
    );
  });
});
