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
    expect(await t.center.roleRoutes.list()).toEqual([
      { role: 'VIP', queueId: priority.id, priority: null, skill: null },
    ]);
  });

  it('a skill route offers the member only to agents with the skill, and others are not held up behind them', async () => {
    const generalist = await t.agent('general@example.com', { presence: 'available', capacity: 2 });
    // Away for now: the partner waits for them.
    const partnerAgent = await t.agent('partners@example.com', { capacity: 2, skills: ['partner'] });
    await t.center.roleRoutes.replace([
      { role: 'Partner', queueId: null, priority: 'urgent', skill: ' Partner ' },
    ]);
    expect((await t.center.roleRoutes.list())[0]?.skill).toBe('partner');
    const partner = await handOff('partner', withRoles('Partner'));
    const regular = await handOff('regular', withRoles('Member'));
    // The partner is first in line, but the only agent lacks the skill: the regular member is offered.
    expect(partner.conversation.requiredSkill).toBe('partner');
    const offered = async (agentId: string) =>
      (await t.store.reservations.list({ agentId, status: 'pending' })).map((r) => r.conversationId);
    expect(await offered(generalist.id)).toEqual([regular.conversation.id]);
    expect(await offered(partnerAgent.id)).toEqual([]);
    t.clock.advance(1_000);
    await t.center.agents.setPresence(partnerAgent.id, 'available');
    expect(await offered(partnerAgent.id)).toEqual([partner.conversation.id]);
    // The generalist still has room, and was idle longer, but is not offered the partner.
    expect(await offered(generalist.id)).toEqual([regular.conversation.id]);
  });

  it('refuses a skill that no agent or queue has, or an empty one, keeping the stored list', async () => {
    await t.agent('p@example.com', { skills: ['partner'] });
    await t.center.roleRoutes.replace([{ role: 'Partner', queueId: null, priority: null, skill: 'partner' }]);
    for (const skill of ['reseller', '   '])
      await expect(
        t.center.roleRoutes.replace([{ role: 'Partner', queueId: null, priority: null, skill }]),
      ).rejects.toMatchObject({ kind: 'invalid' });
    expect(await t.center.roleRoutes.list()).toEqual([
      { role: 'Partner', queueId: null, priority: null, skill: 'partner' },
    ]);
  });
});
