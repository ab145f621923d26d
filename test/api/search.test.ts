import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/core/model.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** `GET /api/v1/search`: one query across kinds, filters, the agents' conversation rule, and bad input. */
describe('search API', () => {
  let api: Api;
  let agent: Caller;
  let colleague: Caller;
  let supervisor: Caller;
  let mine: Conversation;
  let theirs: Conversation;
  let caseId: string;
  let articleId: string;

  const conversation = async (over: Partial<Conversation>, text: string): Promise<Conversation> => {
    const store = api.tc.store;
    const contactId = `contact-${Math.random().toString(36).slice(2)}`;
    await store.contacts.create({
      id: contactId,
      name: 'Huda Karim',
      avatarUrl: null,
      locale: 'ar',
      identities: [{ channel: 'sms', externalId: `+9665${Math.floor(Math.random() * 1e8)}` }],
      createdAt: '2026-03-01T08:00:00.000Z',
    });
    const c: Conversation = {
      id: `conv-${Math.random().toString(36).slice(2)}`,
      contactId,
      channel: 'sms',
      state: 'assigned',
      address: {},
      queueId: null,
      agentId: null,
      caseId: null,
      language: null,
      wrapUpNote: null,
      queuedAt: null,
      assignedAt: null,
      firstAgentReplyAt: null,
      closedAt: null,
      createdAt: '2026-03-01T08:00:00.000Z',
      updatedAt: '2026-03-01T08:00:00.000Z',
      ...over,
    };
    await store.conversations.create(c);
    await store.messages.insert(
      {
        id: `msg-${c.id}`,
        conversationId: c.id,
        authorKind: 'contact',
        authorId: null,
        text,
        attachments: [],
        articles: [],
        externalId: null,
        createdAt: '2026-03-01T08:30:00.000Z',
      },
      'sms',
    );
    return c;
  };

  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    colleague = await api.signIn('colleague@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    mine = await conversation({ agentId: agent.agent.id }, 'My warranty card is lost');
    theirs = await conversation({ agentId: colleague.agent.id }, 'بطاقة الضمان ضاعت، هل يمكن استبدالها؟');
    const created = await agent.call('POST', '/api/v1/cases', { kind: 'support', subject: 'Warranty claim' });
    expect(created.status).toBe(201);
    caseId = (await created.json()).id;
    expect((await agent.call('POST', `/api/v1/cases/${caseId}/notes`, { text: 'ضمان سنتين' })).status).toBe(
      201,
    );
    const article = await supervisor.call('POST', '/api/v1/articles', {
      title: 'Warranty terms',
      body: 'Every device carries a two-year warranty.',
    });
    expect(article.status).toBe(201);
    articleId = (await article.json()).id;
  });
  afterAll(async () => api.close());

  const search = async (who: Caller, query: string) => {
    const res = await who.call('GET', `/api/v1/search?${query}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as {
      terms: string[];
      results: Array<{ kind: string; id: string; source: string }>;
    };
  };

  it('finds each kind written through the API and the channels, grouped by kind', async () => {
    const { results } = await search(supervisor, 'q=warranty');
    expect(results.map((r) => [r.kind, r.id])).toEqual([
      ['conversation', mine.id],
      ['case', caseId],
      ['article', articleId],
    ]);
    // Arabic typed without hamza and with ه for ة, the note found by its text.
    const arabic = await search(supervisor, `q=${encodeURIComponent('بطاقه الضمان')}`);
    expect(arabic.results.map((r) => r.id)).toEqual([theirs.id]);
    expect((await search(supervisor, `q=${encodeURIComponent('الضمان')}&kind=case`)).results).toEqual([
      expect.objectContaining({ kind: 'case', id: caseId, source: 'note' }),
    ]);
  });

  it("keeps other agents' conversations from an agent, as the conversation routes do", async () => {
    const query = `q=${encodeURIComponent('الضمان')}&kind=conversation`;
    expect((await search(agent, query)).results).toEqual([]);
    expect((await search(colleague, query)).results.map((r) => r.id)).toEqual([theirs.id]);
    expect((await search(supervisor, query)).results.map((r) => r.id)).toEqual([theirs.id]);
    // An agent who asks for a colleague's conversations by filter still gets none.
    expect((await search(agent, `${query}&agentId=${colleague.agent.id}`)).results).toEqual([]);
    expect((await search(agent, 'q=warranty&agentId=me&kind=conversation')).results.map((r) => r.id)).toEqual(
      [mine.id],
    );
  });

  it('filters by state, channel and date', async () => {
    expect((await search(supervisor, 'q=warranty&state=new')).results.map((r) => r.kind)).toEqual(['case']);
    expect((await search(supervisor, 'q=warranty&channel=discord')).results).toEqual([]);
    expect((await search(supervisor, 'q=warranty&kind=conversation&from=2026-03-02')).results).toEqual([]);
    expect(
      (await search(supervisor, 'q=warranty&kind=conversation&from=2026-03-01&to=2026-03-01T09:00:00Z'))
        .results,
    ).toHaveLength(1);
  });

  it('answers 400 with a message for bad input, and 401 without a session', async () => {
    const bad: [string, RegExp][] = [
      ['', /q/],
      ['q=', /q must not be empty/],
      ['q=%20%2B%2B%20', /no letters or digits/],
      ['q=a&kind=tickets', /kind must be one of/],
      ['q=a&state=lost', /state must be one of/],
      ['q=a&from=yesterday', /date such as 2026-03-01/],
      ['q=a&from=2026-03-02&to=2026-03-01', /from must be before to/],
      ['q=a&limit=500', /limit/],
      ['q=a&sort=new', /sort/],
      [`q=${'a'.repeat(201)}`, /q/],
    ];
    for (const [query, message] of bad) {
      const res = await agent.call('GET', `/api/v1/search?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.message, query).toMatch(message);
    }
    expect((await api.call('GET', '/api/v1/search?q=warranty')).status).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    expect(doc.paths['/api/v1/search'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'kind', 'channel', 'state', 'queueId', 'agentId', 'from', 'to', 'limit']),
    );
  });
});
