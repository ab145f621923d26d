import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../core/model.ts';
import type { BotTurn } from '../core/outcomes/bot-outcome.ts';
import type { Store } from '../core/ports/repositories.ts';
import { openStore } from './kysely-store.ts';

/** Bot turns and outcomes on SQLite and (with TEST_DATABASE_URL) PostgreSQL: keyed, guarded writes. */
function describeBotOutcomeRepository(name: string, open: () => Promise<Store>): void {
  describe(`bot outcome repository: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => store?.close());

    const conversation = async (createdAt: string): Promise<Conversation> => {
      const contactId = randomUUID();
      await store.contacts.create({
        id: contactId,
        name: 'M',
        avatarUrl: null,
        locale: null,
        identities: [{ channel: 'test', externalId: contactId }],
        createdAt,
      });
      const c: Conversation = {
        id: randomUUID(),
        contactId,
        channel: 'test',
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
        createdAt,
        updatedAt: createdAt,
      };
      await store.conversations.create(c);
      return c;
    };
    const message = async (c: Conversation, at: string) => {
      const id = randomUUID();
      await store.messages.insert(
        {
          id,
          conversationId: c.id,
          authorKind: 'contact',
          authorId: c.contactId,
          text: 'q',
          attachments: [],
          articles: [],
          externalId: id,
          createdAt: at,
        },
        'test',
      );
      return id;
    };
    const turn = (c: Conversation, messageId: string, at: string, over: Partial<BotTurn> = {}): BotTurn => ({
      messageId,
      conversationId: c.id,
      question: 'where is my order',
      language: 'en',
      intent: 'answer',
      articleId: 'a1',
      confidence: 0.9,
      repeated: false,
      negative: false,
      modelUnavailable: false,
      solvedAt: null,
      draftArticleId: null,
      createdAt: at,
      ...over,
    });

    it('stores a turn once per contact message, and marks it solved once', async () => {
      const c = await conversation('2026-03-01T09:00:00.000Z');
      const m = await message(c, '2026-03-01T09:00:00.000Z');
      expect(await store.botOutcomes.addTurn(turn(c, m, '2026-03-01T09:00:00.000Z'))).toBe(true);
      expect(
        await store.botOutcomes.addTurn(turn(c, m, '2026-03-01T09:00:00.000Z', { intent: 'unsure' })),
      ).toBe(false);
      expect((await store.botOutcomes.listTurns(c.id)).map((t) => t.intent)).toEqual(['answer']);
      expect(await store.botOutcomes.markSolved(m, '2026-03-01T09:01:00.000Z')).toBe(true);
      expect(await store.botOutcomes.markSolved(m, '2026-03-01T09:02:00.000Z')).toBe(false);
      const counts = await store.botOutcomes.articleCounts(
        '2026-03-01T00:00:00.000Z',
        '2026-03-02T00:00:00.000Z',
      );
      expect(counts.find((x) => x.articleId === 'a1')).toMatchObject({ answered: 1, solved: 1 });
    });

    it('keeps the strongest outcome: handed off > resolved > abandoned', async () => {
      const c = await conversation('2026-03-01T09:00:00.000Z');
      const at = '2026-03-01T10:00:00.000Z';
      const base = { conversationId: c.id, channel: 'test', articleId: null, occurredAt: at };
      expect(await store.botOutcomes.record({ ...base, outcome: 'resolved', reason: 'confirmed' })).toBe(
        true,
      );
      expect(await store.botOutcomes.record({ ...base, outcome: 'abandoned', reason: 'unsure_reply' })).toBe(
        false,
      );
      expect(
        await store.botOutcomes.record({ ...base, outcome: 'handed_off', reason: 'low_confidence' }),
      ).toBe(true);
      expect(
        await store.botOutcomes.record({ ...base, outcome: 'handed_off', reason: 'asked_for_person' }),
      ).toBe(false);
      expect(await store.botOutcomes.get(c.id)).toMatchObject({
        outcome: 'handed_off',
        reason: 'low_confidence',
      });
    });

    it('finds bot conversations with no message since the cut-off', async () => {
      const idle = await conversation('2026-01-01T09:00:00.000Z');
      await message(idle, '2026-01-01T09:00:00.000Z');
      const active = await conversation('2026-01-01T09:00:00.000Z');
      await message(active, '2026-01-02T09:00:00.000Z');
      const found = await store.botOutcomes.listIdleBotConversations('2026-01-02T00:00:00.000Z', 100);
      expect(found).toContain(idle.id);
      expect(found).not.toContain(active.id);
    });
  });
}

describeBotOutcomeRepository('SQLite', () => openStore({ url: ':memory:' }));

const baseUrl = process.env.TEST_DATABASE_URL;
if (!baseUrl) console.log('Skipping the PostgreSQL bot outcome tests: TEST_DATABASE_URL is not set');
else {
  const schema = `switchboard_outcomes_${randomUUID().replaceAll('-', '')}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  afterAll(() => admin(`drop schema if exists "${schema}" cascade`));
  describeBotOutcomeRepository('PostgreSQL', async () => {
    await admin(`create schema "${schema}"`);
    const url = new URL(baseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return openStore({ url: url.toString() });
  });
}
