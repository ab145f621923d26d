import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/core/model.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Issue 14: the transcript download, the streamed exports and the retention setting, over HTTP. */
describe('transcripts, exports and retention over HTTP', () => {
  let api: Api;
  let admin: Caller;
  let supervisor: Caller;
  let ana: Caller;
  let bob: Caller;
  let conversationId: string;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.signIn('admin@example.com', 'admin');
    supervisor = await api.signIn('sue@example.com', 'supervisor');
    ana = await api.signIn('ana@example.com', 'agent', { presence: 'available' });
    bob = await api.signIn('bob@example.com', 'agent');
    await api.tc.connector.receive({
      text: 'I want to talk to a human please <script>alert(1)</script>',
      from: 'member-9',
      contact: { externalId: 'member-9', name: 'Eve <img src=x onerror=alert(2)>' },
      attachments: [{ url: 'javascript:alert(3)', name: 'evil "file".txt' }],
    });
    const [conversation] = await api.tc.store.conversations.list({ channel: 'test' });
    conversationId = conversation!.id;
    const [offer] = await api.tc.store.reservations.list({ conversationId, status: 'pending' });
    await ana.call('POST', `/api/v1/reservations/${offer!.id}/accept`);
    await ana.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'Hello, Ana here' });
  });
  afterAll(() => api.close());

  const transcript = (caller: Caller, format: string, id = conversationId) =>
    caller.call('GET', `/api/v1/conversations/${id}/transcript?format=${format}`);

  it('the transcript as JSON has the messages, the events and the case', async () => {
    const res = await transcript(ana, 'json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="conversation-.*\.json"/);
    const body = await res.json();
    expect(body.contact.name).toBe('Eve <img src=x onerror=alert(2)>');
    expect(body.case).toMatchObject({ status: expect.any(String), number: expect.any(Number) });
    const kinds = body.entries.map((e: { type: string; authorKind?: string; event?: string }) =>
      e.type === 'event' ? `event:${e.event}` : e.authorKind,
    );
    expect(kinds).toEqual(expect.arrayContaining(['event:created', 'event:assigned', 'contact', 'agent']));
    expect(kinds[0]).toBe('event:created');
    expect(body.entries.at(-1)).toMatchObject({
      authorKind: 'agent',
      authorName: 'ana',
      text: 'Hello, Ana here',
    });
  });

  it('the transcript as HTML is one self-contained file with every outside text escaped', async () => {
    const res = await transcript(ana, 'html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="conversation-.*\.html"/);
    const html = await res.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Eve &lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>/);
    // A `javascript:` link stays text; the name is escaped.
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('evil &quot;file&quot;.txt');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<link|src="http/);
  });

  it('the transcript follows who may see the conversation; bad input is a 4xx', async () => {
    expect((await transcript(bob, 'json')).status).toBe(403);
    expect((await transcript(supervisor, 'html')).status).toBe(200);
    expect((await transcript(ana, 'pdf')).status).toBe(400);
    expect((await transcript(admin, 'json', 'no-such-conversation')).status).toBe(404);
    expect((await api.call('GET', `/api/v1/conversations/${conversationId}/transcript`)).status).toBe(401);
  });

  describe('exports', () => {
    const created: Case[] = [];
    beforeAll(async () => {
      const subjects = [
        '=HYPERLINK("http://x")',
        'plain, with comma',
        'line\nbreak "quoted"',
        '+1',
        '-2',
        '@cmd',
      ];
      for (const [i, subject] of subjects.entries()) {
        api.tc.clock.advance(60_000);
        const res = await supervisor.call('POST', '/api/v1/cases', {
          kind: i % 2 === 0 ? 'bug' : 'support',
          subject,
        });
        created.push(await res.json());
      }
    });

    it('cases as CSV: the count first, quotes, commas, line breaks and formulas escaped', async () => {
      const from = created[0]!.createdAt;
      const res = await supervisor.call('GET', `/api/v1/exports/cases?format=csv&from=${from}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('x-total-count')).toBe('6');
      const text = await res.text();
      const lines = text.split('\r\n');
      expect(lines[0]).toBe(
        'number,id,kind,status,priority,subject,contactId,assigneeId,tags,rating,votes,createdAt,updatedAt',
      );
      expect(text).toContain(`,"'=HYPERLINK(""http://x"")",`);
      expect(text).toContain(',"plain, with comma",');
      expect(text).toContain(',"line\nbreak ""quoted""",');
      expect(text).toContain(",'+1,");
      expect(text).toContain(",'-2,");
      expect(text).toContain(",'@cmd,");
      // Six records and the header, each ended by CRLF.
      expect(text.endsWith('\r\n')).toBe(true);
      expect(lines.filter((l) => /^\d+,/.test(l))).toHaveLength(6);
    });

    it('cases as JSON, filtered by kind and status, oldest first', async () => {
      const from = created[0]!.createdAt;
      const res = await admin.call(
        'GET',
        `/api/v1/exports/cases?format=json&from=${from}&kind=bug&status=new`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe('3');
      const rows = await res.json();
      expect(rows.map((r: { subject: string }) => r.subject)).toEqual([
        '=HYPERLINK("http://x")',
        'line\nbreak "quoted"',
        '-2',
      ]);
    });

    it('conversations filtered by channel and state, and a date range that selects nothing', async () => {
      const res = await supervisor.call(
        'GET',
        '/api/v1/exports/conversations?format=json&channel=test&state=assigned',
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe('1');
      expect((await res.json()).map((c: { id: string }) => c.id)).toEqual([conversationId]);
      const none = await supervisor.call(
        'GET',
        '/api/v1/exports/conversations?from=2020-01-01&to=2020-01-02',
      );
      expect(none.headers.get('x-total-count')).toBe('0');
      expect((await none.text()).split('\r\n').filter(Boolean)).toHaveLength(1);
    });

    it('only supervisors and admins export; bad filters are a 400', async () => {
      expect((await ana.call('GET', '/api/v1/exports/cases')).status).toBe(403);
      expect((await api.call('GET', '/api/v1/exports/cases')).status).toBe(401);
      for (const query of [
        'status=nope',
        'format=xml',
        'from=yesterday',
        'from=2026-03-02&to=2026-03-01',
        'state=open',
        'extra=1',
      ]) {
        const res = await supervisor.call('GET', `/api/v1/exports/cases?${query}`);
        expect(res.status, query).toBe(400);
        expect((await res.json()).error.message).toBeTruthy();
      }
      expect((await supervisor.call('GET', '/api/v1/exports/conversations?state=pending')).status).toBe(400);
    });
  });

  it('the retention setting: off by default, admins only, bad input changes nothing', async () => {
    const read = async () => (await admin.call('GET', '/api/v1/settings/retention')).json();
    expect(await read()).toEqual({ enabled: false, days: 365 });
    expect((await supervisor.call('GET', '/api/v1/settings/retention')).status).toBe(403);
    expect(
      (await supervisor.call('PUT', '/api/v1/settings/retention', { enabled: true, days: 30 })).status,
    ).toBe(403);
    for (const body of [
      { enabled: true, days: 0 },
      { enabled: true, days: 1.5 },
      { enabled: 'yes', days: 30 },
      { days: 30 },
    ]) {
      expect((await admin.call('PUT', '/api/v1/settings/retention', body)).status).toBe(400);
    }
    expect(await read()).toEqual({ enabled: false, days: 365 });
    const saved = await admin.call('PUT', '/api/v1/settings/retention', { enabled: true, days: 30 });
    expect(saved.status).toBe(200);
    expect(await read()).toEqual({ enabled: true, days: 30 });
  });

  it('the new routes are in the OpenAPI document', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    for (const path of [
      '/api/v1/conversations/{id}/transcript',
      '/api/v1/exports/cases',
      '/api/v1/exports/conversations',
      '/api/v1/settings/retention',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
