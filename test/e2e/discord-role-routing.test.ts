import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/api-session.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { ADMIN_PASSWORD, type DiscordWorld, eventually, startDiscordWorld } from './discord-harness.ts';

/**
 * Issue 15, routing by Discord context: an admin maps the `VIP` role to the priority queue with high
 * priority; a VIP member's hand-off (by `/agent` in a channel, or in a DM) waits there and is offered
 * first, a member without the role waits in the hand-off queue; the member's roles, server and join date
 * reach the contact. A `Partner` role mapped to the `partner` skill is offered only to the partner agent.
 */
describe('Discord: a role-based route', () => {
  let w: DiscordWorld;
  beforeAll(async () => {
    w = await startDiscordWorld();
  });
  afterAll(() => w?.close());

  async function conversationOf(user: ApiUser) {
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', user.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    return { contact: contact!, conversation: conversation! };
  }

  const caseOpened = (user: ApiUser) =>
    w.waitForDms(user, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');

  it('a VIP member waits in the priority queue, ahead; a member without the role in the hand-off queue', async () => {
    const admin = await signIn(w.base, 'admin@localhost', ADMIN_PASSWORD);
    const created = await admin.call('POST', '/api/v1/queues', { name: 'priority' });
    expect(created.status).toBe(201);
    const priorityQueue = created.body.id as string;
    const vipRole = w.discord.createRole(w.guild, { name: 'VIP' });
    const routes = [{ role: 'VIP', queueId: priorityQueue, priority: 'high' }];
    expect((await admin.call('PUT', '/api/v1/routing/role-routes', { routes })).status).toBe(200);

    const regular = w.member({ username: 'regular' });
    w.discord.sendDm(regular, 'I want to talk to a real person');
    await caseOpened(regular);
    const vip = w.member({
      username: 'vip-by-command',
      roles: [vipRole.id],
      joinedAt: '2024-05-06T07:08:09.000Z',
    });
    w.discord.invokeSlashCommand(vip, w.guild, w.guild.channels.general!, 'agent');
    await caseOpened(vip);
    const vipInDm = w.member({ username: 'vip-in-dm', roles: [vipRole.id] });
    w.discord.sendDm(vipInDm, 'I want to talk to a real person');
    await caseOpened(vipInDm);

    const center = w.switchboard.center;
    const support = await center.queues.get('support');
    const [r, v, d] = await Promise.all([regular, vip, vipInDm].map(conversationOf));
    expect(r!.conversation).toMatchObject({ state: 'queued', queueId: support.id });
    expect((await center.cases.get(r!.conversation.caseId!)).priority).toBe('normal');
    for (const routed of [v!, d!]) {
      expect(routed.conversation).toMatchObject({ state: 'queued', queueId: priorityQueue });
      expect((await center.cases.get(routed.conversation.caseId!)).priority).toBe('high');
    }

    // The one agent free for one conversation is offered a VIP's, although the regular member waited longest.
    const agent = await w.agent('Dana', 1);
    const [offer] = await eventually('an offer', () =>
      center.store.reservations
        .list({ agentId: agent.id, status: 'pending' })
        .then((list) => (list.length ? list : null)),
    );
    expect([v!.conversation.id, d!.conversation.id]).toContain(offer!.conversationId);

    // What the connector told of the member is the contact's: roles, server, join date, where they asked.
    const context = await admin.call('GET', `/api/v1/contacts/${v!.contact.id}/member-context`);
    expect(context.body.servers).toEqual([
      expect.objectContaining({
        channel: 'discord',
        server: { id: w.guild.id, name: 'Acme' },
        roles: [{ id: vipRole.id, name: 'VIP' }],
        joinedAt: '2024-05-06T07:08:09.000Z',
        boostingSince: null,
        requestChannel: { id: w.guild.channels.general!.id, name: 'general' },
      }),
    ]);
  });

  it('a Partner member is offered only to the agent with the partner skill', async () => {
    const admin = await signIn(w.base, 'admin@localhost', ADMIN_PASSWORD);
    const routes = [{ role: 'Partner', queueId: null, priority: 'urgent', skill: 'partner' }];
    // Nobody has the skill yet: nobody could ever take such a hand-off.
    expect((await admin.call('PUT', '/api/v1/routing/role-routes', { routes })).status).toBe(400);
    const empty = [{ ...routes[0], skill: ' ' }];
    expect((await admin.call('PUT', '/api/v1/routing/role-routes', { routes: empty })).status).toBe(400);
    const center = w.switchboard.center;
    // Idle longest and with room to spare, but without the skill.
    const generalist = await w.agent('Lee', 10);
    const partnerAgent = await w.agent('Pat', 1, ['partner']);
    const saved = await admin.call('PUT', '/api/v1/routing/role-routes', { routes });
    expect(saved.body.routes).toEqual([
      { role: 'Partner', queueId: null, priority: 'urgent', skill: 'partner' },
    ]);

    const partnerRole = w.discord.createRole(w.guild, { name: 'Partner' });
    const partner = w.member({ username: 'partner', roles: [partnerRole.id] });
    w.discord.sendDm(partner, 'I want to talk to a real person');
    await caseOpened(partner);
    const { conversation } = await conversationOf(partner);
    const offers = (agentId: string) =>
      center.store.reservations
        .list({ agentId, status: 'pending' })
        .then((l) => l.map((r) => r.conversationId));
    await eventually('the partner agent offered it', async () =>
      (await offers(partnerAgent.id)).includes(conversation.id) ? true : null,
    );
    expect(await offers(generalist.id)).not.toContain(conversation.id);
  });
});
