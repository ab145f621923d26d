import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { MemberContextInput } from '../contacts/member-context.ts';
import type { FlowCondition } from './flow-definition.ts';

let t: TestCenter;
beforeEach(async () => {
  // ManualClock: 2026-03-01T09:00:00Z.
  t = await createTestCenter();
});
afterEach(() => t.close());

const member = (over: Partial<MemberContextInput> = {}): MemberContextInput => ({
  server: { id: '700', name: 'Acme EU' },
  roles: [{ id: '801', name: 'VIP' }],
  joinedAt: '2024-01-01T00:00:00.000Z',
  boostingSince: null,
  accountCreatedAt: '2020-05-01T00:00:00.000Z',
  requestChannel: { id: '901', name: 'help-desk' },
  ...over,
});

/** A flow that says which condition held first (each branch answers its own name). */
async function saveSplit(conditions: Array<Omit<FlowCondition, 'next'>>): Promise<void> {
  const names = conditions.map((_, i) => `branch-${i}`);
  await t.center.flows.saveActive({
    name: 'By member',
    definition: {
      initial: 'start',
      states: [
        { name: 'start', type: 'trigger', next: 'split' },
        {
          name: 'split',
          type: 'split',
          conditions: conditions.map((c, i) => ({ ...c, next: names[i]! })),
          otherwise: 'otherwise',
        },
        ...names.map((name) => ({ name, type: 'send-message' as const, text: name })),
        { name: 'otherwise', type: 'send-message', text: 'otherwise' },
      ],
    },
  });
}

async function answerTo(from: string, context?: MemberContextInput): Promise<string | undefined> {
  await t.connector.receive({ from, text: 'hello', ...(context ? { member: context } : {}) });
  await t.center.dispatcher.tick();
  return t.connector.textsTo(from).at(-1);
}

describe('flow conditions on the member’s community context', () => {
  it('roles contain a role by name in any case, or by id; a member without it goes on', async () => {
    await saveSplit([
      { subject: 'member.roles', operator: 'contains', value: 'vip' },
      { subject: 'member.roles', operator: 'contains', value: '802' },
    ]);
    expect(await answerTo('a', member())).toBe('branch-0');
    expect(await answerTo('b', member({ roles: [{ id: '802', name: 'Partner' }] }))).toBe('branch-1');
    expect(await answerTo('c', member({ roles: [] }))).toBe('otherwise');
    // A channel that tells nothing of communities (web chat): no member condition holds.
    expect(await answerTo('d')).toBe('otherwise');
  });

  it('boosting, account age and time in the server, in whole days', async () => {
    await saveSplit([
      { subject: 'member.boosting', operator: 'equals', value: 'true' },
      { subject: 'member.accountAgeDays', operator: 'less_than', value: 7 },
      { subject: 'member.joinedDays', operator: 'greater_than', value: 365 },
    ]);
    expect(await answerTo('booster', member({ boostingSince: '2026-02-01T00:00:00.000Z' }))).toBe('branch-0');
    // Created two days before the clock's now: a new account.
    expect(await answerTo('fresh', member({ accountCreatedAt: '2026-02-27T09:00:00.000Z' }))).toBe(
      'branch-1',
    );
    expect(await answerTo('veteran', member())).toBe('branch-2');
    expect(await answerTo('newcomer', member({ joinedAt: '2026-02-20T00:00:00.000Z' }))).toBe('otherwise');
  });

  it('the server and the request’s channel match by name or id; a DM keeps the channel of the request', async () => {
    await saveSplit([
      { subject: 'member.server', operator: 'equals', value: 'acme eu' },
      { subject: 'request.channel', operator: 'equals', value: '905' },
    ]);
    expect(await answerTo('eu', member())).toBe('branch-0');
    const us = member({
      server: { id: '701', name: 'Acme US' },
      requestChannel: { id: '905', name: 'vip-help' },
    });
    expect(await answerTo('us', us)).toBe('branch-1');
    // The member's next message is a DM: it names no channel, the request's is kept.
    expect(await answerTo('us', { ...us, requestChannel: null })).toBe('branch-1');
    expect(await answerTo('other', member({ server: { id: '702', name: 'Acme AR' } }))).toBe('otherwise');
  });

  it('the contact keeps one context per server, the latest first, as the member was when they wrote', async () => {
    await answerTo('m', member());
    await answerTo('m', member({ server: { id: '701', name: 'Acme US' }, roles: [] }));
    await answerTo('m', member({ roles: [{ id: '803', name: 'Moderator' }] }));
    const contact = await t.store.contacts.findByIdentity('test', 'm');
    const contexts = await t.center.contacts.memberContexts(contact!.id);
    expect(contexts.map((c) => [c.server.name, c.roles.map((r) => r.name)])).toEqual([
      ['Acme EU', ['Moderator']],
      ['Acme US', []],
    ]);
    expect(contexts[0]).toMatchObject({ channel: 'test', requestChannel: { name: 'help-desk' } });
  });
});
