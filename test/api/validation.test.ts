import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Bad input is answered with a clear 4xx, in the one error shape, and nothing stored changes. */
describe('malformed requests', () => {
  let api: Api;
  let admin: Caller;
  let caseId: string;
  beforeAll(async () => {
    api = await startApi({ config: { bodyLimit: 64 * 1024 } });
    admin = await api.signIn('admin@example.com', 'admin');
    await admin.call('POST', '/api/v1/queues', { name: 'support' });
    const kase = await (
      await admin.call('POST', '/api/v1/cases', { kind: 'bug', subject: 'Crash on start' })
    ).json();
    caseId = kase.id;
  });
  afterAll(async () => api.close());

  const snapshot = async () => {
    const { store } = api.tc;
    return JSON.stringify({
      agents: await store.agents.list(),
      queues: await store.queues.list(),
      cases: await store.cases.list({}),
      timeline: await store.cases.listTimeline(caseId),
      articles: await store.articles.list({}),
      flows: await store.flows.list(),
    });
  };

  type Case = [
    name: string,
    method: string,
    path: () => string,
    body: unknown,
    status: number,
    code: string,
    message: RegExp,
    headers?: Record<string, string>,
  ];
  const cases: Case[] = [
    ['malformed JSON', 'POST', () => '/api/v1/agents', '{"email": "a@b.c",', 400, 'invalid_json', /JSON/],
    ['empty JSON body', 'POST', () => '/api/v1/agents', '', 400, 'invalid_json', /empty/i],
    ['a JSON array', 'POST', () => '/api/v1/agents', [], 400, 'invalid', /body: .*expected object/],
    [
      'missing field',
      'POST',
      () => '/api/v1/agents',
      { email: 'x@example.com' },
      400,
      'invalid',
      /body\.name/,
    ],
    [
      'wrong type',
      'POST',
      () => '/api/v1/agents',
      { email: 'x@example.com', name: 'X', capacity: 'three' },
      400,
      'invalid',
      /body\.capacity: .*expected number/,
    ],
    [
      'unknown enum value',
      'POST',
      () => '/api/v1/agents',
      { email: 'x@example.com', name: 'X', role: 'boss' },
      400,
      'invalid',
      /body\.role: .*"admin"\|"supervisor"\|"agent"/,
    ],
    [
      'unknown field',
      'POST',
      () => '/api/v1/agents',
      { email: 'x@example.com', name: 'X', isRoot: true },
      400,
      'invalid',
      /unknown field\(s\) isRoot/,
    ],
    [
      'bad email',
      'POST',
      () => '/api/v1/agents',
      { email: 'nope', name: 'X' },
      400,
      'invalid',
      /body\.email/,
    ],
    [
      'short password',
      'POST',
      () => '/api/v1/agents',
      { email: 'x@example.com', name: 'X', password: 'abc' },
      400,
      'invalid',
      /body\.password: must have at least 8/,
    ],
    [
      'unknown presence',
      'PUT',
      () => `/api/v1/agents/${admin.agent.id}/presence`,
      { presence: 'busy' },
      400,
      'invalid',
      /body\.presence/,
    ],
    [
      'bad id',
      'GET',
      () => '/api/v1/agents/bad%20id',
      undefined,
      400,
      'invalid',
      /params\.id: must be an id/,
    ],
    [
      'overlong id',
      'GET',
      () => `/api/v1/agents/${'a'.repeat(200)}`,
      undefined,
      400,
      'invalid',
      /params\.id/,
    ],
    [
      'absurdly long id',
      'GET',
      () => `/api/v1/agents/${'a'.repeat(300)}`,
      undefined,
      414,
      'uri_too_long',
      /max param length/,
    ],
    [
      'unknown id',
      'GET',
      () => '/api/v1/agents/no-such-agent',
      undefined,
      404,
      'not_found',
      /agent no-such-agent not found/,
    ],
    ['unknown case number', 'GET', () => '/api/v1/cases/%239999', undefined, 404, 'not_found', /#9999/],
    ['limit out of range', 'GET', () => '/api/v1/cases?limit=0', undefined, 400, 'invalid', /query\.limit/],
    [
      'limit not a number',
      'GET',
      () => '/api/v1/cases?limit=lots',
      undefined,
      400,
      'invalid',
      /query\.limit/,
    ],
    [
      'unknown status filter',
      'GET',
      () => '/api/v1/cases?status=bogus',
      undefined,
      400,
      'invalid',
      /query\.status/,
    ],
    ['unknown query parameter', 'GET', () => '/api/v1/cases?colour=red', undefined, 400, 'invalid', /colour/],
    [
      'unknown state filter',
      'GET',
      () => '/api/v1/conversations?state=queued,lost',
      undefined,
      400,
      'invalid',
      /query\.state/,
    ],
    ['empty patch', 'PATCH', () => `/api/v1/cases/${caseId}`, {}, 400, 'invalid', /nothing to change/],
    [
      'bad case priority',
      'PATCH',
      () => `/api/v1/cases/${caseId}`,
      { priority: 'asap' },
      400,
      'invalid',
      /body\.priority/,
    ],
    [
      'empty note',
      'POST',
      () => `/api/v1/cases/${caseId}/notes`,
      { text: '   ' },
      400,
      'invalid',
      /body\.text/,
    ],
    [
      'reply of a number',
      'POST',
      () => '/api/v1/conversations/c1/messages',
      { text: 123 },
      400,
      'invalid',
      /body\.text/,
    ],
    [
      'attachment with a javascript: url',
      'POST',
      () => '/api/v1/conversations/c1/messages',
      { text: 'hi', attachments: [{ url: 'javascript:alert(1)', name: 'x' }] },
      400,
      'invalid',
      /body\.attachments\.0\.url/,
    ],
    [
      'transfer to nobody',
      'POST',
      () => '/api/v1/conversations/c1/transfer',
      {},
      400,
      'invalid',
      /exactly one of agentId or queueId/,
    ],
    [
      'reply to an unknown conversation',
      'POST',
      () => '/api/v1/conversations/c1/messages',
      { text: 'hi' },
      404,
      'not_found',
      /conversation c1/,
    ],
    [
      'duplicate queue',
      'POST',
      () => '/api/v1/queues',
      { name: 'support' },
      409,
      'conflict',
      /already exists/,
    ],
    [
      'invalid flow',
      'PUT',
      () => '/api/v1/flows/active',
      { definition: { initial: 'start', states: [{ name: 'start', type: 'trigger', next: 'nowhere' }] } },
      400,
      'invalid',
      /nowhere/,
    ],
    [
      'flow that is not an object',
      'PUT',
      () => '/api/v1/flows/active',
      { definition: 'go' },
      400,
      'invalid',
      /flow/,
    ],
    [
      'prototype poisoning',
      'POST',
      () => '/api/v1/queues',
      '{"name":"x","__proto__":{"admin":true}}',
      400,
      'invalid_json',
      /not valid JSON/,
    ],
    [
      'oversized body',
      'POST',
      () => '/api/v1/articles',
      { title: 'Big', body: 'x'.repeat(100_000) },
      413,
      'payload_too_large',
      /too large/i,
    ],
    [
      'unsupported content type',
      'POST',
      () => '/api/v1/queues',
      'name=x',
      415,
      'unsupported_media_type',
      /Unsupported Media Type/i,
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
    [
      'unknown route',
      'GET',
      () => '/api/v1/nothing-here',
      undefined,
      404,
      'not_found',
      /no route GET \/api\/v1\/nothing-here/,
    ],
  ];

  it.each(cases)('%s', async (_name, method, path, body, status, code, message, headers) => {
    const before = await snapshot();
    const res = await admin.call(method, path(), body, headers);
    const payload = await res.json();
    expect(res.status, JSON.stringify(payload)).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(payload.error.code).toBe(code);
    expect(payload.error.message).toMatch(message);
    expect(JSON.stringify(payload)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    expect(await snapshot()).toBe(before);
  });

  it('lists every problem of an invalid flow', async () => {
    const res = await admin.call('PUT', '/api/v1/flows/active', {
      definition: { initial: 'nope', states: [{ name: 'a', type: 'teleport' }] },
    });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details.problems.length).toBeGreaterThanOrEqual(2);
    for (const problem of error.details.problems)
      expect(problem).toEqual({ path: expect.any(String), message: expect.any(String) });
  });

  it('names every wrong field at once', async () => {
    const res = await admin.call('POST', '/api/v1/agents', { email: 5, role: 'boss', capacity: -1 });
    const { error } = await res.json();
    expect(error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'body.capacity',
      'body.email',
      'body.name',
      'body.role',
    ]);
  });
});

describe('agent email addresses', () => {
  let api: Api;
  let admin: Caller;
  beforeAll(async () => {
    api = await startApi({});
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  it('accepts over the API the same addresses as the configuration (name@host, e.g. sam@localhost)', async () => {
    const res = await admin.call('POST', '/api/v1/agents', {
      email: 'sam@localhost',
      name: 'Sam',
      password: 'long enough password',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await res.json()).email).toBe('sam@localhost');
    const bad = await admin.call('POST', '/api/v1/agents', { email: 'sam at localhost', name: 'Sam' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/name@host/);
  });
});
