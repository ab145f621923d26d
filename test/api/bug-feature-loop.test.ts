import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/core/model.ts';
import { type AnnouncementWorld, startAnnouncementWorld } from '../e2e/announcements-harness.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

const member = (id: string) => ({ kind: 'contact', id }) as const;

/** Merging duplicates, feature stages and the vote sort through the cases API: roles and bad input. */
describe('cases API: merge, stage, sort by votes', () => {
  let api: Api;
  let agent: Caller;
  let lead: Caller;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    lead = await api.signIn('lead@example.com', 'supervisor');
  });
  afterAll(() => api?.close());

  async function feature(subject: string, voters: string[]): Promise<Case> {
    const kase = await api.tc.center.cases.create({ kind: 'feature', subject, contactId: null }, member('x'));
    for (const voter of voters) await api.tc.center.cases.vote(kase.id, voter, member(voter));
    return api.tc.center.cases.get(kase.id);
  }

  it('lists feature requests most voted first with sort=votes', async () => {
    const few = await feature('Few want it', ['v1']);
    const many = await feature('Many want it', ['v1', 'v2', 'v3']);
    const none = await feature('Nobody yet', []);
    const res = await agent.call('GET', '/api/v1/cases?kind=feature&sort=votes');
    expect(res.status).toBe(200);
    const ids = ((await res.json()).cases as Case[]).map((c) => c.id);
    expect(ids.indexOf(many.id)).toBeLessThan(ids.indexOf(few.id));
    expect(ids.indexOf(few.id)).toBeLessThan(ids.indexOf(none.id));
    expect((await agent.call('GET', '/api/v1/cases?sort=loudest')).status).toBe(400);
  });

  it('merges for supervisors only, refuses bad input clearly, and changes nothing then', async () => {
    const original = await feature('Dark mode', ['v1', 'v2']);
    const duplicate = await feature('Night theme', ['v2', 'v3']);
    const bug = await api.tc.center.cases.create({ kind: 'bug', subject: 'Crash' }, member('x'));
    const refused: [Caller, unknown, string, number][] = [
      [agent, { into: String(original.number) }, String(duplicate.number), 403],
      [lead, {}, String(duplicate.number), 400],
      [lead, { into: 'not a case' }, String(duplicate.number), 400],
      [lead, { into: String(original.number), extra: 1 }, String(duplicate.number), 400],
      [lead, { into: '999999' }, String(duplicate.number), 404],
      [lead, { into: String(duplicate.number) }, String(duplicate.number), 400],
      [lead, { into: String(bug.number) }, String(duplicate.number), 400],
    ];
    for (const [caller, body, id, status] of refused) {
      const res = await caller.call('POST', `/api/v1/cases/${id}/merge`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error.message).toBeTruthy();
    }
    expect(await api.tc.center.cases.get(original.id)).toEqual(original);
    expect(await api.tc.center.cases.get(duplicate.id)).toEqual(duplicate);

    const res = await lead.call('POST', `/api/v1/cases/%23${duplicate.number}/merge`, {
      into: `#${original.number}`,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.carried).toBe(1);
    expect(body.original).toMatchObject({ id: original.id, votes: 3 });
    expect(body.duplicate).toMatchObject({
      status: 'closed',
      fields: { duplicateOf: String(original.number) },
    });
    // Merged once: a second merge is a conflict.
    const again = await lead.call('POST', `/api/v1/cases/${duplicate.number}/merge`, { into: original.id });
    expect(again.status).toBe(409);
    const { timeline } = await (await agent.call('GET', `/api/v1/cases/${original.number}`)).json();
    expect(timeline.at(-1)).toMatchObject({ type: 'merged', data: { from: duplicate.id } });
  });

  it("sets a feature request's stage (and its status); refuses a stage on a bug or an unknown stage", async () => {
    const request = await feature('Export as CSV', []);
    const bug = await api.tc.center.cases.create({ kind: 'bug', subject: 'Slow' }, member('x'));
    const onBug = await agent.call('PATCH', `/api/v1/cases/${bug.number}`, { stage: 'planned' });
    expect(onBug.status).toBe(400);
    expect((await onBug.json()).error.message).toMatch(/only feature requests have a stage/);
    const unknown = await agent.call('PATCH', `/api/v1/cases/${request.number}`, { stage: 'someday' });
    expect(unknown.status).toBe(400);
    expect(await api.tc.center.cases.get(request.id)).toEqual(request);
    expect(await api.tc.center.cases.get(bug.id)).toEqual(bug);
    const declined = await agent.call('PATCH', `/api/v1/cases/${request.number}`, { stage: 'declined' });
    expect(declined.status).toBe(200);
    expect(await declined.json()).toMatchObject({ status: 'closed', fields: { stage: 'declined' } });
  });
});

