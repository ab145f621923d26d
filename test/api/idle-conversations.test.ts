import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Issue 14: admins set the idle-conversation reminder and auto-close; supervisors may read them. */
describe('idle conversation settings API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  const path = '/api/v1/settings/idle-conversations';
  const good = { enabled: true, reminderMinutes: 20, closeMinutes: 10 };

  it('is read by supervisors and set by admins only', async () => {
    expect((await api.call('GET', path)).status).toBe(401);
    expect((await agent.call('GET', path)).status).toBe(403);
    const read = await supervisor.call('GET', path);
    expect(await read.json()).toEqual({ enabled: false, reminderMinutes: 30, closeMinutes: 30 });
    expect((await agent.call('PUT', path, good)).status).toBe(403);
    expect((await supervisor.call('PUT', path, good)).status).toBe(403);
    const saved = await admin.call('PUT', path, good);
    expect(saved.status).toBe(200);
    expect(await api.tc.center.idle.settings()).toEqual(good);
  });

  it('refuses bad settings with a 400 naming the field, and keeps the stored ones', async () => {
    for (const [body, field] of [
      [{ ...good, reminderMinutes: 0 }, /reminderMinutes/],
      [{ ...good, closeMinutes: 1.5 }, /closeMinutes/],
      [{ ...good, closeMinutes: 20_000 }, /closeMinutes/],
      [{ ...good, enabled: 'yes' }, /enabled/],
      [{ reminderMinutes: 5, closeMinutes: 5 }, /enabled/],
      [{ ...good, extra: 1 }, /extra/],
    ] as const) {
      const res = await admin.call('PUT', path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(field);
    }
    expect(await api.tc.center.idle.settings()).toEqual(good);
  });
});
