import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Canned responses are kept on the server and shared: agents search them, supervisors and admins keep them. */
describe('canned responses API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  let refundId: string;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
    const res = await supervisor.call('POST', '/api/v1/canned-responses', {
      shortcut: 'refund',
      title: 'Refund policy',
      text: 'Refunds reach your card within 5 to 7 days.',
    });
    expect(res.status).toBe(201);
    refundId = (await res.json()).id;
  });
  afterAll(async () => api.close());

  const stored = async () => JSON.stringify(await api.tc.store.cannedResponses.list({}));
  type Who = 'anonymous' | 'agent' | 'supervisor' | 'admin';
  const as = (who: Who, method: string, path: string, body?: unknown) =>
    who === 'anonymous'
      ? api.call(method, path, body, { 'x-switchboard-csrf': '1' })
      : { agent, supervisor, admin }[who].call(method, path, body);

  it('lets every agent read, and only supervisors and admins write', async () => {
    const statuses = async (method: string, path: () => string, body?: (who: Who) => unknown) => {
      const got: number[] = [];
      for (const who of ['anonymous', 'agent', 'supervisor', 'admin'] as const)
        got.push((await as(who, method, path(), body?.(who))).status);
      return got;
    };
    expect(await statuses('GET', () => '/api/v1/canned-responses')).toEqual([401, 200, 200, 200]);
    expect(await statuses('GET', () => `/api/v1/canned-responses/${refundId}`)).toEqual([401, 200, 200, 200]);
    expect(
      await statuses(
        'POST',
        () => '/api/v1/canned-responses',
        (who) => ({ shortcut: `by-${who}`, title: 'T', text: 'x' }),
      ),
    ).toEqual([401, 403, 201, 201]);
    const created = (await api.tc.store.cannedResponses.list({ text: 'by-' })).map((r) => r.shortcut);
    expect(created).toEqual(['by-admin', 'by-supervisor']);
    const target = (await api.tc.store.cannedResponses.getByShortcut('by-admin'))!.id;
    expect(
      await statuses(
        'PATCH',
        () => `/api/v1/canned-responses/${target}`,
        (who) => ({ text: `edited by ${who}` }),
      ),
    ).toEqual([401, 403, 200, 200]);
    expect((await api.tc.store.cannedResponses.get(target))?.text).toBe('edited by admin');
    // The supervisor deletes it; the admin then finds nothing to delete.
    expect(await statuses('DELETE', () => `/api/v1/canned-responses/${target}`)).toEqual([
      401, 403, 204, 404,
    ]);
    const forbidden = await agent.call('POST', '/api/v1/canned-responses', {
      shortcut: 'x',
      title: 'X',
      text: 'x',
    });
    expect(await forbidden.json()).toEqual({
      error: { code: 'forbidden', message: 'this needs the supervisor role' },
    });
  });

  it('searches by shortcut, title and text, case-insensitively, in shortcut order', async () => {
    await supervisor.call('POST', '/api/v1/canned-responses', {
      shortcut: '/Shukran',
      title: 'شكر',
      text: 'شكراً لتواصلك معنا',
      locale: 'ar',
    });
    const search = async (q: string) => {
      const res = await agent.call('GET', `/api/v1/canned-responses?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return ((await res.json()).cannedResponses as { shortcut: string }[]).map((r) => r.shortcut);
    };
    expect(await search('REFUND')).toEqual(['refund']);
    expect(await search('/ref')).toEqual(['refund']);
    expect(await search('7 days')).toEqual(['refund']);
    expect(await search('شكراً')).toEqual(['shukran']);
    expect(await search('no such words')).toEqual([]);
    const all = await (await agent.call('GET', '/api/v1/canned-responses')).json();
    expect(all.cannedResponses.map((r: { shortcut: string }) => r.shortcut)).toEqual(
      expect.arrayContaining(['refund', 'shukran']),
    );
    expect(all.cannedResponses.find((r: { shortcut: string }) => r.shortcut === 'shukran')).toMatchObject({
      title: 'شكر',
      locale: 'ar',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const one = await (await agent.call('GET', '/api/v1/canned-responses?limit=1')).json();
    expect(one.cannedResponses).toHaveLength(1);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const before = await stored();
    const cases: [string, string, unknown, number, RegExp][] = [
      [
        'POST',
        '/api/v1/canned-responses',
        { shortcut: 'two words', title: 'T', text: 'x' },
        400,
        /body\.shortcut: must be 1 to 40/,
      ],
      ['POST', '/api/v1/canned-responses', { shortcut: 'ok', title: 'T' }, 400, /body\.text/],
      ['POST', '/api/v1/canned-responses', { shortcut: 'ok', title: '  ', text: 'x' }, 400, /body\.title/],
      [
        'POST',
        '/api/v1/canned-responses',
        { shortcut: 'ok', title: 'T', text: 'x', locale: 'english!' },
        400,
        /body\.locale/,
      ],
      [
        'POST',
        '/api/v1/canned-responses',
        { shortcut: 'ok', title: 'T', text: 'x', colour: 'red' },
        400,
        /colour/,
      ],
      [
        'POST',
        '/api/v1/canned-responses',
        { shortcut: 'REFUND', title: 'T', text: 'x' },
        409,
        /shortcut \/refund is already taken/,
      ],
      ['PATCH', `/api/v1/canned-responses/${refundId}`, {}, 400, /nothing to change/],
      ['PATCH', `/api/v1/canned-responses/${refundId}`, { shortcut: 'shukran' }, 409, /already taken/],
      [
        'PATCH',
        '/api/v1/canned-responses/no-such-one',
        { text: 'x' },
        404,
        /canned response no-such-one not found/,
      ],
      ['DELETE', '/api/v1/canned-responses/bad%20id', undefined, 400, /params\.id/],
      ['GET', '/api/v1/canned-responses?limit=0', undefined, 400, /query\.limit/],
      ['GET', '/api/v1/canned-responses?shortcut=refund', undefined, 400, /shortcut/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await supervisor.call(method, path, body);
      const error = (await res.json()).error;
      expect({ path, body, status: res.status }).toEqual({ path, body, status });
      expect(error.message).toMatch(message);
    }
    expect(await stored()).toBe(before);
  });

  it('renames and edits in place', async () => {
    const res = await admin.call('PATCH', `/api/v1/canned-responses/${refundId}`, {
      title: 'Refunds',
      locale: 'en',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: refundId,
      shortcut: 'refund',
      title: 'Refunds',
      locale: 'en',
    });
    const cleared = await admin.call('PATCH', `/api/v1/canned-responses/${refundId}`, { locale: null });
    expect((await cleared.json()).locale).toBeNull();
  });
});