/** Linking cases to an announcement (a release note): admins only, bad input refused, fixed once posted. */
describe('announcements API: release notes', () => {
  let w: AnnouncementWorld;
  beforeAll(async () => {
    // No scheduler ticks: the test decides when announcements go out.
    w = await startAnnouncementWorld({ tickMs: 3_600_000 });
  });
  afterAll(() => w?.close());

  const later = () => new Date(Date.now() + 3_600_000).toISOString();

  it('links bug reports and feature requests to a scheduled note; refuses others, agents and posted notes', async () => {
    const center = w.switchboard.center;
    const bug = await center.cases.create({ kind: 'bug', subject: 'Crash' }, member('x'));
    const request = await center.cases.create({ kind: 'feature', subject: 'Dark mode' }, member('x'));
    const support = await center.cases.create({ kind: 'support', subject: 'Refund' }, member('x'));
    const compose = (cases: unknown) =>
      w.admin('POST', '/api/v1/announcements/posts', {
        guildId: w.guild.id,
        title: 'Version 3',
        scheduledAt: later(),
        cases,
      });
    for (const [cases, pattern] of [
      [[support.number], /support case/],
      [[999_999], /no case #999999/],
      [['#1'], /cases/],
      [bug.number, /cases/],
    ] as const) {
      const res = await compose(cases);
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(pattern);
    }
    expect(await w.switchboard.announcements.list()).toEqual([]);

    const created = await compose([bug.number]);
    expect(created.status).toBe(201);
    const note = await created.json();
    const path = `/api/v1/announcements/posts/${note.id}/cases`;
    const agentRole = await center.agents.create({
      email: 'agent@example.com',
      name: 'Agent',
      role: 'agent',
      password: 'agent-password-42',
    });
    const login = await fetch(`${w.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: agentRole.email, password: 'agent-password-42' }),
    });
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const asAgent = await fetch(`${w.base}${path}`, {
      method: 'PUT',
      headers: { cookie, 'x-switchboard-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ cases: [request.number] }),
    });
    expect(asAgent.status).toBe(403);
    expect((await w.admin('PUT', path, { cases: [support.number] })).status).toBe(400);
    expect((await w.admin('PUT', path, { numbers: [request.number] })).status).toBe(400);
    expect((await w.admin('PUT', '/api/v1/announcements/posts/nope/cases', { cases: [] })).status).toBe(404);
    const listed = async () =>
      (
        (await (await w.admin('GET', '/api/v1/announcements/posts')).json()).announcements as {
          cases: number[];
        }[]
      )[0]?.cases;
    expect(await listed()).toEqual([bug.number]);

    const linked = await w.admin('PUT', path, { cases: [request.number, bug.number] });
    expect(linked.status).toBe(200);
    expect((await linked.json()).cases).toEqual([request.number, bug.number]);
    expect(await listed()).toEqual([request.number, bug.number]);

    // Once it is no longer scheduled (posted, or cancelled as here), its cases are fixed: 409, nothing changes.
    await w.admin('POST', `/api/v1/announcements/posts/${note.id}/cancel`);
    const late = await w.admin('PUT', path, { cases: [] });
    expect(late.status).toBe(409);
    expect(await listed()).toEqual([request.number, bug.number]);
  });
});
