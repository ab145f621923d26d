import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { openStore } from '../../storage/kysely-store.ts';
import type { VirtualAgent } from '../ports/virtual-agent.ts';
import { BotOutcomeService } from './bot-outcome-service.ts';

const hour = 3_600_000;

/** Stands in for a language model that is down: the knowledge-base answer, marked as the fallback. */
let modelDown = false;
const modelThatFallsBack = (knowledge: VirtualAgent): VirtualAgent => ({
  greet: (language) => knowledge.greet(language),
  reply: async (request) => {
    const reply = await knowledge.reply(request);
    return modelDown ? { ...reply, modelUnavailable: true } : reply;
  },
});

let t: TestCenter;
beforeEach(async () => {
  modelDown = false;
  t = await createTestCenter({ virtualAgent: modelThatFallsBack });
  await t.center.articles.create({
    id: 'reset-password',
    title: 'Reset your password',
    body: 'Open Settings, choose Account, then Reset password. A link arrives by email within a minute.',
    examples: ['I forgot my password', 'how do I change my password', 'cannot log in password'],
  });
  await t.center.articles.create({
    id: 'refunds',
    title: 'Refunds',
    body: 'Refunds reach your card within five working days after we receive the item back.',
    examples: ['when do I get my refund', 'refund status', 'how long does a refund take'],
  });
});
afterEach(() => t.close());

async function conversationOf(from: string) {
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!;
}
const outcomeOf = async (from: string) => t.store.botOutcomes.get((await conversationOf(from)).id);
const ask = (from: string, text: string) => t.connector.receive({ from, text });
const press = (from: string, action: 'resolved' | 'handoff') =>
  t.connector.receive({ from, text: '', action });

describe('resolved by the bot', () => {
  it('when the member presses "This solved it": the answer counts as solved for its article, once', async () => {
    await ask('m1', 'I forgot my password');
    await press('m1', 'resolved');
    await press('m1', 'resolved');
    expect(await outcomeOf('m1')).toMatchObject({
      outcome: 'resolved',
      reason: 'confirmed',
      articleId: 'reset-password',
      occurredAt: t.clock.now().toISOString(),
    });
    const figures = await t.center.outcomes.figures(1);
    expect(figures.articles).toEqual([
      { articleId: 'reset-password', title: 'Reset your password', answered: 1, solved: 1 },
    ]);
    expect(figures.totals).toMatchObject({ resolved: 1, confirmed: 1, containmentRate: 1 });
  });

  it('when the member leaves after an answer and does not come back within 24 hours (manual clock)', async () => {
    await ask('m1', 'I forgot my password');
    const leftAt = t.clock.now().toISOString();
    const { id } = await conversationOf('m1');

    t.clock.advance(23 * hour);
    expect(await t.center.outcomes.sweep()).toBe(0);
    expect((await t.store.conversations.get(id))?.state).toBe('bot');
    expect(await t.store.botOutcomes.get(id)).toBeUndefined();

    t.clock.advance(hour + 60_000);
    expect(await t.center.outcomes.sweep()).toBe(1);
    expect(await t.store.botOutcomes.get(id)).toMatchObject({
      outcome: 'resolved',
      reason: 'no_return',
      articleId: 'reset-password',
      occurredAt: leftAt,
    });
    expect((await t.store.conversations.get(id))?.state).toBe('closed');
    // Nothing more to do, and a member who writes again starts a new conversation.
    expect(await t.center.outcomes.sweep()).toBe(0);
    await ask('m1', 'when do I get my refund');
    const contact = await t.store.contacts.findByIdentity('test', 'm1');
    const open = await t.store.conversations.findOpen(contact!.id, 'test');
    expect(open?.id).toBeDefined();
    expect(open?.id).not.toBe(id);
  });

  it('not when the member comes back within 24 hours: the day counts from their last message', async () => {
    await ask('m1', 'I forgot my password');
    t.clock.advance(20 * hour);
    await ask('m1', 'and when do I get my refund');
    t.clock.advance(5 * hour);
    expect(await t.center.outcomes.sweep()).toBe(0);
    expect((await conversationOf('m1')).state).toBe('bot');
    t.clock.advance(20 * hour);
    expect(await t.center.outcomes.sweep()).toBe(1);
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'resolved', articleId: 'refunds' });
  });
});

describe('abandoned', () => {
  it('when the last reply was unsure, when the bot never answered, or after negative feedback', async () => {
    await ask('m1', 'can I paint my spaceship purple');
    await ask('m2', 'hello');
    await ask('m3', 'I forgot my password');
    await ask('m3', 'that did not help at all');
    t.clock.advance(25 * hour);
    expect(await t.center.outcomes.sweep()).toBe(3);
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'abandoned', reason: 'unsure_reply' });
    expect(await outcomeOf('m2')).toMatchObject({ outcome: 'abandoned', reason: 'never_answered' });
    expect(await outcomeOf('m3')).toMatchObject({ outcome: 'abandoned', reason: 'negative_feedback' });
  });
});

