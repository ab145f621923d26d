import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { MemberContextInput } from '../contacts/member-context.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

const withRoles = (...names: string[]): MemberContextInput => ({
  server: { id: '700', name: 'Acme' },
  roles: names.map((name, i) => ({ id: `80${i}`, name })),
  joinedAt: null,
  boostingSince: null,
  accountCreatedAt: null,
  requestChannel: null,
});

/** The member asks for a person with the default flow; returns their conversation and its case. */
async function handOff(from: string, member?: MemberContextInput) {
  await t.connector.receive({
    from,
    text: 'I want a human',
    action: 'handoff',
    ...(member ? { member } : {}),
  });
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return { conversation: conversation!, kase: (await t.store.cases.get(conversation!.caseId!))! };
}

describe('role routes (a community role → a queue and a priority)', () => {
  it('a VIP member waits in the priority queue with a high-priority case; others in the hand-off queue', async () => {
    const priority = await t.center.queues.create({ name: 'priority' });
    const partners = await t.center.queues.create({ name: 'partners', skills: ['partner'] });
    await t.center.roleRoutes.replace([
      { role: 'vip', queueId: priority.id, priority: 'high' },
      { role: 'Partner', queueId: partners.id, priority: null },
    ]);
    const regular = await handOff('regular', withRoles('Member'));
    t.clock.advance(1_000);
    const vip = await handOff('vip', withRoles('Member', 'VIP'));
    const partner = await handOff('partner', withRoles('Partner'));
    const web = await handOff('web');

    expect(vip.conversation.queueId).toBe(priority.id);
    expect(vip.kase.priority).toBe('high');
    expect(partner.conversation.queueId).toBe(partners.id);
    expect(partner.kase.priority).toBe('normal');
    const support = await t.center.queues.get('support');
    expect(regular.conversation.queueId).toBe(support.id);
    expect(regular.kase.priority).toBe('normal');
    expect(web.conversation.queueId).toBe(support.id);
  });

  it('a priority-only route puts the member ahead of older ones in the same queue', async () => {
    await t.center.roleRoutes.replace([{ role: 'Booster', queueId: null, priority: 'urgent' }]);
    const older = await handOff('older', withRoles('Member'));
    t.clock.advance(1_000);
    const booster = await handOff('booster', withRoles('Booster'));
    expect(booster.conversation.queueId).toBe(older.conversation.queueId);
    expect(booster.kase.priority).toBe('urgent');
    expect(await t.center.router.queuePosition(booster.conversation.id)).toBe(1);
    expect(await t.center.router.queuePosition(older.conversation.id)).toBe(2);
    const agent = await t.agent('a@example.com', { presence: 'available', capacity: 1 });
    const offers = await t.store.reservations.list({ agentId: agent.id, status: 'pending' });
    expect(offers.map((r) => r.conversationId)).toEqual([booster.conversation.id]);
  });

  it('refuses routes to unknown queues, routes to nowhere and a role mapped twice, keeping the stored list', async () => {
    const priority = await t.center.queues.create({ name: 'priority' });
    await t.center.roleRoutes.replace([{ role: 'VIP', queueId: priority.id, priority: null }]);
    for (const routes of [
      [{ role: 'VIP', queueId: 'no-such-queue', priority: null }],
      [{ role: 'VIP', queueId: null, priority: null }],
      [
        { role: 'VIP', queueId: priority.id, priority: null },
        { role: 'vip', queueId: null, priority: 'high' as const },
      ],
      [{ role: '  ', queueId: priority.id, priority: null }],
    ])
      await expect(t.center.roleRoutes.replace(routes)).rejects.toMatchObject({ kind: 'invalid' });
    expect(await t.center.roleRoutes.list()).toEqual([{ role: 'VIP', queueId: priority.id, priority: null }]);
  });
});
