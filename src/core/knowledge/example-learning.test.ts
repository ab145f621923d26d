import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bm25SearchIndex } from '../../search/bm25-search-index.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { DomainError } from '../errors.ts';
import type { Article } from '../model.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { ExampleLearning } from './example-learning.ts';
import { KnowledgeVirtualAgent } from './knowledge-virtual-agent.ts';

const at = '2026-01-01T00:00:00.000Z';
const article = (id: string, title: string, body: string, examples: string[] = []): Article => ({
  id,
  title,
  body,
  tags: [],
  locale: 'en',
  published: true,
  examples,
  createdAt: at,
  updatedAt: at,
});

describe('ExampleLearning', () => {
  let store: Store;
  let index: Bm25SearchIndex;
  let learning: ExampleLearning;
  // What a member notices: whether the virtual agent answers with the article.
  const answer = async (text: string) => {
    const agent = new KnowledgeVirtualAgent(index, store.articles);
    const conversation = { id: 'c', language: null } as Parameters<typeof agent.reply>[0]['conversation'];
    const reply = await agent.reply({ text, conversation, locale: 'en', history: [] });
    return reply.intent === 'answer' ? reply.articles[0]?.id : reply.intent;
  };

  beforeEach(async () => {
    store = await openStore({ url: ':memory:' });
    index = new Bm25SearchIndex();
    const articles = [
      article('refunds', 'Refunds', 'Refunds go back to the original payment method.', [
        'how do I get a refund',
      ]),
      article('shipping', 'Shipping times', 'Orders ship within two days.', ['when will my order ship']),
    ];
    for (const a of articles) await store.articles.create(a);
    await index.rebuild(articles);
    learning = new ExampleLearning({
      proposals: store.proposals,
      articles: store.articles,
      index,
      clock: new ManualClock(),
    });
  });
  afterEach(async () => store.close());

  it('approving a proposal makes the new phrasing find the article', async () => {
    const question = 'the parcel was smashed, I want my cash returned';
    expect(await answer(question)).toBe('unsure');

    const proposal = await learning.propose('refunds', question, 'resolved', null);
    expect(proposal?.status).toBe('pending');
    const approved = await learning.approve(proposal!.id, 'agent-1');
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'agent-1' });

    expect((await store.articles.get('refunds'))?.examples).toContain(question);
    expect(await answer(question)).toBe('refunds');
    expect(await answer('my parcel got smashed, I want the cash returned')).toBe('refunds');
  });

  it('ignores a question that is already an example or already pending', async () => {
    expect(await learning.propose('refunds', 'How do I get a refund?', 'resolved', null)).toBeUndefined();
    const first = await learning.propose('refunds', 'money back please', 'agent_link', 'conv-1');
    expect(first).toBeDefined();
    expect(await learning.propose('refunds', 'Money back, please!', 'resolved', 'conv-2')).toBeUndefined();
    // The same words for another article are a separate proposal.
    expect(await learning.propose('shipping', 'money back please', 'resolved', null)).toBeDefined();
    expect((await learning.pending('refunds')).map((p) => p.question)).toEqual(['money back please']);
  });

  it('rejecting keeps the article and the index unchanged', async () => {
    const proposal = await learning.propose('shipping', 'tell me a joke', 'resolved', null);
    const rejected = await learning.reject(proposal!.id, 'agent-2');
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'agent-2' });
    expect((await store.articles.get('shipping'))?.examples).toEqual(['when will my order ship']);
    expect(await answer('tell me a joke')).toBe('unsure');
    expect(await learning.pending()).toEqual([]);
  });

  it('refuses to decide twice and reports unknown ids', async () => {
    const proposal = await learning.propose('shipping', 'where is my parcel', 'resolved', null);
    await learning.approve(proposal!.id, 'agent-1');
    await expect(learning.reject(proposal!.id, 'agent-1')).rejects.toMatchObject({ kind: 'conflict' });
    await expect(learning.approve('nope', 'agent-1')).rejects.toBeInstanceOf(DomainError);
    await expect(learning.propose('missing', 'hello there friend', 'resolved', null)).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