describe('handed off, with the reason', () => {
  it('asked_for_person: the member asks for a person straight away', async () => {
    await ask('m1', 'I want to talk to a real person');
    expect((await conversationOf('m1')).state).toBe('queued');
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'handed_off', reason: 'asked_for_person' });
  });

  it('low_confidence: the bot was unsure and the member pressed "Talk to a person"', async () => {
    await ask('m1', 'can I paint my spaceship purple');
    await press('m1', 'handoff');
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'handed_off', reason: 'low_confidence' });
  });

  it('negative_feedback: the member says the answer did not help, in the request or before it', async () => {
    await ask('m1', 'I forgot my password');
    await ask('m1', "that didn't help, I want to talk to a real person");
    expect(await outcomeOf('m1')).toMatchObject({ reason: 'negative_feedback', articleId: 'reset-password' });

    await ask('m2', 'how long does a refund take');
    await ask('m2', 'لم يساعدني هذا');
    await press('m2', 'handoff');
    expect(await outcomeOf('m2')).toMatchObject({ outcome: 'handed_off', reason: 'negative_feedback' });
  });

  it('repeated_question: the member asked the same thing again before asking for a person', async () => {
    await ask('m1', 'I forgot my password');
    await ask('m1', 'I forgot my password!!');
    await press('m1', 'handoff');
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'handed_off', reason: 'repeated_question' });
  });

  it('model_unavailable: the answer was the fallback of a model that could not be reached', async () => {
    modelDown = true;
    await ask('m1', 'I forgot my password');
    await press('m1', 'handoff');
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'handed_off', reason: 'model_unavailable' });
  });

  it('replaces an earlier "resolved", and is not replaced by a later one or by the idle sweep', async () => {
    await ask('m1', 'I forgot my password');
    await press('m1', 'resolved');
    await ask('m1', 'I want to talk to a real person');
    expect(await outcomeOf('m1')).toMatchObject({ outcome: 'handed_off', reason: 'asked_for_person' });
    const figures = await t.center.outcomes.figures(1);
    expect(figures.totals).toMatchObject({ resolved: 0, handedOff: 1, containmentRate: 0 });
    // The article still solved that question.
    expect(figures.articles[0]).toMatchObject({ articleId: 'reset-password', solved: 1 });
  });
});

describe('figures', () => {
  it('containment per day, hand-off reasons, and each outcome counted once', async () => {
    await ask('m1', 'I forgot my password');
    await press('m1', 'resolved');
    await ask('m2', 'human please');
    t.clock.advance(24 * hour);
    await ask('m3', 'when do I get my refund');
    await press('m3', 'resolved');
    await ask('m4', 'can I paint my spaceship purple');
    await press('m4', 'handoff');
    const figures = await t.center.outcomes.figures(2);
    expect(figures.days).toEqual([
      { date: '2026-03-01', resolved: 1, handedOff: 1, abandoned: 0, containmentRate: 0.5 },
      { date: '2026-03-02', resolved: 1, handedOff: 1, abandoned: 0, containmentRate: 0.5 },
    ]);
    expect(figures.handoffReasons).toEqual([
      { reason: 'asked_for_person', count: 1 },
      { reason: 'low_confidence', count: 1 },
      { reason: 'negative_feedback', count: 0 },
      { reason: 'repeated_question', count: 0 },
      { reason: 'model_unavailable', count: 0 },
    ]);
    expect(figures.totals).toMatchObject({ resolved: 2, handedOff: 2, containmentRate: 0.5, inProgress: 0 });
    await expect(t.center.outcomes.figures(0)).rejects.toMatchObject({ kind: 'invalid' });
    await expect(t.center.outcomes.figures(91)).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('groups the questions the bot could not answer and drafts an article from a group', async () => {
    await ask('m1', 'can I pay with bitcoin?');
    await ask('m2', 'Can I pay using Bitcoin');
    await ask('m3', 'do you accept bitcoin payments');
    await ask('m4', 'is there a dark mode in the app');
    await ask('m5', 'that did not help');
    const groups = await t.center.outcomes.unanswered(1);
    expect(groups.map((g) => g.questions.map((q) => q.text))).toEqual([
      ['can I pay with bitcoin?', 'Can I pay using Bitcoin', 'do you accept bitcoin payments'],
      ['is there a dark mode in the app'],
    ]);
    const article = await t.center.outcomes.draftArticle({
      questionIds: groups[0]!.questions.map((q) => q.id),
    });
    expect(article).toMatchObject({
      title: 'can I pay with bitcoin?',
      published: false,
      examples: ['can I pay with bitcoin?', 'Can I pay using Bitcoin', 'do you accept bitcoin payments'],
    });
    expect((await t.center.articles.get(article.id)).published).toBe(false);
    // The group leaves the list; the same questions cannot be drafted twice.
    expect((await t.center.outcomes.unanswered(1)).map((g) => g.count)).toEqual([1]);
    await expect(
      t.center.outcomes.draftArticle({ questionIds: groups[0]!.questions.map((q) => q.id) }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    await expect(t.center.outcomes.draftArticle({ questionIds: ['nope'] })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});

describe('the idle sweep across instances', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-outcomes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs on one instance at a time (a lease in the database) and closes each conversation once', async () => {
    const file = path.join(dir, 'two.db');
    const one = await createTestCenter({ url: file });
    const otherStore = await openStore({ url: file });
    try {
      await one.connector.receive({ from: 'm1', text: 'hello' });
      const other = new BotOutcomeService(
        otherStore,
        one.bus,
        one.clock,
        async () => {
          throw new Error('not used');
        },
        async () => null,
        { owner: 'other' },
      );
      one.clock.advance(25 * hour);
      // The other instance holds the sweep: this one does nothing meanwhile.
      const held = await otherStore.leases.acquire({
        name: 'bot-outcomes:idle-sweep',
        owner: 'other',
        now: one.clock.now().toISOString(),
        ttlMs: 60_000,
      });
      expect(held).toBeDefined();
      expect(await one.center.outcomes.sweep()).toBe(0);
      await otherStore.leases.release(held!);
      const [a, b] = await Promise.all([one.center.outcomes.sweep(), other.sweep()]);
      expect(a + b).toBe(1);
      const [conversation] = await one.store.conversations.list({});
      expect(conversation?.state).toBe('closed');
      expect(await one.store.botOutcomes.get(conversation!.id)).toMatchObject({ outcome: 'abandoned' });
    } finally {
      await otherStore.close();
      await one.close();
    }
  });
});
