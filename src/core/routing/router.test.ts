import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { Agent } from '../model.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

/** A contact asks for a person; returns the conversation id once it waits in the queue. */
async function handOff(from: string): Promise<string> {
  await t.connector.receive({ from, text: 'I need a human please', action: 'handoff' });
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!.id;
}

async function pending(agent: Agent) {
  return t.store.reservations.list({ agentId: agent.id, status: 'pending' });
}

describe('router', () => {
  it('offers a queued conversation to the longest-idle available agent', async () => {
    const first = await t.agent('first@example.com', { presence: 'available' });
    t.clock.advance(1_000);
    const second = await t.agent('second@example.com', { presence: 'available' });
    await handOff('m1');
    expect(await pending(first)).toHaveLength(1);
    expect(await pending(second)).toHaveLength(0);
  });

  it('never offers to away or offline agents, and offers as soon as one becomes available', async () => {
    const away = await t.agent('away@example.com', { presence: 'away' });
    const id = await handOff('m1');
    expect(await t.store.reservations.list({ conversationId: id })).toHaveLength(0);
    await t.center.agents.setPresence(away.id, 'available');
    expect(await pending(away)).toHaveLength(1);
  });

  it('respects capacity: a full agent gets nothing more', async () => {
    const agent = await t.agent('one@example.com', { presence: 'available', capacity: 1 });
    await handOff('m1');
    const [offer] = await pending(agent);
    await t.center.router.accept(offer!.id, agent.id);
    await handOff('m2');
    expect(await pending(agent)).toHaveLength(0);
    const waiting = await t.store.conversations.list({ state: 'queued' });
    expect(waiting).toHaveLength(1);
  });

  it('selects agents by the queue skills', async () => {
    await t.center.queues.create({ name: 'billing', skills: ['billing'] });
    const generalist = await t.agent('general@example.com', { presence: 'available' });
    t.clock.advance(1_000);
    const billing = await t.agent('billing@example.com', {
      presence: 'available',
      skills: ['billing', 'arabic'],
    });
    const id = await handOff('m1');
    const [offer] = await pending(generalist);
    await t.center.router.accept(offer!.id, generalist.id);
    await t.center.router.transfer(
      id,
      { queueId: (await t.center.queues.get('billing')).id },
      { kind: 'agent', id: generalist.id },
    );
    const offers = await pending(billing);
    expect(offers.map((r) => r.conversationId)).toEqual([id]);
  });

  it('a rejection moves the offer on to the next agent', async () => {
    const first = await t.agent('first@example.com', { presence: 'available' });
    t.clock.advance(1_000);
    const second = await t.agent('second@example.com', { presence: 'available' });
    await handOff('m1');
    const [offer] = await pending(first);
    await t.center.router.reject(offer!.id, first.id);
    expect(await pending(first)).toHaveLength(0);
    expect(await pending(second)).toHaveLength(1);
  });

  it('a reservation that times out moves on to the next agent', async () => {
    const first = await t.agent('first@example.com', { presence: 'available' });
    t.clock.advance(1_000);
    const second = await t.agent('second@example.com', { presence: 'available' });
    await handOff('m1');
    t.clock.advance(59_000);
    expect(await t.center.router.expireReservations()).toBe(0);
    t.clock.advance(2_000);
    expect(await t.center.router.expireReservations()).toBe(1);
    const [timedOut] = await t.store.reservations.list({ agentId: first.id });
    expect(timedOut!.status).toBe('timed_out');
    expect(await pending(second)).toHaveLength(1);
  });

  it('an expired reservation can no longer be accepted', async () => {
    const agent = await t.agent('a@example.com', { presence: 'available' });
    await handOff('m1');
    const [offer] = await pending(agent);
    t.clock.advance(61_000);
    await expect(t.center.router.accept(offer!.id, agent.id)).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('when every agent declined, the round starts again', async () => {
    const only = await t.agent('only@example.com', { presence: 'available' });
    await handOff('m1');
    const [offer] = await pending(only);
    await t.center.router.reject(offer!.id, only.id);
    expect(await pending(only)).toHaveLength(1);
  });

  it('only the agent offered a reservation may answer it', async () => {
    const first = await t.agent('first@example.com', { presence: 'available' });
    const other = await t.agent('other@example.com', { presence: 'away' });
    await handOff('m1');
    const [offer] = await pending(first);
    await expect(t.center.router.accept(offer!.id, other.id)).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('accepting assigns the conversation, opens the case for the agent and tells the contact', async () => {
    const agent = await t.agent('dana@example.com', { presence: 'available', name: 'Dana' });
    const id = await handOff('m1');
    const [offer] = await pending(agent);
    const conversation = await t.center.router.accept(offer!.id, agent.id);
    expect(conversation.state).toBe('assigned');
    expect(conversation.agentId).toBe(agent.id);
    const kase = await t.store.cases.get(conversation.caseId!);
    expect(kase).toMatchObject({ assigneeId: agent.id, status: 'open' });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1').at(-1)).toBe('Dana joined the conversation.');
    expect((await t.store.conversations.get(id))!.state).toBe('assigned');
  });

  it('knows the queue position of every waiting conversation', async () => {
    const a = await handOff('m1');
    t.clock.advance(1_000);
    const b = await handOff('m2');
    t.clock.advance(1_000);
    const c = await handOff('m3');
    expect(await t.center.router.queuePosition(a)).toBe(1);
    expect(await t.center.router.queuePosition(b)).toBe(2);
    expect(await t.center.router.queuePosition(c)).toBe(3);
    const agent = await t.agent('a@example.com', { presence: 'available', capacity: 1 });
    const [offer] = await pending(agent);
    await t.center.router.accept(offer!.id, agent.id);
    expect(await t.center.router.queuePosition(a)).toBeNull();
    expect(await t.center.router.queuePosition(b)).toBe(1);
    const stats = await t.center.router.queueStats();
    expect(stats.find((s) => s.name === 'support')).toMatchObject({ waiting: 2, longestWaitSeconds: 1 });
  });

  it('transfers to another agent directly, and refuses an agent with no room', async () => {
    const first = await t.agent('first@example.com', { presence: 'available', name: 'First' });
    const second = await t.agent('second@example.com', { presence: 'away', name: 'Second', capacity: 1 });
    const id = await handOff('m1');
    const [offer] = await pending(first);
    await t.center.router.accept(offer!.id, first.id);
    const moved = await t.center.router.transfer(id, { agentId: second.id }, { kind: 'agent', id: first.id });
    expect(moved).toMatchObject({ state: 'assigned', agentId: second.id });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m1').at(-1)).toBe('Second is taking over the conversation.');
    await expect(
      t.center.router.transfer(id, { agentId: second.id }, { kind: 'agent', id: first.id }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    const id2 = await handOff('m2');
    await t.center.agents.setPresence(first.id, 'away');
    await t.center.conversations.close(second.id, id, {});
    // `second` is free again but `first` is away: a transfer to an offline agent is refused.
    await t.center.agents.setPresence(first.id, 'offline');
    await expect(
      t.center.router.transfer(id2, { agentId: first.id }, { kind: 'system', id: null }),
    ).rejects.toMatchObject({
      kind: 'conflict',
    });
  });

  it('wrap-up then close frees capacity and the next conversation is offered', async () => {
    const agent = await t.agent('a@example.com', { presence: 'available', capacity: 1 });
    const first = await handOff('m1');
    const second = await handOff('m2');
    const [offer] = await pending(agent);
    await t.center.router.accept(offer!.id, agent.id);
    await t.center.conversations.wrapUp(agent.id, first, 'Explained refunds');
    expect(await pending(agent)).toHaveLength(0);
    await t.center.conversations.close(agent.id, first);
    const [next] = await pending(agent);
    expect(next!.conversationId).toBe(second);
    const closed = await t.store.conversations.get(first);
    expect(closed).toMatchObject({ state: 'closed', wrapUpNote: 'Explained refunds' });
  });

  it('offers urgent cases before older ones, and their queue position says so', async () => {
    await t.center.flows.saveActive({
      name: 'Triage',
      definition: {
        initial: 'start',
        states: [
          { name: 'start', type: 'trigger', next: 'is-down' },
          {
            name: 'is-down',
            type: 'split',
            conditions: [{ subject: 'message.text', operator: 'contains', value: 'down', next: 'urgent' }],
            otherwise: 'normal',
          },
          { name: 'urgent', type: 'create-case', kind: 'support', priority: 'urgent', next: 'queue' },
          { name: 'normal', type: 'create-case', kind: 'support', next: 'queue' },
          { name: 'queue', type: 'send-to-queue' },
        ],
      },
    });
    await t.connector.receive({ from: 'm1', text: 'a question about my invoice' });
    t.clock.advance(1_000);
    await t.connector.receive({ from: 'm2', text: 'the game is down' });
    const [older, urgent] = await Promise.all(
      ['m1', 'm2'].map(async (from) => {
        const contact = await t.store.contacts.findByIdentity('test', from);
        return (await t.store.conversations.list({ contactId: contact!.id }))[0]!;
      }),
    );
    expect(await t.center.router.queuePosition(urgent!.id)).toBe(1);
    expect(await t.center.router.queuePosition(older!.id)).toBe(2);
    const agent = await t.agent('a@example.com', { presence: 'available', capacity: 1 });
    expect((await pending(agent)).map((r) => r.conversationId)).toEqual([urgent!.id]);
  });

  it('conversations of a queue nobody available can serve do not hold back the others', async () => {
    await t.center.queues.create({ name: 'billing', skills: ['billing'] });
    const billing = (await t.center.queues.get('billing')).id;
    const agent = await t.agent('general@example.com', { presence: 'away', capacity: 2 });
    for (const from of ['b1', 'b2', 'b3']) {
      const id = await handOff(from);
      await t.center.router.transfer(id, { queueId: billing }, { kind: 'system', id: null });
      t.clock.advance(1_000);
    }
    const support = await handOff('s1');
    await t.center.agents.setPresence(agent.id, 'available');
    expect((await pending(agent)).map((r) => r.conversationId)).toEqual([support]);
  });

  it('an offer round goes on past conversations whose agents an older one took', async () => {
    await t.center.queues.create({ name: 'billing', skills: ['billing'] });
    const billing = (await t.center.queues.get('billing')).id;
    // The billing agent has been idle longest, so the first support conversation goes to them.
    const both = await t.agent('both@example.com', { presence: 'away', capacity: 1, skills: ['billing'] });
    t.clock.advance(1_000);
    const general = await t.agent('general@example.com', { presence: 'away', capacity: 1 });
    const s1 = await handOff('s1');
    t.clock.advance(1_000);
    const b1 = await handOff('b1');
    await t.center.router.transfer(b1, { queueId: billing }, { kind: 'system', id: null });
    t.clock.advance(1_000);
    const s2 = await handOff('s2');
    // Both come back at once (one round): s1 → both, b1 finds no billing agent with room, s2 → general.
    await t.store.transaction(async (tx) => {
      for (const agent of [both, general])
        await tx.agents.update({ ...(await tx.agents.get(agent.id))!, presence: 'available' });
    });
    await t.center.router.offer();
    expect((await pending(both)).map((r) => r.conversationId)).toEqual([s1]);
    expect((await pending(general)).map((r) => r.conversationId)).toEqual([s2]);
    expect(await t.store.reservations.list({ conversationId: b1, status: 'pending' })).toEqual([]);
  });
});
