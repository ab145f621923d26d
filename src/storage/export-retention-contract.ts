import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case, Conversation } from '../core/model.ts';
import type { Store } from '../core/ports/repositories.ts';
import { recordBuilders } from './test-support/record-builders.ts';

/** Exports' keyset pages and counts, and retention's deletes, on every engine (issue 14). */
export function describeExportRetentionContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`export and retention repositories: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(() => store?.close());

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;
    const at = (n: number, year = 2031) => new Date(Date.UTC(year, 0, 1) + n * 1000).toISOString();

    const make = recordBuilders(at(0));
    const contact = async () => {
      const c = make.contact();
      await store.contacts.create(c);
      return c.id;
    };
    const conversation = (contactId: string, over: Partial<Conversation> = {}): Conversation =>
      make.conversation(contactId, { state: 'closed', ...over });
    const kase = async (over: Partial<Case> = {}): Promise<Case> => {
      const c = make.case(await store.cases.nextNumber(), { subject: 'Subject', ...over });
      await store.cases.create(c);
      return c;
    };
    const message = make.message;

    it('pages cases in (createdAt, id) order after a cursor, ties included, and counts the same set', async () => {
      const year = 2032;
      // Three at one instant: the id breaks the tie, so no row is skipped or repeated across pages.
      const made = [
        await kase({ createdAt: at(1, year), status: 'open' }),
        await kase({ createdAt: at(2, year), status: 'open' }),
        await kase({ createdAt: at(2, year), status: 'open' }),
        await kase({ createdAt: at(2, year), status: 'open' }),
        await kase({ createdAt: at(3, year), status: 'solved' }),
      ];
      const filter = { from: at(0, year), to: at(100, year) };
      expect(await store.exports.countCases(filter)).toBe(5);
      const seen: string[] = [];
      let after = null;
      for (;;) {
        const page = await store.exports.pageCases(filter, after, 2);
        if (page.length === 0) break;
        seen.push(...page.map((c) => c.id));
        const last = page.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      const expected = [...made].sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      );
      expect(seen).toEqual(expected.map((c) => c.id));
      expect(await store.exports.countCases({ ...filter, status: ['solved'] })).toBe(1);
      expect(await store.exports.countCases({ ...filter, status: ['open', 'solved'], kind: ['bug'] })).toBe(
        0,
      );
    });

    it("filters cases by their conversations' queue and channel, conversations by state, queue and channel", async () => {
      const year = 2033;
      const contactId = await contact();
      const queue = { id: id('queue'), name: id('q'), skills: [], sendTranscript: false, createdAt: at(0) };
      await store.queues.create(queue);
      const linked = await kase({ createdAt: at(1, year) });
      await kase({ createdAt: at(2, year) });
      const conv = conversation(contactId, {
        caseId: linked.id,
        queueId: queue.id,
        channel: 'webchat',
        state: 'assigned',
        createdAt: at(1, year),
      });
      await store.conversations.create(conv);
      await store.conversations.create(conversation(contactId, { createdAt: at(2, year) }));
      const range = { from: at(0, year), to: at(100, year) };
      expect(
        (await store.exports.pageCases({ ...range, queueId: queue.id }, null, 10)).map((c) => c.id),
      ).toEqual([linked.id]);
      expect(await store.exports.countCases({ ...range, channel: 'webchat' })).toBe(1);
      expect(await store.exports.countCases({ ...range, channel: 'sms' })).toBe(0);
      expect(await store.exports.countConversations(range)).toBe(2);
      const assigned = await store.exports.pageConversations({ ...range, state: ['assigned'] }, null, 10);
      expect(assigned).toEqual([conv]);
      expect(
        await store.exports.countConversations({ ...range, queueId: queue.id, channel: 'webchat' }),
      ).toBe(1);
      expect(await store.exports.countConversations({ ...range, channel: 'discord' })).toBe(1);
    });

    it('retention lists conversations no one works on, changed before the cutoff, and deletes them whole', async () => {
      const year = 2020;
      const contactId = await contact();
      const linked = await kase();
      const old = conversation(contactId, { updatedAt: at(1, year), caseId: linked.id });
      const oldBot = conversation(contactId, { state: 'bot', updatedAt: at(2, year) });
      const oldButOpen = conversation(contactId, { state: 'assigned', updatedAt: at(1, year) });
      const recent = conversation(contactId, { updatedAt: at(1, 2030) });
      for (const c of [old, oldBot, oldButOpen, recent]) await store.conversations.create(c);
      const upload = { url: 'https://sb.test/uploads/AAAAAAAAAAAAAAAAAAAAAA/a.txt', name: 'a.txt' };
      await store.messages.insert(message(old.id, { attachments: [upload] }), 'discord');
      await store.messages.insert(message(old.id, { authorKind: 'agent' }), 'discord');
      await store.messages.insert(message(recent.id), 'discord');
      await store.outbox.add({
        conversationId: old.id,
        channel: 'discord',
        message: {
          conversationId: old.id,
          channel: 'discord',
          address: {},
          authorKind: 'bot',
          authorName: null,
          text: 'x',
          attachments: [],
          articles: [],
          actions: [],
          messageId: null,
        },
        status: 'sent',
        attempts: 1,
        nextAttemptAt: at(1, year),
        lastError: null,
        externalId: null,
        createdAt: at(1, year),
        sentAt: at(1, year),
      });

      const expired = await store.retention.listExpired(at(0, 2021), 100);
      expect(expired).toEqual(expect.arrayContaining([old.id, oldBot.id]));
      expect(expired).not.toContain(oldButOpen.id);
      expect(expired).not.toContain(recent.id);

      const deleted = await store.retention.deleteConversations([old.id, oldBot.id]);
      expect(deleted).toMatchObject({ conversations: 2, messages: 2 });
      expect(deleted.attachments).toEqual([upload]);
      expect(await store.conversations.get(old.id)).toBeUndefined();
      expect(await store.messages.listByConversation(old.id)).toEqual([]);
      expect(await store.outbox.listByConversation(old.id)).toEqual([]);
      expect(await store.conversations.get(recent.id)).toBeDefined();
      expect(await store.messages.listByConversation(recent.id)).toHaveLength(1);
      expect(await store.cases.get(linked.id)).toEqual(linked);
      expect(await store.retention.deleteConversations([])).toEqual({
        conversations: 0,
        messages: 0,
        attachments: [],
      });
    });
  });
}
