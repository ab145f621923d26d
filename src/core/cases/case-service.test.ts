import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

const system = { kind: 'system', id: null } as const;

describe('cases', () => {
  it('numbers cases from #1001, increasing and unique under concurrent creation', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.center.cases.create({ kind: 'bug', subject: `Crash ${i}` }, system),
      ),
    );
    const numbers = created.map((c) => c.number).sort((a, b) => a - b);
    expect(numbers[0]).toBe(1001);
    expect(new Set(numbers).size).toBe(40);
    expect(numbers.at(-1)).toBe(1040);
  });

  it('keeps a timeline of every change: who, what, when', async () => {
    const agent = await t.agent('lead@example.com', { role: 'supervisor' });
    const kase = await t.center.cases.create(
      { kind: 'bug', subject: 'App crashes on login', fields: { steps: '1. open app', platform: 'iOS 18' } },
      { kind: 'contact', id: 'someone' },
    );
    expect(kase).toMatchObject({
      status: 'new',
      priority: 'normal',
      fields: { steps: '1. open app', platform: 'iOS 18' },
    });
    const actor = { kind: 'agent', id: agent.id } as const;
    t.clock.advance(60_000);
    await t.center.cases.update(
      kase.id,
      { status: 'open', priority: 'high', tags: ['Login', 'ios'], assigneeId: agent.id },
      actor,
    );
    await t.center.cases.addNote(kase.id, 'Reproduced on iPhone 15', actor);
    await t.center.cases.update(kase.id, { status: 'open' }, actor);
    const { case: updated, timeline } = await t.center.cases.detail(kase.id);
    expect(updated).toMatchObject({
      status: 'open',
      priority: 'high',
      tags: ['ios', 'login'],
      assigneeId: agent.id,
    });
    expect(timeline.map((e) => e.type)).toEqual([
      'created',
      'status',
      'priority',
      'assignee',
      'tags',
      'note',
    ]);
    expect(timeline[1]).toMatchObject({
      actor,
      data: { from: 'new', to: 'open' },
      at: '2026-03-01T09:01:00.000Z',
    });
    expect(timeline[5]!.data).toMatchObject({ text: 'Reproduced on iPhone 15', internal: true });
  });

  it('filters the case list by kind, status, assignee and text', async () => {
    const a = await t.center.cases.create({ kind: 'bug', subject: 'Voice chat drops' }, system);
    await t.center.cases.create({ kind: 'feature', subject: 'Dark mode' }, system);
    const agent = await t.agent('x@example.com');
    await t.center.cases.update(a.id, { assigneeId: agent.id, status: 'pending' }, system);
    expect((await t.center.cases.list({ kind: 'feature' })).map((c) => c.subject)).toEqual(['Dark mode']);
    expect((await t.center.cases.list({ status: 'pending' })).map((c) => c.id)).toEqual([a.id]);
    expect((await t.center.cases.list({ assigneeId: agent.id })).map((c) => c.id)).toEqual([a.id]);
    expect((await t.center.cases.list({ text: 'VOICE' })).map((c) => c.id)).toEqual([a.id]);
    expect((await t.center.cases.list({ text: `#${a.number}` })).map((c) => c.id)).toEqual([a.id]);
  });

  it('counts one vote per member', async () => {
    const kase = await t.center.cases.create({ kind: 'feature', subject: 'Dark mode' }, system);
    const voter = { kind: 'contact', id: 'c1' } as const;
    expect((await t.center.cases.vote(kase.id, 'discord:1', voter)).counted).toBe(true);
    expect((await t.center.cases.vote(kase.id, 'discord:1', voter)).counted).toBe(false);
    const { case: after } = await t.center.cases.vote(kase.id, 'discord:2', voter);
    expect(after.votes).toBe(2);
  });

  it('rejects a case without a subject and an unknown assignee, changing nothing', async () => {
    await expect(t.center.cases.create({ kind: 'bug', subject: '  ' }, system)).rejects.toMatchObject({
      kind: 'invalid',
    });
    const kase = await t.center.cases.create({ kind: 'bug', subject: 'x' }, system);
    await expect(
      t.center.cases.update(kase.id, { assigneeId: 'nobody', status: 'open' }, system),
    ).rejects.toMatchObject({
      kind: 'not_found',
    });
    expect((await t.center.cases.get(kase.id)).status).toBe('new');
  });

  it("remembers who opened a case: the contact, an agent, or the bot on the contact's behalf", async () => {
    await t.connector.receive({ from: 'm1', text: 'Talk to a person', action: 'handoff' });
    const contact = await t.store.contacts.findByIdentity('test', 'm1');
    const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
    const handedOff = await t.center.cases.get(conversation!.caseId!);
    expect(handedOff.openedBy).toEqual({ kind: 'bot', id: contact!.id });

    const agent = await t.agent('opener@example.com');
    const byContact = await t.center.cases.create(
      { kind: 'bug', subject: 'Crash', contactId: contact!.id },
      { kind: 'contact', id: contact!.id },
    );
    const byAgent = await t.center.cases.create(
      { kind: 'support', subject: 'Called in', contactId: contact!.id },
      { kind: 'agent', id: agent.id },
    );
    expect(byContact.openedBy).toEqual({ kind: 'contact', id: contact!.id });
    expect((await t.center.cases.get(byAgent.id)).openedBy).toEqual({ kind: 'agent', id: agent.id });
  });

  it("titles a support case with the contact's last question before the hand-off", async () => {
    await t.connector.receive({ from: 'm2', text: 'hello' });
    await t.connector.receive({ from: 'm2', text: 'How do I change my username?' });
    await t.connector.receive({ from: 'm2', text: 'The rename button is greyed out on my profile' });
    await t.connector.receive({ from: 'm2', text: 'thanks' });
    await t.connector.receive({ from: 'm2', text: 'Talk to a person', action: 'handoff' });
    const contact = await t.store.contacts.findByIdentity('test', 'm2');
    const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
    expect((await t.center.cases.get(conversation!.caseId!)).subject).toBe(
      'The rename button is greyed out on my profile',
    );
  });

  it("keeps the link of the case's public post and tells desktops", async () => {
    const kase = await t.center.cases.create({ kind: 'bug', subject: 'Crash' }, system);
    const seen: string[] = [];
    t.bus.subscribe((event) => {
      if (event.type === 'case.updated') seen.push(event.case.postUrl ?? '');
    });
    const url = 'https://discord.com/channels/1/2/3';
    await t.center.cases.recordPost(kase.id, url);
    expect((await t.center.cases.get(kase.id)).postUrl).toBe(url);
    expect(seen).toEqual([url]);
  });
});
