import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** The composer's knowledge-base search: the same index the virtual agent answers from. */
describe('GET /api/v1/articles/search', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    const articles = [
      {
        title: 'Getting a refund',
        body: 'To get a refund, open Billing and choose the order. Refunds reach your card in 5 to 7 days.',
      },
      { title: 'Resetting your password', body: 'Open Settings, then Security, and choose Reset password.' },
      { title: 'استرداد المبلغ', body: 'لطلب استرداد المبلغ افتح صفحة الفواتير.', locale: 'ar' },
      { title: 'Refund draft', body: 'Internal notes about refunds.', published: false },
    ];
    for (const article of articles)
      expect((await supervisor.call('POST', '/api/v1/articles', article)).status).toBe(201);
  });
  afterAll(async () => api.close());

  const search = async (query: string) => {
    const res = await agent.call('GET', `/api/v1/articles/search?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()).results as { article: { title: string }; excerpt: string; score: number }[];
  };

  it('finds published articles best first, with an excerpt, typos and Arabic included', async () => {
    const refund = await search('q=refund');
    expect(refund[0]?.article.title).toBe('Getting a refund');
    // Drafts are not offered to agents (nor to the virtual agent).
    expect(refund.map((r) => r.article.title)).not.toContain('Refund draft');
    expect(refund[0]?.excerpt).toMatch(/refund/i);
    expect(refund[0]?.score).toBeGreaterThan(0);
    expect((await search('q=pasword%20reset'))[0]?.article.title).toBe('Resetting your password');
    expect((await search(`q=${encodeURIComponent('استرداد')}`))[0]?.article.title).toBe('استرداد المبلغ');
    expect(await search('q=open&limit=1')).toHaveLength(1);
  });

  it('needs a signed-in agent', async () => {
    expect((await api.call('GET', '/api/v1/articles/search?q=refund')).status).toBe(401);
  });

  it('refuses a missing query or a bad limit with a clear 400', async () => {
    for (const [query, message] of [
      ['', /query\.q/],
      ['q=%20%20', /query\.q: say what to search for/],
      ['q=refund&limit=0', /query\.limit/],
      ['q=refund&limit=many', /query\.limit/],
    ] as const) {
      const res = await agent.call('GET', `/api/v1/articles/search?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await res.json()).error.message).toMatch(message);
    }
  });
});
