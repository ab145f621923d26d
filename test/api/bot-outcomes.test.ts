import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** What the bot solves, over the API: figures, the unanswered questions, and a draft article from them. */
describe('the bot outcome API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  beforeAll(async () => {
    // The test center's clock stands at 2026-03-01T09:00:00Z.
    api = await startApi();
    agent = await api.signIn('dana@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
    await api.tc.center.articles.create({
      id: 'reset-password',
      title: 'Reset your password',
      body: 'Open Settings, choose Account, then Reset password.',
      examples: ['I forgot my password', 'how do I change my password'],
    });
    const say = (from: string, text: string, action?: string) =>
      api.tc.connector.receive({ from, text, ...(action ? { action } : {}) });
    await say('m1', 'I forgot my password');
    await say('m1', '', 'resolved');
    await say('m2', 'can I pay with bitcoin?');
    await say('m2', '', 'handoff');
    await say('m3', 'Can I pay using Bitcoin');
    await say('m4', 'human please');
  });
  afterAll(async () => api.close());

  it('gives containment per day, hand-off reasons and answers per article', async () => {
    const res = await supervisor.call('GET', '/api/v1/bot/outcomes?days=2');
    expect(res.status).toBe(200);
    const figures = await res.json();
    expect(figures.days).toEqual([
      { date: '2026-02-28', resolved: 0, handedOff: 0, abandoned: 0, containmentRate: null },
      { date: '2026-03-01', resolved: 1, handedOff: 2, abandoned: 0, containmentRate: 0.333 },
    ]);
    expect(figures.totals).toMatchObject({ resolved: 1, handedOff: 2, confirmed: 1, inProgress: 1 });
    expect(figures.handoffReasons).toContainEqual({ reason: 'low_confidence', count: 1 });
    expect(figures.handoffReasons).toContainEqual({ reason: 'asked_for_person', count: 1 });
    expect(figures.articles).toEqual([
      { articleId: 'reset-password', title: 'Reset your password', answered: 1, solved: 1 },
    ]);
  });

  it('groups the unanswered questions and drafts an article from a group', async () => {
    const res = await supervisor.call('GET', '/api/v1/bot/unanswered');
    expect(res.status).toBe(200);
    const { groups } = await res.json();
    expect(groups).toHaveLength(1);
    expect(groups[0].questions.map((q: { text: string }) => q.text)).toEqual([
      'can I pay with bitcoin?',
      'Can I pay using Bitcoin',
    ]);
    const ids = groups[0].questions.map((q: { id: string }) => q.id);
    const created = await supervisor.call('POST', '/api/v1/bot/unanswered/articles', {
      questionIds: ids,
      title: 'Paying with Bitcoin',
    });
    expect(created.status).toBe(201);
    const article = await created.json();
    expect(article).toMatchObject({
      title: 'Paying with Bitcoin',
      published: false,
      locale: 'en',
      examples: ['can I pay with bitcoin?', 'Can I pay using Bitcoin'],
    });
    expect((await (await supervisor.call('GET', '/api/v1/bot/unanswered')).json()).groups).toEqual([]);
    // The same questions again: a conflict, and no second article.
    const again = await supervisor.call('POST', '/api/v1/bot/unanswered/articles', { questionIds: ids });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already has a draft article/);
    expect(await api.tc.store.articles.count()).toBe(2);
  });

  it('refuses bad input with a clear 400 and changes nothing', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/api/v1/bot/outcomes?days=0', undefined, /days: must be at least 1/],
      ['GET', '/api/v1/bot/outcomes?days=abc', undefined, /days/],
      ['GET', '/api/v1/bot/unanswered?days=365', undefined, /days: must be at most 90/],
      ['POST', '/api/v1/bot/unanswered/articles', { questionIds: [] }, /name at least one question/],
      ['POST', '/api/v1/bot/unanswered/articles', { questionIds: ['x'], extra: 1 }, /extra/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await supervisor.call(method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect((await res.json()).error.message).toMatch(message);
    }
    const missing = await supervisor.call('POST', '/api/v1/bot/unanswered/articles', {
      questionIds: ['nope'],
    });
    expect(missing.status).toBe(404);
    expect(await api.tc.store.articles.count()).toBe(2);
  });

  it('is for supervisors and admins only', async () => {
    for (const path of ['/api/v1/bot/outcomes', '/api/v1/bot/unanswered']) {
      const statuses = [
        (await api.call('GET', path)).status,
        (await agent.call('GET', path)).status,
        (await supervisor.call('GET', path)).status,
        (await admin.call('GET', path)).status,
      ];
      expect({ path, statuses }).toEqual({ path, statuses: [401, 403, 200, 200] });
    }
    const post = await agent.call('POST', '/api/v1/bot/unanswered/articles', { questionIds: ['x'] });
    expect(post.status).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/bot/outcomes',
        '/api/v1/bot/unanswered',
        '/api/v1/bot/unanswered/articles',
      ]),
    );
  });
});
