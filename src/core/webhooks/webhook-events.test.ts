import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

/** Which changes become which integrator events, once each, on real storage. */
describe('webhook events of a change', () => {
  let tc: TestCenter;
  beforeEach(async () => {
    tc = await createTestCenter();
  });
  afterEach(async () => tc.close());

  const actor = { kind: 'system', id: null } as const;
  const types = async (subscriptionId: string) =>
    (await tc.center.webhooks.deliveries(subscriptionId, { limit: 200 })).map((d) => d.eventType).sort();

  it('reports a case solved in a change that also moved other fields, and not again on a later edit', async () => {
    const { subscription } = await tc.center.webhooks.create({
      url: 'https://crm.example.com/',
      events: ['case.solved', 'case.updated'],
    });
    const kase = await tc.center.cases.create({ kind: 'bug', subject: 'Crash' }, actor);
    tc.clock.advance(1_000);
    await tc.center.cases.update(kase.id, { status: 'solved', priority: 'high' }, actor);
    expect(await types(subscription.id)).toEqual(['case.solved', 'case.updated']);
    tc.clock.advance(1_000);
    await tc.center.cases.update(kase.id, { tags: ['checkout'] }, actor);
    expect(await types(subscription.id)).toEqual(['case.solved', 'case.updated', 'case.updated']);
    // Reopened and solved again: a second occurrence.
    tc.clock.advance(1_000);
    await tc.center.cases.update(kase.id, { status: 'open' }, actor);
    tc.clock.advance(1_000);
    await tc.center.cases.update(kase.id, { status: 'solved' }, actor);
    expect((await types(subscription.id)).filter((t) => t === 'case.solved')).toHaveLength(2);
  });

  it('writes nothing for a subscription that is off or wants other events, and nothing when rolled back', async () => {
    const { subscription: off } = await tc.center.webhooks.create({
      url: 'https://off.example.com/',
      events: ['case.created'],
      enabled: false,
    });
    const { subscription: other } = await tc.center.webhooks.create({
      url: 'https://other.example.com/',
      events: ['rating.received'],
    });
    const { subscription: on } = await tc.center.webhooks.create({
      url: 'https://on.example.com/',
      events: ['case.created', 'conversation.created', 'message.created'],
    });
    await tc.center.cases.create({ kind: 'bug', subject: 'One' }, actor);
    await expect(tc.center.cases.update('missing', { status: 'solved' }, actor)).rejects.toMatchObject({
      kind: 'not_found',
    });
    await tc.connector.receive({ text: 'hello there', from: 'member-1' });
    expect(await types(off.id)).toEqual([]);
    expect(await types(other.id)).toEqual([]);
    const got = await types(on.id);
    expect(got.filter((t) => t === 'case.created')).toHaveLength(1);
    expect(got.filter((t) => t === 'conversation.created')).toHaveLength(1);
    expect(got.filter((t) => t === 'message.created').length).toBeGreaterThanOrEqual(1);
  });
});
