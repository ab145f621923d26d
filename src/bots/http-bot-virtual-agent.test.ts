import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KnowledgeVirtualAgent } from '../core/knowledge/knowledge-virtual-agent.ts';
import type { Article, Conversation } from '../core/model.ts';
import { Bm25SearchIndex } from '../search/bm25-search-index.ts';
import { type HttpBotError, type HttpBotRequestBody, HttpBotVirtualAgent } from './http-bot-virtual-agent.ts';

// A small bot on 127.0.0.1 that answers like Rasa/Botpress/LLM services do; each path is one behaviour.
const received: HttpBotRequestBody[] = [];
const routes: Record<string, (res: ServerResponse) => void> = {
  '/answer': (res) =>
    json(res, 200, {
      replies: [
        { text: 'You can track your order from the Orders page.' },
        {
          text: 'Here is the guide:',
          links: [{ title: 'Order status', url: 'https://help.example.com/orders' }],
        },
      ],
    }),
  '/rasa': (res) => json(res, 200, [{ recipient_id: 'p1', text: 'Hello from Rasa' }]),
  '/handoff': (res) => json(res, 200, { text: 'Let me find a colleague for you.', handoff: true }),
  '/rasa-handoff': (res) => json(res, 200, [{ text: 'One moment.', custom: { handoff: true } }]),
  '/slow': (res) => setTimeout(() => json(res, 200, { text: 'too late' }), 1500),
  '/fail': (res) => json(res, 500, { error: 'boom' }),
  '/garbage': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>oops</html>');
  },
  '/empty': (res) => json(res, 200, {}),
};
function json(res: ServerResponse, status: number, body: unknown) {
  if (res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as HttpBotRequestBody);
  (routes[req.url ?? ''] ?? ((r: ServerResponse) => json(r, 404, {})))(res);
}

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

const at = '2026-01-01T00:00:00.000Z';
const articles: Article[] = [
  {
    id: 'order-status',
    title: 'Where is my order?',
    body: 'Open Orders to see where your parcel is.',
    tags: [],
    locale: 'en',
    published: true,
    examples: ['where is my order', 'my order has not arrived'],
    createdAt: at,
    updatedAt: at,
  },
];
const conversation: Conversation = {
  id: 'conv-1',
  contactId: 'contact-1',
  channel: 'discord',
  state: 'bot',
  address: {},
  queueId: null,
  agentId: null,
  caseId: null,
  language: 'en',
  wrapUpNote: null,
  queuedAt: null,
  assignedAt: null,
  firstAgentReplyAt: null,
  closedAt: null,
  createdAt: at,
  updatedAt: at,
};

async function makeBot(path: string, timeoutMs = 5000) {
  const index = new Bm25SearchIndex();
  await index.rebuild(articles);
  const fallback = new KnowledgeVirtualAgent(index, { get: async (id) => articles.find((a) => a.id === id) });
  const errors: HttpBotError[] = [];
  const bot = new HttpBotVirtualAgent({
    url: base + path,
    fallback,
    timeoutMs,
    onError: (e) => errors.push(e),
  });
  return { bot, errors };
}
const request = (text: string) => ({
  text,
  conversation,
  locale: 'en-GB',
  history: [
    { authorKind: 'bot', text: 'Hi! How can I help?' },
    { authorKind: 'contact', text: 'hello' },
  ],
});

describe('HttpBotVirtualAgent', () => {
  it('posts the message, conversation, locale and history, and relays texts and links', async () => {
    const { bot, errors } = await makeBot('/answer');
    const reply = await bot.reply(request('where is my order?'));
    expect(received[0]).toMatchObject({
      message: 'where is my order?',
      conversation: { id: 'conv-1', contactId: 'contact-1', channel: 'discord' },
      locale: 'en-GB',
      history: [{ authorKind: 'bot' }, { authorKind: 'contact', text: 'hello' }],
    });
    expect(reply.intent).toBe('answer');
    expect(reply.text).toBe('You can track your order from the Orders page.\n\nHere is the guide:');
    expect(reply.articles).toEqual([
      expect.objectContaining({ title: 'Order status', url: 'https://help.example.com/orders' }),
    ]);
    expect(errors).toEqual([]);
  });

  it('understands a Rasa-style array of messages', async () => {
    const { bot } = await makeBot('/rasa');
    expect((await bot.reply(request('hi'))).text).toBe('Hello from Rasa');
  });

  it('honours a hand-off signal', async () => {
    const { bot } = await makeBot('/handoff');
    const reply = await bot.reply(request('this is urgent'));
    expect(reply.intent).toBe('handoff');
    expect(reply.text).toBe('Let me find a colleague for you.');
    const rasa = await (await makeBot('/rasa-handoff')).bot.reply(request('help'));
    expect(rasa.intent).toBe('handoff');
  });

  it('falls back to the knowledge base when the bot does not answer in time', async () => {
    const { bot, errors } = await makeBot('/slow', 200);
    const reply = await bot.reply(request('my order has not arrived'));
    expect(reply.intent).toBe('answer');
    expect(reply.articles[0]?.id).toBe('order-status');
    expect(errors.map((e) => e.kind)).toEqual(['timeout']);
  });

  it('falls back when the bot fails with HTTP 500', async () => {
    const { bot, errors } = await makeBot('/fail');
    const reply = await bot.reply(request('where is my order'));
    expect(reply.articles[0]?.id).toBe('order-status');
    expect(errors[0]).toMatchObject({ kind: 'status', status: 500 });
  });

  it('falls back on an unreadable or empty reply, and when nothing listens', async () => {
    for (const path of ['/garbage', '/empty']) {
      const { bot, errors } = await makeBot(path);
      expect((await bot.reply(request('where is my order'))).articles[0]?.id).toBe('order-status');
      expect(errors).toHaveLength(1);
    }
    const index = new Bm25SearchIndex();
    await index.rebuild(articles);
    const fallback = new KnowledgeVirtualAgent(index, { get: async () => articles[0] });
    const closed = await new Promise<string>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
        s.close(() => resolve(url));
      });
    });
    const kinds: string[] = [];
    const bot = new HttpBotVirtualAgent({ url: closed, fallback, onError: (e) => kinds.push(e.kind) });
    expect((await bot.reply(request('where is my order'))).intent).toBe('answer');
    expect(kinds).toEqual(['network']);
  });

  it('greets with the fallback agent', async () => {
    const { bot } = await makeBot('/answer');
    expect(bot.greet('ar')).toContain('مرحب');
  });
});
