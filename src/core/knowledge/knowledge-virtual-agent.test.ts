import { beforeAll, describe, expect, it } from 'vitest';
import { Bm25SearchIndex } from '../../search/bm25-search-index.ts';
import type { Article, Conversation } from '../model.ts';
import { KnowledgeVirtualAgent } from './knowledge-virtual-agent.ts';

// The agent is driven through the real search adapter: the behaviour a member sees depends on both.
const at = '2025-01-01T00:00:00.000Z';
function article(id: string, title: string, body: string, extra: Partial<Article> = {}): Article {
  return {
    id,
    title,
    body,
    tags: [],
    locale: 'en',
    published: true,
    examples: [],
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}
const articles = [
  article('card-arrival', 'When will my card arrive?', 'Cards are delivered within 5 working days.', {
    examples: ['my card has not arrived yet', 'where is my new card', 'how long does card delivery take'],
  }),
  article(
    'reset-password',
    'Reset your password',
    'Open Settings, choose Security and press Reset password.',
    {
      examples: ['I forgot my password', "I can't log in to my account"],
    },
  ),
  article('refund', 'Refunds', 'Refunds are paid back to the original payment method within 10 days.', {
    examples: ['how do I get my money back', 'I want a refund for my order'],
  }),
  article('card-arrival-ar', 'وصول البطاقة', 'تصل البطاقات خلال خمسة أيام عمل.', {
    locale: 'ar',
    examples: ['أين بطاقتي؟', 'لم تصل بطاقتي بعد', 'متى تصل البطاقة الجديدة'],
  }),
  article('refund-fr', 'Remboursements', 'Les remboursements arrivent sous 10 jours.', {
    locale: 'fr',
    examples: ['comment me faire rembourser', 'je veux être remboursé'],
  }),
];
const byId = new Map(articles.map((a) => [a.id, a]));
const lookup = { get: async (id: string) => byId.get(id) };

const conversation: Conversation = {
  id: 'c1',
  contactId: 'p1',
  channel: 'discord',
  state: 'bot',
  address: {},
  queueId: null,
  agentId: null,
  caseId: null,
  language: null,
  wrapUpNote: null,
  queuedAt: null,
  assignedAt: null,
  firstAgentReplyAt: null,
  closedAt: null,
  createdAt: at,
  updatedAt: at,
};
const ask = (agent: KnowledgeVirtualAgent, text: string, locale: string | null = null) =>
  agent.reply({ text, conversation, locale, history: [] });

describe('KnowledgeVirtualAgent', () => {
  const index = new Bm25SearchIndex();
  let agent: KnowledgeVirtualAgent;
  beforeAll(async () => {
    await index.rebuild(articles);
    agent = new KnowledgeVirtualAgent(index, lookup, {
      articleUrl: (a) => `https://help.example.com/${a.id}`,
    });
  });

  it('answers a close question with the right article, its excerpt and link', async () => {
    const reply = await ask(agent, 'my new card still has not arrived');
    expect(reply.intent).toBe('answer');
    expect(reply.articles[0]).toMatchObject({
      id: 'card-arrival',
      title: 'When will my card arrive?',
      url: 'https://help.example.com/card-arrival',
    });
    expect(reply.articles[0]?.excerpt).not.toBe('');
    // The channel shows the article (title, link, excerpt); the text only leads in, so nothing repeats.
    expect(reply.text).toBe('This may help:');
    expect(reply.confidence).toBeGreaterThanOrEqual(agent.options.confidenceThreshold);
    expect(reply.language).toBe('en');
  });

  it('writes each article once into the text for a channel that cannot show articles', async () => {
    const plain = new KnowledgeVirtualAgent(index, lookup, {
      articleUrl: (a) => `https://help.example.com/${a.id}`,
      articlesInText: true,
    });
    const reply = await ask(plain, 'my new card still has not arrived');
    const [first] = reply.articles;
    expect(reply.text.startsWith(`This may help:\n\n${first?.title}\n${first?.excerpt}\n${first?.url}`)).toBe(
      true,
    );
    for (const a of reply.articles) {
      expect(reply.text.split(a.title)).toHaveLength(2);
      expect(reply.text.split(a.url)).toHaveLength(2);
    }
  });

  it('says it is not sure and offers a person when the question is far from every article', async () => {
    const reply = await ask(agent, 'what is the best pizza topping in Naples?');
    expect(reply.intent).toBe('unsure');
    expect(reply.articles).toEqual([]);
    expect(reply.text).toMatch(/not sure/i);
    expect(reply.text).toMatch(/person/i);
    expect(reply.confidence).toBeLessThan(agent.options.confidenceThreshold);
  });

  it('keeps confidence between 0 and 1 and higher for the covered question', async () => {
    const close = await ask(agent, 'I forgot my password');
    const far = await ask(agent, 'tell me a joke about penguins');
    for (const r of [close, far]) {
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
    }
    expect(close.confidence).toBeGreaterThan(far.confidence);
  });

  it('respects a stricter threshold', async () => {
    const strict = new KnowledgeVirtualAgent(index, lookup, { confidenceThreshold: 0.999999 });
    expect((await ask(strict, 'refund please for my broken order today')).intent).toBe('unsure');
  });

  it('answers an Arabic question in Arabic with the Arabic article', async () => {
    const reply = await ask(agent, 'متى تصل بطاقتي؟', 'en-US');
    expect(reply.language).toBe('ar');
    expect(reply.intent).toBe('answer');
    expect(reply.articles[0]?.id).toBe('card-arrival-ar');
    expect(reply.text).toContain('قد يساعدك');
  });

  it('prefers articles in the language of the question', async () => {
    const reply = await ask(agent, 'comment me faire rembourser ma commande ?');
    expect(reply.language).toBe('fr');
    expect(reply.articles[0]?.id).toBe('refund-fr');
  });

  it('hands off when asked for a person, in English and Arabic', async () => {
    const en = await ask(agent, 'can I talk to a real person?');
    expect(en).toMatchObject({ intent: 'handoff', language: 'en', articles: [] });
    const ar = await ask(agent, 'أريد التحدث مع موظف');
    expect(ar).toMatchObject({ intent: 'handoff', language: 'ar' });
    expect(ar.text).toContain('موظف');
  });

  it('does not hand off on a question that only mentions an agent', async () => {
    expect((await ask(agent, 'my agent id is wrong')).intent).not.toBe('handoff');
  });

  it('acknowledges thanks and greets', async () => {
    expect((await ask(agent, 'thanks, that helped!')).intent).toBe('thanks');
    expect((await ask(agent, 'شكرا')).text).toContain('الرحب');
    expect((await ask(agent, 'hello')).intent).toBe('greeting');
  });

  it('falls back to the contact locale when the question gives no language', async () => {
    const reply = await ask(agent, '???', 'ar-SA');
    expect(reply.language).toBe('ar');
    expect(reply.intent).toBe('unsure');
    expect(agent.greet('fr-CA')).toMatch(/Bonjour/);
    expect(agent.greet('xx')).toMatch(/Hi/);
  });
});
