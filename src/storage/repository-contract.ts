import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors.ts';
import type { Flow } from '../core/flows/flow-definition.ts';
import type {
  Agent,
  ApiToken,
  Article,
  CannedResponse,
  Case,
  Contact,
  Conversation,
  ExampleProposal,
  OutboxItem,
  Queue,
  Reservation,
  Session,
  TimelineEntry,
} from '../core/model.ts';
import type { Repositories, Store } from '../core/ports/repositories.ts';
import { recordBuilders } from './test-support/record-builders.ts';

/**
 * The one behaviour every `Store` must show, run against each engine (see `sqlite-store.test.ts`
 * and `postgres-store.test.ts`). One store serves the whole suite, as in production: every test
 * makes its own ids and filters by them, so tests never depend on each other's rows.
 */
export function describeRepositoryContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`repository contract: ${name}`, () => {
    let store: Store;
    let firstCaseNumber: number;

    beforeAll(async () => {
      store = await makeStore();
      firstCaseNumber = await store.cases.nextNumber();
    });
    afterAll(async () => {
      await store?.close();
    });

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;
    /** ISO-8601 timestamps `n` seconds after a fixed instant. */
    const at = (n: number, year = 2024) => new Date(Date.UTC(year, 0, 1) + n * 1000).toISOString();

    const {
      contact: makeContact,
      conversation: makeConversation,
      message: makeMessage,
      case: makeCase,
      agent: makeAgent,
    } = recordBuilders(at(0));
    const makeArticle = (over: Partial<Article> = {}): Article => ({
      id: id('article'),
      title: 'Resetting your password',
      body: '# Steps\n1. Open settings',
      tags: [],
      locale: 'en',
      published: true,
      examples: [],
      createdAt: at(0),
      updatedAt: at(0),
      ...over,
    });
    const makeOutboxItem = (
      conversationId: string,
      over: Partial<OutboxItem> = {},
    ): Omit<OutboxItem, 'seq'> => ({
      conversationId,
      channel: 'discord',
      message: {
        conversationId,
        channel: 'discord',
        address: { channelId: '123' },
        authorKind: 'agent',
        authorName: 'Sam',
        text: 'On it',
        attachments: [],
        articles: [],
        actions: [],
        messageId: null,
      },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at(0),
      lastError: null,
      externalId: null,
      createdAt: at(0),
      sentAt: null,
      ...over,
    });

    /** A stored contact and conversation, the parents most rows need. */
    async function seedConversation(over: Partial<Conversation> = {}, repos: Repositories = store) {
      const contact = makeContact();
      await repos.contacts.create(contact);
      const conversation = makeConversation(contact.id, over);
      await repos.conversations.create(conversation);
      return { contact, conversation };
    }

    async function seedCase(over: Partial<Case> = {}) {
      const kase = makeCase(await store.cases.nextNumber(), over);
      await store.cases.create(kase);
      return kase;
    }

    const expectNotFound = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'not_found' });
    };

    describe('contacts', () => {
      it('round-trips every field, identities in order', async () => {
        const contact = makeContact({
          name: 'ليلى',
          avatarUrl: 'https://cdn.example.com/a.png',
          locale: 'ar',
          identities: [
            { channel: 'discord', externalId: id('u') },
            { channel: 'sms', externalId: id('+1') },
            { channel: 'webchat', externalId: id('v') },
          ],
        });
        await store.contacts.create(contact);
        expect(await store.contacts.get(contact.id)).toEqual(contact);

        const bare = makeContact();
        await store.contacts.create(bare);
        expect(await store.contacts.get(bare.id)).toEqual(bare);
        expect(await store.contacts.get(id('missing'))).toBeUndefined();
      });

      it('finds a contact by any identity', async () => {
        const discord = id('u');
        const phone = id('+44');
        const contact = makeContact({
          identities: [
            { channel: 'discord', externalId: discord },
            { channel: 'sms', externalId: phone },
          ],
        });
        await store.contacts.create(contact);
        expect((await store.contacts.findByIdentity('discord', discord))?.id).toBe(contact.id);
        expect(await store.contacts.findByIdentity('sms', phone)).toEqual(contact);
        expect(await store.contacts.findByIdentity('webchat', discord)).toBeUndefined();
      });

      it('update replaces fields and identities', async () => {
        const old = id('u');
        const contact = makeContact({ identities: [{ channel: 'discord', externalId: old }] });
        await store.contacts.create(contact);
        const fresh = id('u');
        const updated: Contact = {
          ...contact,
          name: 'Layla K.',
          locale: 'en-GB',
          identities: [{ channel: 'discord', externalId: fresh }],
        };
        await store.contacts.update(updated);
        expect(await store.contacts.get(contact.id)).toEqual(updated);
        expect(await store.contacts.findByIdentity('discord', old)).toBeUndefined();
        expect((await store.contacts.findByIdentity('discord', fresh))?.id).toBe(contact.id);
      });

      it('one identity belongs to one contact', async () => {
        const shared = { channel: 'discord', externalId: id('u') };
        await store.contacts.create(makeContact({ identities: [shared] }));
        const second = makeContact({ identities: [shared] });
        await expect(store.contacts.create(second)).rejects.toThrow();
        // The failed create left no half-written contact behind.
        expect(await store.contacts.get(second.id)).toBeUndefined();
      });

      it('update of a missing contact is not_found', async () => {
        await expectNotFound(store.contacts.update(makeContact()));
      });

      it('lists by a case-insensitive substring of the name or an identity, newest first, paged', async () => {
        const tag = randomUUID().slice(0, 8);
        const older = makeContact({
          name: `Old ${tag} Layla`,
          identities: [{ channel: 'webchat', externalId: id('v') }],
          createdAt: at(10),
        });
        const newer = makeContact({
          name: `NEW ${tag.toUpperCase()} Omar`,
          identities: [
            { channel: 'discord', externalId: id('u') },
            { channel: 'sms', externalId: id('+1') },
          ],
          createdAt: at(20),
        });
        const byIdentity = makeContact({
          name: 'Someone else',
          identities: [{ channel: 'discord', externalId: `MEMBER-${tag}-X` }],
          createdAt: at(15),
        });
        // `_` and `%` in the query are literal characters, not wildcards.
        const literal = makeContact({ name: `under_${tag}`, createdAt: at(5) });
        for (const c of [older, newer, byIdentity, literal]) await store.contacts.create(c);

        expect(await store.contacts.list({ text: tag })).toEqual([newer, byIdentity, older, literal]);
        expect((await store.contacts.list({ text: ` ${tag.toUpperCase()} omar ` })).map((c) => c.id)).toEqual(
          [newer.id],
        );
        expect((await store.contacts.list({ text: `member-${tag}` })).map((c) => c.id)).toEqual([
          byIdentity.id,
        ]);
        expect((await store.contacts.list({ text: `r_${tag}` })).map((c) => c.id)).toEqual([literal.id]);
        expect(await store.contacts.list({ text: `under%${tag}` })).toEqual([]);
        expect((await store.contacts.list({ text: tag, limit: 2, offset: 1 })).map((c) => c.id)).toEqual([
          byIdentity.id,
          older.id,
        ]);
        expect(await store.contacts.list({ text: `${tag}-nobody` })).toEqual([]);
        const all = await store.contacts.list({});
        expect(all.map((c) => c.id)).toEqual(expect.arrayContaining([older.id, newer.id]));
      });
    });

    describe('conversations', () => {
      it('round-trips every field, with values and with nulls', async () => {
        const { conversation: bare } = await seedConversation();
        expect(await store.conversations.get(bare.id)).toEqual(bare);

        const queue = { id: id('queue'), name: id('q'), skills: [], sendTranscript: false, createdAt: at(0) };
        await store.queues.create(queue);
        const kase = await seedCase();
        const agent = makeAgent();
        await store.agents.create(agent);
        const { conversation: full } = await seedConversation({
          channel: 'webchat',
          state: 'wrapping',
          address: { channelId: '42', nested: { thread: ['a', 1, true, null] } },
          queueId: queue.id,
          agentId: agent.id,
          caseId: kase.id,
          language: 'ar',
          wrapUpNote: 'Refund issued',
          queuedAt: at(1),
          assignedAt: at(2),
          firstAgentReplyAt: at(3),
          closedAt: at(4),
          updatedAt: at(5),
        });
        expect(await store.conversations.get(full.id)).toEqual(full);
        expect(await store.conversations.get(id('missing'))).toBeUndefined();
      });

      it('update changes every field; a missing one is not_found', async () => {
        const { conversation } = await seedConversation();
        const updated: Conversation = {
          ...conversation,
          state: 'assigned',
          address: { dm: '9' },
          agentId: id('agent'),
          language: 'fr',
          assignedAt: at(9),
          updatedAt: at(9),
        };
        await store.conversations.update(updated);
        expect(await store.conversations.get(conversation.id)).toEqual(updated);
        await expectNotFound(store.conversations.update(makeConversation(conversation.contactId)));
      });

      it('lists by every filter, newest update first', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const agentId = id('agent');
        const queueId = id('queue');
        const caseId = (await seedCase()).id;
        const a = makeConversation(contact.id, { state: 'assigned', agentId, queueId, updatedAt: at(10) });
        const b = makeConversation(contact.id, { state: 'closed', agentId, caseId, updatedAt: at(30) });
        const c = makeConversation(contact.id, { state: 'bot', channel: 'sms', updatedAt: at(20) });
        for (const conversation of [a, b, c]) await store.conversations.create(conversation);

        const ids = (list: Conversation[]) => list.map((x) => x.id);
        expect(ids(await store.conversations.list({ contactId: contact.id }))).toEqual([b.id, c.id, a.id]);
        expect(ids(await store.conversations.list({ contactId: contact.id, limit: 2 }))).toEqual([
          b.id,
          c.id,
        ]);
        expect(ids(await store.conversations.list({ contactId: contact.id, state: 'bot' }))).toEqual([c.id]);
        expect(
          ids(await store.conversations.list({ contactId: contact.id, state: ['assigned', 'closed'] })),
        ).toEqual([b.id, a.id]);
        expect(await store.conversations.list({ contactId: contact.id, state: [] })).toEqual([]);
        expect(ids(await store.conversations.list({ agentId }))).toEqual([b.id, a.id]);
        expect(ids(await store.conversations.list({ queueId }))).toEqual([a.id]);
        expect(ids(await store.conversations.list({ caseId }))).toEqual([b.id]);
        expect(ids(await store.conversations.list({ contactId: contact.id, channel: 'sms' }))).toEqual([
          c.id,
        ]);
        expect(await store.conversations.list({ contactId: contact.id, channel: 'flex' })).toEqual([]);
      });

      it('keeps the server a conversation came through, and lists by server', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const main = { id: id('guild'), name: 'Acme' };
        const regional = { id: id('guild'), name: 'Acme España' };
        const a = makeConversation(contact.id, { server: main, updatedAt: at(10) });
        const b = makeConversation(contact.id, { server: regional, channel: 'sms', updatedAt: at(20) });
        const c = makeConversation(contact.id, { updatedAt: at(30) });
        for (const conversation of [a, b, c]) await store.conversations.create(conversation);

        expect(await store.conversations.get(a.id)).toEqual(a);
        expect((await store.conversations.get(c.id))?.server).toBeUndefined();
        const ids = (list: Conversation[]) => list.map((x) => x.id);
        expect(ids(await store.conversations.list({ serverId: main.id }))).toEqual([a.id]);
        expect(ids(await store.conversations.list({ serverId: regional.id, contactId: contact.id }))).toEqual(
          [b.id],
        );
        // A conversation begun without a server takes one later; its name is kept as it was then.
        await store.conversations.update({ ...c, server: main, updatedAt: at(40) });
        expect(ids(await store.conversations.list({ serverId: main.id }))).toEqual([c.id, a.id]);
        expect((await store.conversations.get(c.id))?.server).toEqual(main);
      });

      it('activeSince selects conversations created, first answered or closed at or after the instant', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const since = at(100);
        const created = makeConversation(contact.id, { createdAt: at(100), updatedAt: at(100) });
        const answered = makeConversation(contact.id, {
          createdAt: at(50),
          firstAgentReplyAt: at(150),
          updatedAt: at(150),
        });
        const closed = makeConversation(contact.id, {
          state: 'closed',
          createdAt: at(10),
          firstAgentReplyAt: at(20),
          closedAt: at(200),
          updatedAt: at(200),
        });
        // Touched after `since` (say a late wrap-up note), but nothing it counts for happened then.
        const before = makeConversation(contact.id, {
          state: 'closed',
          createdAt: at(10),
          firstAgentReplyAt: at(20),
          closedAt: at(99),
          updatedAt: at(300),
        });
        for (const c of [created, answered, closed, before]) await store.conversations.create(c);
        const ids = (list: Conversation[]) => list.map((x) => x.id).sort();
        expect(ids(await store.conversations.list({ contactId: contact.id, activeSince: since }))).toEqual(
          [created.id, answered.id, closed.id].sort(),
        );
        expect(
          ids(
            await store.conversations.list({ contactId: contact.id, activeSince: at(160), state: 'closed' }),
          ),
        ).toEqual([closed.id]);
        expect(await store.conversations.list({ contactId: contact.id, activeSince: at(201) })).toEqual([]);
      });

      it('lists queued conversations oldest queuedAt first', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const queueId = id('queue');
        const late = makeConversation(contact.id, {
          state: 'queued',
          queueId,
          queuedAt: at(50),
          updatedAt: at(1),
        });
        const early = makeConversation(contact.id, {
          state: 'queued',
          queueId,
          queuedAt: at(5),
          updatedAt: at(99),
        });
        const middle = makeConversation(contact.id, {
          state: 'queued',
          queueId,
          queuedAt: at(20),
          updatedAt: at(50),
        });
        for (const conversation of [late, early, middle]) await store.conversations.create(conversation);
        const list = await store.conversations.list({ state: 'queued', queueId });
        expect(list.map((x) => x.id)).toEqual([early.id, middle.id, late.id]);
      });

      it('findOpen returns the contact’s conversation on that channel that is not closed', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        await store.conversations.create(makeConversation(contact.id, { state: 'closed', closedAt: at(1) }));
        expect(await store.conversations.findOpen(contact.id, 'discord')).toBeUndefined();
        const open = makeConversation(contact.id, { state: 'queued', queuedAt: at(2), updatedAt: at(2) });
        await store.conversations.create(open);
        await store.conversations.create(makeConversation(contact.id, { channel: 'sms', state: 'bot' }));
        expect(await store.conversations.findOpen(contact.id, 'discord')).toEqual(open);
        expect(await store.conversations.findOpen(contact.id, 'webchat')).toBeUndefined();
      });

      it('findOpenByIdentity reads the contact with every identity and their open conversation on that channel', async () => {
        const discordId = id('discord');
        const contact = makeContact({
          identities: [
            { channel: 'sms', externalId: id('+1555') },
            { channel: 'discord', externalId: discordId },
          ],
        });
        await store.contacts.create(contact);
        expect(await store.conversations.findOpenByIdentity('discord', id('nobody'))).toBeUndefined();
        await store.conversations.create(makeConversation(contact.id, { state: 'closed', closedAt: at(1) }));
        expect(await store.conversations.findOpenByIdentity('discord', discordId)).toEqual({
          contact,
          conversation: undefined,
          memberContexts: [],
        });
        const older = makeConversation(contact.id, { state: 'bot', updatedAt: at(2) });
        const newer = makeConversation(contact.id, {
          state: 'assigned',
          assignedAt: at(3),
          updatedAt: at(4),
        });
        const inThread = makeConversation(contact.id, { state: 'bot', thread: id('post'), updatedAt: at(9) });
        const elsewhere = makeConversation(contact.id, { channel: 'sms', state: 'bot', updatedAt: at(9) });
        for (const c of [older, newer, inThread, elsewhere]) await store.conversations.create(c);
        // As findOpen: the most recently updated one outside threads, or the thread's own.
        expect(await store.conversations.findOpenByIdentity('discord', discordId)).toEqual({
          contact,
          conversation: newer,
          memberContexts: [],
        });
        expect(await store.conversations.findOpenByIdentity('discord', discordId, inThread.thread)).toEqual({
          contact,
          conversation: inThread,
          memberContexts: [],
        });
        expect(await store.conversations.findOpenByIdentity('discord', discordId, id('other-post'))).toEqual({
          contact,
          conversation: undefined,
          memberContexts: [],
        });
        expect(await store.conversations.findOpenByIdentity('webchat', discordId)).toBeUndefined();
      });

      it('findOpenByIdentity reads the contact’s stored member contexts with them, and only theirs', async () => {
        const discordId = id('discord');
        const contact = makeContact({ identities: [{ channel: 'discord', externalId: discordId }] });
        const other = makeContact({ identities: [{ channel: 'discord', externalId: id('other') }] });
        for (const c of [contact, other]) await store.contacts.create(c);
        const open = makeConversation(contact.id, { state: 'bot' });
        await store.conversations.create(open);
        const context = {
          channel: 'discord' as const,
          server: { id: id('guild'), name: 'Brand HQ' },
          roles: [{ id: id('role'), name: 'VIP' }],
          joinedAt: at(1),
          boostingSince: null,
          accountCreatedAt: at(0),
          requestChannel: null,
          updatedAt: at(2),
        };
        await store.settings.set(`contact.member-context:${contact.id}`, [context]);
        await store.settings.set(`contact.member-context:${other.id}`, [{ ...context, roles: [] }]);
        expect(await store.conversations.findOpenByIdentity('discord', discordId)).toEqual({
          contact,
          conversation: open,
          memberContexts: [context],
        });
      });
    });

    describe('messages', () => {
      it('round-trips every field, JSON arrays included', async () => {
        const { conversation } = await seedConversation();
        const message = makeMessage(conversation.id, {
          authorKind: 'bot',
          authorId: null,
          text: 'Try this — مرحبا 👋',
          attachments: [
            { url: 'https://cdn.example.com/x.png', name: 'x.png', contentType: 'image/png' },
            { url: 'https://cdn.example.com/y.txt', name: 'y.txt' },
          ],
          articles: [{ id: 'a1', title: 'Reset', excerpt: 'Open settings', url: '/kb/a1', score: 0.87 }],
          externalId: id('ext'),
          createdAt: at(1),
        });
        expect(await store.messages.insert(message, 'discord')).toBe(true);
        expect(await store.messages.listByConversation(conversation.id)).toEqual([message]);
      });

      it('insert is idempotent on (channel, externalId)', async () => {
        const { conversation } = await seedConversation();
        const externalId = id('ext');
        const first = makeMessage(conversation.id, { externalId, text: 'first' });
        expect(await store.messages.insert(first, 'discord')).toBe(true);
        const redelivered = makeMessage(conversation.id, { externalId, text: 'again' });
        expect(await store.messages.insert(redelivered, 'discord')).toBe(false);
        expect(await store.messages.listByConversation(conversation.id)).toEqual([first]);
        expect(await store.messages.findByExternalId('discord', externalId)).toEqual(first);

        // The same id on another channel is another message; null ids never collide.
        const { conversation: sms } = await seedConversation({ channel: 'sms' });
        expect(await store.messages.insert(makeMessage(sms.id, { externalId }), 'sms')).toBe(true);
        expect(await store.messages.insert(makeMessage(conversation.id), 'discord')).toBe(true);
        expect(await store.messages.insert(makeMessage(conversation.id), 'discord')).toBe(true);
        expect(await store.messages.listByConversation(conversation.id)).toHaveLength(3);
        expect(await store.messages.findByExternalId('webchat', externalId)).toBeUndefined();
      });

      it('a duplicate insert inside a transaction does not spoil it', async () => {
        const { conversation } = await seedConversation();
        const externalId = id('ext');
        await store.messages.insert(makeMessage(conversation.id, { externalId }), 'discord');
        const note = makeMessage(conversation.id, { authorKind: 'system', text: 'after the duplicate' });
        await store.transaction(async (tx) => {
          expect(await tx.messages.insert(makeMessage(conversation.id, { externalId }), 'discord')).toBe(
            false,
          );
          expect(await tx.messages.insert(note, 'discord')).toBe(true);
        });
        expect((await store.messages.listByConversation(conversation.id)).map((m) => m.id)).toContain(
          note.id,
        );
      });

      it('lists oldest first, insertion order within the same instant', async () => {
        const { conversation } = await seedConversation();
        const later = makeMessage(conversation.id, { createdAt: at(10), text: 'later' });
        const first = makeMessage(conversation.id, { createdAt: at(5), text: 'first' });
        const second = makeMessage(conversation.id, { createdAt: at(5), text: 'second' });
        for (const m of [later, first, second]) await store.messages.insert(m, 'discord');
        const texts = (await store.messages.listByConversation(conversation.id)).map((m) => m.text);
        expect(texts).toEqual(['first', 'second', 'later']);
        expect(await store.messages.listByConversation(id('none'))).toEqual([]);
        // The newest ones only, in the same order.
        expect((await store.messages.listRecent(conversation.id, 2)).map((m) => m.text)).toEqual([
          'second',
          'later',
        ]);
        expect((await store.messages.listRecent(conversation.id, 10)).map((m) => m.text)).toEqual(texts);
        expect(await store.messages.listRecent(id('none'), 10)).toEqual([]);
      });
    });

    describe('cases', () => {
      it('numbers start at 1001 and increase', async () => {
        expect(firstCaseNumber).toBe(1001);
        const a = await store.cases.nextNumber();
        const b = await store.cases.nextNumber();
        expect(a).toBeGreaterThan(firstCaseNumber);
        expect(b).toBeGreaterThan(a);
      });

      it('numbers are unique under 50 concurrent callers', async () => {
        const numbers = await Promise.all(Array.from({ length: 50 }, () => store.cases.nextNumber()));
        expect(new Set(numbers).size).toBe(50);
        for (const n of numbers) expect(Number.isInteger(n)).toBe(true);
      });

      it('numbers are unique under concurrent transactions that each create a case', async () => {
        const tag = id('batch');
        const created = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.transaction(async (tx) => {
              const kase = makeCase(await tx.cases.nextNumber(), { subject: `${tag} ${i}`, tags: [tag] });
              await tx.cases.create(kase);
              await tx.cases.addTimelineEntry({
                id: id('tl'),
                caseId: kase.id,
                type: 'created',
                actor: { kind: 'system', id: null },
                data: {},
                at: at(0),
              });
              return kase;
            }),
          ),
        );
        expect(new Set(created.map((c) => c.number)).size).toBe(20);
        const stored = await store.cases.list({ text: tag });
        expect(stored).toHaveLength(20);
        for (const kase of created) expect(await store.cases.getByNumber(kase.number)).toEqual(kase);
      });

      it('round-trips every field', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const kase = makeCase(await store.cases.nextNumber(), {
          kind: 'bug',
          status: 'pending',
          priority: 'urgent',
          subject: 'App crashes on launch',
          contactId: contact.id,
          assigneeId: id('agent'),
          tags: ['crash', 'ios', 'v2'],
          fields: {
            description: 'Crashes',
            steps: '1. open',
            platform: 'iOS 17',
            version: '2.3.1',
            custom: 'x',
          },
          rating: 4,
          votes: 7,
          createdAt: at(1),
          updatedAt: at(2),
        });
        await store.cases.create(kase);
        expect(await store.cases.get(kase.id)).toEqual(kase);
        expect(await store.cases.getByNumber(kase.number)).toEqual(kase);
        expect(await store.cases.get(id('missing'))).toBeUndefined();
        expect(await store.cases.getByNumber(-1)).toBeUndefined();
      });

      it('update changes every field; a missing one is not_found', async () => {
        const kase = await seedCase();
        const updated: Case = {
          ...kase,
          status: 'solved',
          priority: 'high',
          subject: 'Renamed',
          assigneeId: id('agent'),
          tags: ['billing'],
          fields: { description: 'more detail' },
          rating: 5,
          updatedAt: at(50),
        };
        await store.cases.update(updated);
        expect(await store.cases.get(kase.id)).toEqual(updated);
        await expectNotFound(store.cases.update(makeCase(999_999_999)));
      });

      it('lists by kind, status, priority, assignee and contact, newest first, with paging', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const assigneeId = id('agent');
        const old = await seedCase({ contactId: contact.id, kind: 'bug', createdAt: at(1) });
        const mid = await seedCase({ contactId: contact.id, status: 'open', assigneeId, createdAt: at(2) });
        const recent = await seedCase({
          contactId: contact.id,
          priority: 'high',
          assigneeId,
          createdAt: at(3),
        });

        const ids = (list: Case[]) => list.map((c) => c.id);
        const mine = { contactId: contact.id };
        expect(ids(await store.cases.list(mine))).toEqual([recent.id, mid.id, old.id]);
        expect(ids(await store.cases.list({ ...mine, kind: 'bug' }))).toEqual([old.id]);
        expect(ids(await store.cases.list({ ...mine, status: 'open' }))).toEqual([mid.id]);
        expect(ids(await store.cases.list({ ...mine, priority: 'high' }))).toEqual([recent.id]);
        expect(ids(await store.cases.list({ assigneeId }))).toEqual([recent.id, mid.id]);
        expect(ids(await store.cases.list({ ...mine, limit: 2 }))).toEqual([recent.id, mid.id]);
        expect(ids(await store.cases.list({ ...mine, limit: 1, offset: 1 }))).toEqual([mid.id]);
        expect(ids(await store.cases.list({ ...mine, offset: 2 }))).toEqual([old.id]);
      });

      it('keeps the server a case came through, and lists by server with the other filters', async () => {
        const main = { id: id('guild'), name: 'Acme' };
        const regional = { id: id('guild'), name: 'Acme Brasil' };
        const a = await seedCase({ server: main, kind: 'bug', createdAt: at(1) });
        const b = await seedCase({ server: regional, createdAt: at(2) });
        const c = await seedCase({ server: main, createdAt: at(3) });
        const none = await seedCase({ createdAt: at(4) });

        expect(await store.cases.get(a.id)).toEqual(a);
        expect((await store.cases.get(none.id))?.server).toBeUndefined();
        const ids = (list: Case[]) => list.map((k) => k.id);
        expect(ids(await store.cases.list({ serverId: main.id }))).toEqual([c.id, a.id]);
        expect(ids(await store.cases.list({ serverId: main.id, kind: 'bug' }))).toEqual([a.id]);
        expect(ids(await store.cases.list({ serverId: regional.id }))).toEqual([b.id]);
        await store.cases.update({ ...b, server: main });
        expect(ids(await store.cases.list({ serverId: regional.id }))).toEqual([]);
        expect((await store.cases.getByNumber(b.number))?.server).toEqual(main);
      });

      it('text search is case-insensitive over subject and fields, and matches #number', async () => {
        const token = randomUUID().slice(0, 8);
        const bySubject = await seedCase({ subject: `Login BROKEN ${token}` });
        const byField = await seedCase({ subject: 'Other', fields: { steps: `tap Login-${token} twice` } });
        await seedCase({ subject: `100% off ${token}_x` });

        const ids = async (text: string) => (await store.cases.list({ text })).map((c) => c.id).sort();
        expect(await ids(`broken ${token.toUpperCase()}`)).toEqual([bySubject.id]);
        expect(await ids(`login-${token}`)).toEqual([byField.id]);
        expect(await ids(token)).toHaveLength(3);
        expect(await ids(`#${bySubject.number}`)).toEqual([bySubject.id]);
        expect(await ids(String(byField.number))).toContain(byField.id);
        // LIKE wildcards in the query are literal characters.
        expect(await ids(`0% off ${token}_`)).toHaveLength(1);
        expect(await ids(`${token}%`)).toEqual([]);
        expect(await ids(`${token.slice(0, 4)}_${token.slice(5)}`)).toEqual([]);
      });

      it('ratedSince selects rated cases whose rating was given at or after the instant', async () => {
        const contact = makeContact();
        await store.contacts.create(contact);
        const rate = async (kase: Case, rating: number, when: string) => {
          await store.cases.update({ ...kase, rating });
          await store.cases.addTimelineEntry({
            id: id('tl'),
            caseId: kase.id,
            type: 'rating',
            actor: { kind: 'contact', id: contact.id },
            data: { rating },
            at: when,
          });
        };
        const today = await seedCase({ contactId: contact.id });
        const yesterday = await seedCase({ contactId: contact.id });
        const unrated = await seedCase({ contactId: contact.id });
        await rate(today, 5, at(200));
        await rate(yesterday, 2, at(50));
        // Another kind of entry after `since` does not make a case rated.
        await store.cases.addTimelineEntry({
          id: id('tl'),
          caseId: unrated.id,
          type: 'note',
          actor: { kind: 'system', id: null },
          data: { text: 'rating?' },
          at: at(300),
        });
        const mine = { contactId: contact.id };
        const found = await store.cases.list({ ...mine, ratedSince: at(100) });
        expect(found.map((c) => [c.id, c.rating])).toEqual([[today.id, 5]]);
        expect((await store.cases.list({ ...mine, ratedSince: at(0) })).map((c) => c.id).sort()).toEqual(
          [today.id, yesterday.id].sort(),
        );
        expect(await store.cases.list({ ...mine, ratedSince: at(201) })).toEqual([]);
      });

      it('keeps a timeline, oldest first, every field round-tripped', async () => {
        const kase = await seedCase();
        const entries: TimelineEntry[] = [
          {
            id: id('tl'),
            caseId: kase.id,
            type: 'created',
            actor: { kind: 'system', id: null },
            data: {},
            at: at(1),
          },
          {
            id: id('tl'),
            caseId: kase.id,
            type: 'status',
            actor: { kind: 'agent', id: id('agent') },
            data: { from: 'new', to: 'open', nested: { list: [1, 'two', null, false] } },
            at: at(2),
          },
          {
            id: id('tl'),
            caseId: kase.id,
            type: 'note',
            actor: { kind: 'contact', id: id('contact') },
            data: { text: 'same instant as status' },
            at: at(2),
          },
        ];
        await store.cases.addTimelineEntry(entries[2]!);
        await store.cases.addTimelineEntry(entries[0]!);
        await store.cases.addTimelineEntry(entries[1]!);
        const timeline = await store.cases.listTimeline(kase.id);
        // Same instant: insertion order.
        expect(timeline).toEqual([entries[0], entries[2], entries[1]]);
        expect(await store.cases.listTimeline(id('none'))).toEqual([]);
      });

      it('counts one vote per voter', async () => {
        const kase = await seedCase({ kind: 'feature' });
        expect(await store.cases.addVote(kase.id, 'voter-1')).toBe(true);
        expect(await store.cases.addVote(kase.id, 'voter-1')).toBe(false);
        expect(await store.cases.addVote(kase.id, 'voter-2')).toBe(true);
        expect((await store.cases.get(kase.id))?.votes).toBe(2);
        const other = await seedCase({ kind: 'feature' });
        expect(await store.cases.addVote(other.id, 'voter-1')).toBe(true);
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.cases.addVote(other.id, 'voter-3')),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.cases.get(other.id))?.votes).toBe(2);
        await expectNotFound(store.cases.addVote(id('missing'), 'voter-1'));
        expect(await store.cases.listVoters(kase.id)).toEqual(['voter-1', 'voter-2']);
        expect(await store.cases.listVoters(other.id)).toEqual(['voter-1', 'voter-3']);
        expect(await store.cases.listVoters(id('none'))).toEqual([]);
      });

      it('lists the most voted first with sort=votes, newest first among equals', async () => {
        const tag = id('sorted');
        const few = await seedCase({ kind: 'feature', tags: [tag], createdAt: '2026-02-01T00:00:00.000Z' });
        const many = await seedCase({ kind: 'feature', tags: [tag], createdAt: '2026-02-02T00:00:00.000Z' });
        const none = await seedCase({ kind: 'feature', tags: [tag], createdAt: '2026-02-03T00:00:00.000Z' });
        const older = await seedCase({ kind: 'feature', tags: [tag], createdAt: '2026-01-01T00:00:00.000Z' });
        for (const voter of ['a', 'b', 'c']) await store.cases.addVote(many.id, voter);
        await store.cases.addVote(few.id, 'a');
        await store.cases.addVote(older.id, 'a');
        const mine = (cases: Case[]) => cases.filter((c) => c.tags.includes(tag)).map((c) => c.id);
        expect(mine(await store.cases.list({ kind: 'feature', sort: 'votes' }))).toEqual([
          many.id,
          few.id,
          older.id,
          none.id,
        ]);
        expect(mine(await store.cases.list({ kind: 'feature' }))).toEqual([
          none.id,
          many.id,
          few.id,
          older.id,
        ]);
      });
    });

    describe('agents', () => {
      it('round-trips every field and finds by e-mail, case-insensitively', async () => {
        const agent = makeAgent({
          email: `${id('Mixed')}@Example.COM`,
          role: 'supervisor',
          skills: ['billing', 'arabic'],
          capacity: 5,
          presence: 'available',
          passwordHash: 'scrypt$abc',
          idleSince: at(3),
        });
        await store.agents.create(agent);
        expect(await store.agents.get(agent.id)).toEqual(agent);
        expect(await store.agents.getByEmail(agent.email)).toEqual(agent);
        expect(await store.agents.getByEmail(agent.email.toUpperCase())).toEqual(agent);
        expect(await store.agents.getByEmail('nobody@example.com')).toBeUndefined();
        expect(await store.agents.get(id('missing'))).toBeUndefined();
      });

      it('an e-mail address belongs to one agent', async () => {
        const agent = makeAgent();
        await store.agents.create(agent);
        await expect(
          store.agents.create(makeAgent({ email: agent.email.toUpperCase() })),
        ).rejects.toMatchObject({
          kind: 'conflict',
        });
      });

      it('lists oldest first and updates; a missing one is not_found', async () => {
        const a = makeAgent({ createdAt: at(1, 2001) });
        const b = makeAgent({ createdAt: at(2, 2001) });
        await store.agents.create(b);
        await store.agents.create(a);
        const listed = (await store.agents.list()).map((x) => x.id);
        expect(listed.indexOf(a.id)).toBeGreaterThanOrEqual(0);
        expect(listed.indexOf(a.id)).toBeLessThan(listed.indexOf(b.id));
        const updated: Agent = {
          ...a,
          presence: 'away',
          skills: [],
          capacity: 1,
          passwordHash: 'h',
          name: 'A',
          status: 'deactivated',
        };
        await store.agents.update(updated);
        expect(await store.agents.get(a.id)).toEqual(updated);
        await expectNotFound(store.agents.update(makeAgent()));
      });

      it('turns available agents without a recent heartbeat away, once, and keeps those with one', async () => {
        const seen = makeAgent({ presence: 'available' });
        const stale = makeAgent({ presence: 'available' });
        const never = makeAgent({ presence: 'available' });
        const away = makeAgent({ presence: 'away' });
        for (const agent of [seen, stale, never, away]) await store.agents.create(agent);
        await store.agents.touch(seen.id, at(10));
        await store.agents.touch(stale.id, at(5));
        // An update from a copy read before the heartbeat does not undo it.
        await store.agents.update({ ...seen, name: 'Seen' });
        const mine = new Set([seen.id, stale.id, never.id, away.id]);
        const changed = (await store.agents.markAwayUnseenSince(at(8))).filter((a) => mine.has(a.id));
        expect(changed.map((a) => a.id).sort()).toEqual([stale.id, never.id].sort());
        expect(changed.every((a) => a.presence === 'away')).toBe(true);
        expect((await store.agents.get(seen.id))?.presence).toBe('available');
        const again = (await store.agents.markAwayUnseenSince(at(8))).filter((a) => mine.has(a.id));
        expect(again).toEqual([]);
      });
    });

    describe('queues', () => {
      it('creates, finds, lists by name, updates and deletes', async () => {
        const prefix = id('q');
        const b: Queue = {
          id: id('queue'),
          name: `${prefix}-b`,
          skills: ['billing'],
          sendTranscript: true,
          createdAt: at(1),
        };
        const a: Queue = {
          id: id('queue'),
          name: `${prefix}-a`,
          skills: [],
          sendTranscript: false,
          createdAt: at(2),
        };
        await store.queues.create(b);
        await store.queues.create(a);
        expect(await store.queues.get(b.id)).toEqual(b);
        expect(await store.queues.getByName(a.name)).toEqual(a);
        expect(await store.queues.getByName(id('none'))).toBeUndefined();
        const mine = (await store.queues.list()).filter((q) => q.name.startsWith(prefix));
        expect(mine).toEqual([a, b]);

        // The transcript setting is kept as set, on and off again.
        const renamed = { ...b, name: `${prefix}-c`, skills: ['billing', 'vip'], sendTranscript: false };
        await store.queues.update(renamed);
        expect(await store.queues.get(b.id)).toEqual(renamed);
        await expectNotFound(store.queues.update({ ...a, id: id('missing') }));

        await store.queues.delete(a.id);
        expect(await store.queues.get(a.id)).toBeUndefined();
        await store.queues.delete(a.id);
      });

      it('a queue name is unique', async () => {
        const name = id('q');
        await store.queues.create({
          id: id('queue'),
          name,
          skills: [],
          sendTranscript: false,
          createdAt: at(0),
        });
        await expect(
          store.queues.create({ id: id('queue'), name, skills: [], sendTranscript: false, createdAt: at(0) }),
        ).rejects.toMatchObject({ kind: 'conflict', message: `a queue named ${name} already exists` });
      });
    });

    describe('reservations', () => {
      const makeReservation = (conversationId: string, over: Partial<Reservation> = {}): Reservation => ({
        id: id('res'),
        conversationId,
        queueId: id('queue'),
        agentId: id('agent'),
        status: 'pending',
        createdAt: at(0),
        expiresAt: at(30),
        respondedAt: null,
        ...over,
      });

      it('round-trips, updates, and a missing one is not_found', async () => {
        const { conversation } = await seedConversation();
        const reservation = makeReservation(conversation.id);
        await store.reservations.create(reservation);
        expect(await store.reservations.get(reservation.id)).toEqual(reservation);
        const accepted: Reservation = { ...reservation, status: 'accepted', respondedAt: at(10) };
        await store.reservations.update(accepted);
        expect(await store.reservations.get(reservation.id)).toEqual(accepted);
        expect(await store.reservations.get(id('missing'))).toBeUndefined();
        await expectNotFound(store.reservations.update(makeReservation(conversation.id)));
      });

      it('lists by status, agent and conversation, oldest first', async () => {
        const { conversation } = await seedConversation();
        const agentId = id('agent');
        const second = makeReservation(conversation.id, { agentId, createdAt: at(2) });
        const first = makeReservation(conversation.id, { agentId, status: 'rejected', createdAt: at(1) });
        const other = makeReservation(conversation.id, { createdAt: at(3), status: 'timed_out' });
        for (const r of [second, first, other]) await store.reservations.create(r);
        const ids = (list: Reservation[]) => list.map((r) => r.id);
        expect(ids(await store.reservations.list({ conversationId: conversation.id }))).toEqual([
          first.id,
          second.id,
          other.id,
        ]);
        expect(ids(await store.reservations.list({ agentId }))).toEqual([first.id, second.id]);
        expect(ids(await store.reservations.list({ agentId, status: 'pending' }))).toEqual([second.id]);
        expect(
          ids(await store.reservations.list({ conversationId: conversation.id, status: 'timed_out' })),
        ).toEqual([other.id]);
      });

      it('listExpired gives pending reservations expiring at or before now', async () => {
        // One conversation each: a conversation has one pending offer at a time.
        const ids = await Promise.all(
          [1, 2, 3, 4].map(async () => (await seedConversation()).conversation.id),
        );
        // A year of its own, so other tests' reservations do not interfere.
        const year = 1991;
        const expired = makeReservation(ids[0]!, { expiresAt: at(10, year) });
        const exactlyNow = makeReservation(ids[1]!, { expiresAt: at(20, year) });
        const later = makeReservation(ids[2]!, { expiresAt: at(21, year) });
        const answered = makeReservation(ids[3]!, { expiresAt: at(5, year), status: 'accepted' });
        for (const r of [later, exactlyNow, answered, expired]) await store.reservations.create(r);
        const result = (await store.reservations.listExpired(at(20, year))).filter((r) =>
          ids.includes(r.conversationId),
        );
        expect(result.map((r) => r.id)).toEqual([expired.id, exactlyNow.id]);
      });
    });

    describe('outbox', () => {
      it('assigns increasing seq and round-trips every field', async () => {
        const { conversation } = await seedConversation();
        const item = makeOutboxItem(conversation.id, {
          message: {
            conversationId: conversation.id,
            channel: 'discord',
            address: { channelId: '1', thread: { id: '2' } },
            authorKind: 'bot',
            authorName: null,
            text: 'Did this help?',
            attachments: [{ url: 'https://x/y.png', name: 'y.png', contentType: 'image/png' }],
            articles: [{ id: 'a', title: 'T', excerpt: 'E', url: '/a', score: 1.5 }],
            actions: [
              { id: 'resolved', label: 'This solved it' },
              { id: 'handoff', label: 'Talk to a person' },
            ],
            messageId: id('msg'),
          },
          attempts: 2,
          lastError: 'HTTP 429',
          nextAttemptAt: at(7),
        });
        const first = await store.outbox.add(item);
        const second = await store.outbox.add(makeOutboxItem(conversation.id));
        expect(first).toEqual({ ...item, seq: first.seq });
        expect(Number.isInteger(first.seq)).toBe(true);
        expect(second.seq).toBeGreaterThan(first.seq);
        expect(await store.outbox.listByConversation(conversation.id)).toEqual([first, second]);
      });

      it('update stores the delivery outcome; a missing item is not_found', async () => {
        const { conversation } = await seedConversation();
        const item = await store.outbox.add(makeOutboxItem(conversation.id));
        const sent: OutboxItem = {
          ...item,
          status: 'sent',
          attempts: 1,
          externalId: '998877',
          sentAt: at(3),
        };
        await store.outbox.update(sent);
        expect(await store.outbox.listByConversation(conversation.id)).toEqual([sent]);
        await expectNotFound(store.outbox.update({ ...item, seq: 2_000_000_000 }));
      });

      it('listDue gives each conversation’s oldest pending item only, if due, lowest seq first', async () => {
        const year = 2030;
        const now = at(100, year);
        const due = at(50, year);
        const notYet = at(200, year);
        const { conversation: a } = await seedConversation();
        const { conversation: b } = await seedConversation();
        const { conversation: c } = await seedConversation();
        const { conversation: d } = await seedConversation();
        const a1 = await store.outbox.add(makeOutboxItem(a.id, { nextAttemptAt: due }));
        const b1 = await store.outbox.add(makeOutboxItem(b.id, { nextAttemptAt: notYet, attempts: 1 }));
        const a2 = await store.outbox.add(makeOutboxItem(a.id, { nextAttemptAt: due }));
        await store.outbox.add(makeOutboxItem(b.id, { nextAttemptAt: due }));
        // Sent and failed items do not hold a conversation back.
        await store.outbox.add(makeOutboxItem(c.id, { status: 'sent', sentAt: due }));
        await store.outbox.add(makeOutboxItem(c.id, { status: 'failed', lastError: 'gone' }));
        const c3 = await store.outbox.add(makeOutboxItem(c.id, { nextAttemptAt: now }));
        const d1 = await store.outbox.add(makeOutboxItem(d.id, { nextAttemptAt: due }));
        const mine = new Set([a.id, b.id, c.id, d.id]);
        const listDue = async () =>
          (await store.outbox.listDue(now, 1000))
            .filter((i) => mine.has(i.conversationId ?? ''))
            .map((i) => i.seq);

        expect(await listDue()).toEqual([a1.seq, c3.seq, d1.seq]);
        await store.outbox.update({ ...a1, status: 'sent', sentAt: now });
        expect(await listDue()).toEqual([a2.seq, c3.seq, d1.seq]);
        await store.outbox.update({ ...b1, nextAttemptAt: due });
        expect(await listDue()).toEqual([b1.seq, a2.seq, c3.seq, d1.seq]);
      });

      it('listDue honours the limit', async () => {
        // Dates of its own, so nothing else stored is due at this `now`.
        const year = 1990;
        const items = [];
        for (let i = 0; i < 4; i++) {
          const { conversation } = await seedConversation();
          items.push(await store.outbox.add(makeOutboxItem(conversation.id, { nextAttemptAt: at(i, year) })));
        }
        const due = await store.outbox.listDue(at(10, year), 3);
        expect(due.map((i) => i.seq)).toEqual(items.slice(0, 3).map((i) => i.seq));
        expect(await store.outbox.listDue(at(0, 1980), 10)).toEqual([]);
      });

      it('claimDue leases heads once, keeps order behind a claimed head, and finish needs the claim', async () => {
        const year = 1995;
        const { conversation } = await seedConversation();
        const first = await store.outbox.add(makeOutboxItem(conversation.id, { nextAttemptAt: at(0, year) }));
        const second = await store.outbox.add(
          makeOutboxItem(conversation.id, { nextAttemptAt: at(0, year) }),
        );
        const claim = (owner: string, now = at(10, year)) =>
          store.outbox.claimDue({ now, leaseUntil: at(70, year), owner, limit: 10 });
        const mine = (items: OutboxItem[]) => items.filter((i) => i.conversationId === conversation.id);
        expect(mine(await claim('one')).map((i) => i.seq)).toEqual([first.seq]);
        // Held by `one`: neither it nor the item behind it goes to `two` while the lease runs.
        expect(mine(await claim('two'))).toEqual([]);
        expect(await store.outbox.finish({ ...first, status: 'sent', sentAt: at(11, year) }, 'two')).toBe(
          false,
        );
        expect(await store.outbox.finish({ ...first, status: 'sent', sentAt: at(11, year) }, 'one')).toBe(
          true,
        );
        expect(mine(await claim('two')).map((i) => i.seq)).toEqual([second.seq]);
        // The lease ran out (its holder died): another owner takes the item.
        expect(mine(await claim('three', at(70, year))).map((i) => i.seq)).toEqual([second.seq]);
      });

      it('resend makes a failed item pending again; not_found and conflict otherwise', async () => {
        const { conversation } = await seedConversation();
        const failed = await store.outbox.add(
          makeOutboxItem(conversation.id, { status: 'failed', lastError: 'x' }),
        );
        const sent = await store.outbox.add(
          makeOutboxItem(conversation.id, { status: 'sent', sentAt: at(1) }),
        );
        expect(await store.outbox.resend(conversation.id, failed.seq, at(5))).toMatchObject({
          seq: failed.seq,
          status: 'pending',
          nextAttemptAt: at(5),
        });
        await expect(store.outbox.resend(conversation.id, sent.seq, at(5))).rejects.toMatchObject({
          kind: 'conflict',
        });
        await expect(store.outbox.resend('no-such-conversation', failed.seq, at(5))).rejects.toMatchObject({
          kind: 'not_found',
        });
      });

      it('health counts pending (with the oldest) and recently failed items per channel', async () => {
        const { conversation } = await seedConversation();
        const channel = id('channel');
        const item = (over: Partial<OutboxItem>) => makeOutboxItem(conversation.id, { channel, ...over });
        await store.outbox.add(item({ createdAt: at(20) }));
        await store.outbox.add(item({ createdAt: at(10) }));
        await store.outbox.add(item({ status: 'sent', sentAt: at(30) }));
        await store.outbox.add(item({ status: 'failed', nextAttemptAt: at(40), lastError: 'refused' }));
        await store.outbox.add(item({ status: 'failed', nextAttemptAt: at(5), lastError: 'long ago' }));
        const mine = async (since: string) =>
          (await store.outbox.health(since)).filter((h) => h.channel === channel);
        expect(await mine(at(30))).toEqual([
          { channel, pending: 2, oldestPendingAt: at(10), recentlyFailed: 1 },
        ]);
        expect(await mine(at(0))).toEqual([
          { channel, pending: 2, oldestPendingAt: at(10), recentlyFailed: 2 },
        ]);
      });
    });

    describe('articles', () => {
      it('round-trips every field, booleans included', async () => {
        const article = makeArticle({
          title: 'إعادة تعيين كلمة المرور',
          locale: 'ar',
          published: false,
          tags: ['account', 'security'],
          examples: ['I forgot my password', 'نسيت كلمة المرور'],
        });
        await store.articles.create(article);
        expect(await store.articles.get(article.id)).toEqual(article);
        const published = makeArticle();
        await store.articles.create(published);
        expect(await store.articles.get(published.id)).toEqual(published);
        expect(await store.articles.get(id('missing'))).toBeUndefined();
      });

      it('lists by locale and published, newest update first, with paging', async () => {
        const locale = id('xx');
        const older = makeArticle({ locale, updatedAt: at(1) });
        const draft = makeArticle({ locale, published: false, updatedAt: at(2) });
        const newer = makeArticle({ locale, updatedAt: at(3) });
        for (const a of [older, draft, newer]) await store.articles.create(a);
        const ids = (list: Article[]) => list.map((a) => a.id);
        expect(ids(await store.articles.list({ locale }))).toEqual([newer.id, draft.id, older.id]);
        expect(ids(await store.articles.list({ locale, published: true }))).toEqual([newer.id, older.id]);
        expect(ids(await store.articles.list({ locale, published: false }))).toEqual([draft.id]);
        expect(ids(await store.articles.list({ locale, limit: 1, offset: 1 }))).toEqual([draft.id]);
        expect(ids(await store.articles.list({ locale, offset: 2 }))).toEqual([older.id]);
      });

      it('updates, deletes and counts', async () => {
        const before = await store.articles.count();
        const article = makeArticle();
        await store.articles.create(article);
        expect(await store.articles.count()).toBe(before + 1);
        const edited = { ...article, body: 'new body', published: false, examples: ['x'], updatedAt: at(9) };
        await store.articles.update(edited);
        expect(await store.articles.get(article.id)).toEqual(edited);
        await expectNotFound(store.articles.update(makeArticle()));
        await store.articles.delete(article.id);
        expect(await store.articles.get(article.id)).toBeUndefined();
        expect(await store.articles.count()).toBe(before);
      });

      it('logs every create, update and delete, in order, only when it commits', async () => {
        const { last } = await store.articles.changeLogBounds();
        const a = makeArticle();
        const b = makeArticle();
        await store.articles.create(a);
        await store.articles.update({ ...a, body: 'changed', updatedAt: at(5) });
        await store.articles.create(b);
        await store.articles.delete(a.id);
        // Writes that change nothing or fail log nothing.
        await store.articles.delete(a.id);
        await expectNotFound(store.articles.update(makeArticle()));
        const boom = new Error('rolled back');
        await expect(
          store.transaction(async (tx) => {
            await tx.articles.create(makeArticle());
            throw boom;
          }),
        ).rejects.toBe(boom);

        const changes = await store.articles.changesSince(last, 100);
        expect(changes.map((c) => c.articleId)).toEqual([a.id, a.id, b.id, a.id]);
        const seqs = changes.map((c) => c.seq);
        expect(seqs[0]).toBeGreaterThan(last);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(4);
        expect(await store.articles.changesSince(last, 2)).toEqual(changes.slice(0, 2));
        expect(await store.articles.changesSince(seqs[3]!, 100)).toEqual([]);
        expect((await store.articles.changeLogBounds()).last).toBe(seqs[3]);
      });

      it('forgets older changes, never the newest, and keeps counting after them', async () => {
        const article = makeArticle();
        await store.articles.create(article);
        await store.articles.update({ ...article, title: 'again' });
        const { last } = await store.articles.changeLogBounds();
        await store.articles.forgetChangesBefore(last + 100);
        expect(await store.articles.changeLogBounds()).toEqual({ first: last, last });
        await store.articles.delete(article.id);
        const after = await store.articles.changesSince(last, 10);
        expect(after.map((c) => c.articleId)).toEqual([article.id]);
        expect(after[0]!.seq).toBeGreaterThan(last);
      });
    });

    describe('canned responses', () => {
      const makeCanned = (over: Partial<CannedResponse> = {}): CannedResponse => ({
        id: id('canned'),
        shortcut: `r-${randomUUID().slice(0, 8)}`,
        title: 'Refund policy',
        text: 'Refunds take 5 to 7 days.',
        locale: null,
        createdAt: at(0),
        updatedAt: at(0),
        ...over,
      });

      it('round-trips every field, finds by shortcut, updates and deletes', async () => {
        const arabic = makeCanned({ title: 'استرداد', text: 'يستغرق الاسترداد ٥ أيام.', locale: 'ar' });
        const plain = makeCanned();
        await store.cannedResponses.create(arabic);
        await store.cannedResponses.create(plain);
        expect(await store.cannedResponses.get(arabic.id)).toEqual(arabic);
        expect(await store.cannedResponses.get(plain.id)).toEqual(plain);
        expect(await store.cannedResponses.getByShortcut(arabic.shortcut)).toEqual(arabic);
        expect(await store.cannedResponses.get(id('missing'))).toBeUndefined();
        expect(await store.cannedResponses.getByShortcut(id('missing'))).toBeUndefined();

        const edited = {
          ...plain,
          shortcut: `${plain.shortcut}-x`,
          text: 'new',
          locale: 'en',
          updatedAt: at(9),
        };
        await store.cannedResponses.update(edited);
        expect(await store.cannedResponses.get(plain.id)).toEqual(edited);
        expect(await store.cannedResponses.getByShortcut(plain.shortcut)).toBeUndefined();
        await expectNotFound(store.cannedResponses.update(makeCanned()));

        await store.cannedResponses.delete(plain.id);
        expect(await store.cannedResponses.get(plain.id)).toBeUndefined();
        await store.cannedResponses.delete(plain.id);
      });

      it('a shortcut is unique', async () => {
        const first = makeCanned();
        await store.cannedResponses.create(first);
        await expect(
          store.cannedResponses.create(makeCanned({ shortcut: first.shortcut })),
        ).rejects.toMatchObject({ kind: 'conflict' });
        const other = makeCanned();
        await store.cannedResponses.create(other);
        await expect(
          store.cannedResponses.update({ ...other, shortcut: first.shortcut }),
        ).rejects.toMatchObject({
          kind: 'conflict',
        });
        expect(await store.cannedResponses.get(other.id)).toEqual(other);
      });

      it('lists by shortcut; text search is case-insensitive over shortcut, title and text', async () => {
        const token = randomUUID().slice(0, 8);
        const b = makeCanned({ shortcut: `${token}-b`, title: 'Shipping', text: 'Parcels LEAVE in 2 days' });
        const a = makeCanned({ shortcut: `${token}-a`, title: `Über ${token}`, text: 'x' });
        const c = makeCanned({ title: 'Discount', text: `100% off, code ${token}_X` });
        for (const r of [b, a, c]) await store.cannedResponses.create(r);

        const ids = async (text: string, limit?: number) =>
          (await store.cannedResponses.list(limit === undefined ? { text } : { text, limit })).map(
            (r) => r.id,
          );
        // Hex tokens sort before `r-…`, in any collation.
        expect(await ids(token)).toEqual([a.id, b.id, c.id]);
        expect(await ids(`${token}-B`)).toEqual([b.id]);
        expect(await ids(`über ${token.toUpperCase()}`)).toEqual([a.id]);
        expect((await ids('parcels leave')).includes(b.id)).toBe(true);
        expect(await ids(token, 1)).toHaveLength(1);
        // LIKE wildcards in the query are literal characters.
        expect(await ids(`0% off, code ${token}_`)).toEqual([c.id]);
        expect(await ids(`${token}%`)).toEqual([]);
        expect((await store.cannedResponses.list({})).map((r) => r.id)).toEqual(
          expect.arrayContaining([a.id, b.id, c.id]),
        );
      });
    });

    describe('flows', () => {
      const makeFlow = (over: Partial<Flow> = {}): Flow => ({
        id: id('flow'),
        name: 'Default',
        active: false,
        updatedAt: at(0),
        definition: {
          initial: 'trigger',
          states: [
            { name: 'trigger', type: 'trigger', next: 'split' },
            {
              name: 'split',
              type: 'split',
              conditions: [{ subject: 'message.text', operator: 'is_handoff_request', next: 'queue' }],
              otherwise: 'va',
            },
            { name: 'va', type: 'virtual-agent', onHandoff: 'queue' },
            { name: 'queue', type: 'send-to-queue', queue: 'Support' },
          ],
        },
        ...over,
      });

      it('saves, replaces and round-trips the definition', async () => {
        const flow = makeFlow();
        await store.flows.save(flow);
        expect(await store.flows.get(flow.id)).toEqual(flow);
        const replaced = {
          ...flow,
          name: 'Renamed',
          definition: { initial: 't', states: [] },
          updatedAt: at(5),
        };
        await store.flows.save(replaced);
        expect(await store.flows.get(flow.id)).toEqual(replaced);
        expect((await store.flows.list()).filter((f) => f.id === flow.id)).toEqual([replaced]);
        expect(await store.flows.get(id('missing'))).toBeUndefined();
      });

      it('saving an active flow deactivates every other', async () => {
        const a = makeFlow({ active: true, name: 'A' });
        await store.flows.save(a);
        expect(await store.flows.getActive()).toEqual(a);
        const b = makeFlow({ active: true, name: 'B' });
        await store.flows.save(b);
        expect(await store.flows.getActive()).toEqual(b);
        expect((await store.flows.get(a.id))?.active).toBe(false);
        // Saving an inactive flow leaves the active one alone.
        await store.flows.save(makeFlow({ name: 'C' }));
        expect((await store.flows.getActive())?.id).toBe(b.id);
        expect((await store.flows.list()).filter((f) => f.active)).toEqual([b]);
        await store.flows.save({ ...a, active: true, updatedAt: at(9) });
        expect((await store.flows.list()).filter((f) => f.active).map((f) => f.id)).toEqual([a.id]);
      });
    });

    describe('sessions and API tokens', () => {
      it('creates, finds by token hash and deletes sessions', async () => {
        const agent = makeAgent();
        await store.agents.create(agent);
        const session: Session = {
          id: id('session'),
          tokenHash: id('hash'),
          agentId: agent.id,
          expiresAt: at(3600),
          createdAt: at(0),
        };
        await store.sessions.create(session);
        expect(await store.sessions.findByTokenHash(session.tokenHash)).toEqual(session);
        expect(await store.sessions.findByTokenHash(id('other'))).toBeUndefined();
        await store.sessions.delete(session.id);
        expect(await store.sessions.findByTokenHash(session.tokenHash)).toBeUndefined();
      });

      it("ends all of one agent's sessions and tokens, no one else's", async () => {
        const agent = makeAgent();
        const other = makeAgent();
        await store.agents.create(agent);
        await store.agents.create(other);
        const session = (agentId: string): Session => ({
          id: id('session'),
          tokenHash: id('hash'),
          agentId,
          expiresAt: at(3600),
          createdAt: at(0),
        });
        const token = (agentId: string): ApiToken => ({
          id: id('token'),
          name: 'ci',
          tokenHash: id('hash'),
          agentId,
          createdAt: at(0),
          expiresAt: null,
        });
        const [s1, s2, kept] = [session(agent.id), session(agent.id), session(other.id)];
        const [t1, keptToken] = [token(agent.id), token(other.id)];
        for (const s of [s1, s2, kept]) await store.sessions.create(s);
        for (const t of [t1, keptToken]) await store.apiTokens.create(t);
        expect((await store.sessions.deleteByAgent(agent.id)).sort()).toEqual([s1.id, s2.id].sort());
        expect(await store.apiTokens.deleteByAgent(agent.id)).toEqual([t1.id]);
        expect(await store.sessions.findByTokenHash(s1.tokenHash)).toBeUndefined();
        expect(await store.apiTokens.get(t1.id)).toBeUndefined();
        expect(await store.sessions.findByTokenHash(kept.tokenHash)).toEqual(kept);
        expect(await store.apiTokens.get(keptToken.id)).toEqual(keptToken);
      });

      it('creates, finds, lists by agent and deletes API tokens', async () => {
        const agent = makeAgent();
        await store.agents.create(agent);
        const make = (n: number): ApiToken => ({
          id: id('token'),
          name: `ci-${n}`,
          tokenHash: id('hash'),
          agentId: agent.id,
          createdAt: at(n),
          expiresAt: n === 1 ? at(3600) : null,
        });
        const second = make(2);
        const first = make(1);
        await store.apiTokens.create(second);
        await store.apiTokens.create(first);
        expect(await store.apiTokens.findByTokenHash(first.tokenHash)).toEqual(first);
        expect(await store.apiTokens.listByAgent(agent.id)).toEqual([first, second]);
        await store.apiTokens.delete(first.id);
        expect(await store.apiTokens.findByTokenHash(first.tokenHash)).toBeUndefined();
        expect(await store.apiTokens.listByAgent(agent.id)).toEqual([second]);
        expect(await store.apiTokens.listByAgent(id('nobody'))).toEqual([]);
      });
    });

    describe('settings', () => {
      it('round-trips JSON values and overwrites', async () => {
        const key = id('setting');
        expect(await store.settings.get(key)).toBeUndefined();
        const value = {
          guildId: '123',
          channels: ['a', 'b'],
          enabled: true,
          limit: 2.5,
          none: null,
          nested: { x: 1 },
        };
        await store.settings.set(key, value);
        expect(await store.settings.get(key)).toEqual(value);
        for (const v of ['text', 42, false, null, [1, 'two'], { ok: 'مرحبا' }]) {
          await store.settings.set(key, v);
          expect(await store.settings.get(key)).toEqual(v);
        }
      });
    });

    describe('example proposals', () => {
      const makeProposal = (articleId: string, over: Partial<ExampleProposal> = {}): ExampleProposal => ({
        id: id('proposal'),
        articleId,
        question: 'how do i reset my password',
        source: 'resolved',
        conversationId: null,
        status: 'pending',
        createdAt: at(0),
        decidedAt: null,
        decidedBy: null,
        ...over,
      });

      it('round-trips, updates, lists oldest first by status and article', async () => {
        const article = makeArticle();
        await store.articles.create(article);
        const { conversation } = await seedConversation();
        const later = makeProposal(article.id, { createdAt: at(2), conversationId: conversation.id });
        const earlier = makeProposal(article.id, { createdAt: at(1), source: 'agent_link' });
        await store.proposals.create(later);
        await store.proposals.create(earlier);
        expect(await store.proposals.get(later.id)).toEqual(later);
        expect(await store.proposals.get(id('missing'))).toBeUndefined();
        expect(await store.proposals.list({ articleId: article.id })).toEqual([earlier, later]);

        const approved: ExampleProposal = {
          ...earlier,
          status: 'approved',
          decidedAt: at(5),
          decidedBy: id('agent'),
        };
        await store.proposals.update(approved);
        expect(await store.proposals.get(earlier.id)).toEqual(approved);
        expect(await store.proposals.list({ articleId: article.id, status: 'pending' })).toEqual([later]);
        expect((await store.proposals.list({ status: 'approved' })).map((p) => p.id)).toContain(earlier.id);
        await expectNotFound(store.proposals.update(makeProposal(article.id)));
      });

      it('deleting an article deletes its proposals', async () => {
        const article = makeArticle();
        await store.articles.create(article);
        const proposal = makeProposal(article.id);
        await store.proposals.create(proposal);
        await store.articles.delete(article.id);
        expect(await store.proposals.get(proposal.id)).toBeUndefined();
      });
    });

    describe('transactions', () => {
      it('commits every write when work resolves, and returns its value', async () => {
        const contact = makeContact();
        const result = await store.transaction(async (tx) => {
          await tx.contacts.create(contact);
          const conversation = makeConversation(contact.id);
          await tx.conversations.create(conversation);
          await tx.outbox.add(makeOutboxItem(conversation.id));
          return conversation.id;
        });
        expect(await store.contacts.get(contact.id)).toEqual(contact);
        expect(await store.outbox.listByConversation(result)).toHaveLength(1);
      });

      it('a throw inside leaves nothing written and rethrows the same error', async () => {
        const contact = makeContact({ identities: [{ channel: 'discord', externalId: id('u') }] });
        const conversation = makeConversation(contact.id);
        const message = makeMessage(conversation.id, { externalId: id('ext') });
        const setting = id('setting');
        const failure = new DomainError('conflict', 'changed my mind');
        let taken = 0;
        const error = await store
          .transaction(async (tx) => {
            await tx.contacts.create(contact);
            await tx.conversations.create(conversation);
            await tx.messages.insert(message, 'discord');
            await tx.outbox.add(makeOutboxItem(conversation.id));
            taken = await tx.cases.nextNumber();
            await tx.cases.create(makeCase(taken, { contactId: contact.id }));
            await tx.settings.set(setting, { x: 1 });
            expect(await tx.contacts.get(contact.id)).toEqual(contact);
            throw failure;
          })
          .catch((e: unknown) => e);
        expect(error).toBe(failure);
        expect(await store.contacts.get(contact.id)).toBeUndefined();
        expect(
          await store.contacts.findByIdentity('discord', contact.identities[0]!.externalId),
        ).toBeUndefined();
        expect(await store.conversations.get(conversation.id)).toBeUndefined();
        expect(await store.messages.findByExternalId('discord', message.externalId!)).toBeUndefined();
        expect(await store.outbox.listByConversation(conversation.id)).toEqual([]);
        expect(await store.cases.getByNumber(taken)).toBeUndefined();
        expect(await store.settings.get(setting)).toBeUndefined();
        // The rolled-back number is not lost to a gap, and a number is never given twice.
        expect(await store.cases.nextNumber()).toBeGreaterThanOrEqual(taken);
      });

      it('a transaction started inside a transaction joins it', async () => {
        const contact = makeContact();
        const innerContact = makeContact();
        const failure = new Error('roll back both');
        let innerRuns = 0;
        // Only the planned failure is caught: a failed expectation inside the transaction fails the test.
        const error = await store
          .transaction(async (tx) => {
            await tx.contacts.create(contact);
            await store.transaction(async (inner) => {
              expect(await inner.contacts.get(contact.id)).toEqual(contact);
              await inner.contacts.create(innerContact);
              innerRuns++;
            });
            // A store implementation may hand out a transaction-bound Store; its transaction() reuses the tx.
            if ('transaction' in tx && typeof tx.transaction === 'function') {
              await (tx as Store).transaction(async (inner) => {
                expect(await inner.contacts.get(innerContact.id)).toEqual(innerContact);
                innerRuns++;
              });
            }
            throw failure;
          })
          .catch((e: unknown) => e);
        expect(error).toBe(failure);
        expect(innerRuns).toBeGreaterThanOrEqual(1);
        // The inner transaction's write went with the outer one's rollback: it had joined, not committed alone.
        expect(await store.contacts.get(contact.id)).toBeUndefined();
        expect(await store.contacts.get(innerContact.id)).toBeUndefined();
      });

      it('reads through the store inside a transaction see its writes instead of waiting for it', async () => {
        const contact = makeContact();
        await store.transaction(async (tx) => {
          await tx.contacts.create(contact);
          expect(await store.contacts.get(contact.id)).toEqual(contact);
        });
        expect(await store.contacts.get(contact.id)).toEqual(contact);
      });

      it('runs concurrent transactions without losing writes', async () => {
        const key = id('setting');
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.transaction(async (tx) => {
              const { conversation } = await seedConversation({}, tx);
              await tx.outbox.add(makeOutboxItem(conversation.id));
              await tx.settings.set(`${key}-${i}`, i);
            }),
          ),
        );
        for (let i = 0; i < 10; i++) expect(await store.settings.get(`${key}-${i}`)).toBe(i);
      });
    });
  });
}
