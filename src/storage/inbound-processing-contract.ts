import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../core/model.ts';
import type { InboundClaim, Store } from '../core/ports/repositories.ts';
import { recordBuilders } from './test-support/record-builders.ts';

/**
 * Inbound processing in the message repository (`processed_at` and the claim), the same on every engine:
 * a contact's message stored before its flow ran waits until it is marked processed; each conversation's
 * oldest waiting message is claimed by one owner at a time; a claim runs out; a stalled owner's late
 * commit is refused. `makeStores` gives two stores on one database (two instances).
 */
export function describeInboundProcessingContract(
  name: string,
  makeStores: () => Promise<[Store, Store]>,
): void {
  describe(`inbound processing contract: ${name}`, () => {
    let store: Store;
    let other: Store;

    beforeAll(async () => {
      [store, other] = await makeStores();
    });
    afterAll(async () => {
      await store?.close();
      await other?.close();
    });

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;
    /** ISO-8601 timestamps `n` seconds after a fixed instant. */
    const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();
    const maxAttempts = 5;
    /** A claim at `now` (seconds), 30 s long, of this test's conversations only. */
    const claimAt = (now: number, owner: string, over: Partial<InboundClaim> = {}): InboundClaim => ({
      now: at(now),
      leaseUntil: at(now + 30),
      owner,
      limit: 100,
      maxAttempts,
      ...over,
    });

    const make = recordBuilders(at(0));
    async function seedConversation(): Promise<Conversation> {
      const contact = make.contact();
      await store.contacts.create(contact);
      const conversation = make.conversation(contact.id);
      await store.conversations.create(conversation);
      return conversation;
    }

    const makeMessage = (conversation: Conversation, createdAt: string, text = 'hello'): Message =>
      make.message(conversation.id, {
        authorId: conversation.contactId,
        text,
        externalId: id('ext'),
        createdAt,
      });

    /** Stores a contact's message that waits for its handling, unclaimed. */
    async function waiting(conversation: Conversation, createdAt: string, action: string | null = null) {
      const message = makeMessage(conversation, createdAt);
      expect(await store.messages.insert(message, 'discord', { action, claim: null })).toBe(true);
      return message;
    }

    /** Claimed messages of the given conversations, as message ids. */
    const claimedIds = async (
      repos: Store,
      conversations: Conversation[],
      now: number,
      owner: string,
      over: Partial<InboundClaim> = {},
    ) => {
      const ids = new Set(conversations.map((c) => c.id));
      const claimed = [];
      for (const conversation of conversations) {
        claimed.push(
          ...(await repos.messages.claimUnprocessed(
            claimAt(now, owner, { conversationId: conversation.id, ...over }),
          )),
        );
      }
      return claimed.filter((p) => ids.has(p.message.conversationId)).map((p) => p.message.id);
    };

    it('a message stored without inbound processing is processed; one stored with it waits', async () => {
      const conversation = await seedConversation();
      await store.messages.insert(makeMessage(conversation, at(1)), 'discord');
      expect(await store.messages.hasUnprocessed(conversation.id, maxAttempts)).toBe(false);
      expect(await claimedIds(store, [conversation], 10, 'a')).toEqual([]);

      const message = await waiting(conversation, at(2), 'handoff');
      expect(await store.messages.hasUnprocessed(conversation.id, maxAttempts)).toBe(true);
      const [pending, ...rest] = await store.messages.claimUnprocessed(
        claimAt(10, 'a', { conversationId: conversation.id }),
      );
      expect(rest).toEqual([]);
      expect(pending).toEqual({ message, channel: 'discord', action: 'handoff', attempts: 1 });
      // The message itself reads the same as any other.
      expect(await store.messages.listByConversation(conversation.id)).toHaveLength(2);
    });

    it('claims only the oldest waiting message of a conversation, the next once it is processed', async () => {
      const conversation = await seedConversation();
      const second = await waiting(conversation, at(5));
      const first = await waiting(conversation, at(3));
      const third = await waiting(conversation, at(5));
      expect(await claimedIds(store, [conversation], 10, 'a')).toEqual([first.id]);
      // Held by a live claim, the head still blocks the rest.
      expect(await claimedIds(store, [conversation], 11, 'b')).toEqual([]);
      expect(await store.messages.markProcessed(first.id, 'a', at(12))).toBe(true);
      // Same instant: the one stored first goes first.
      expect(await claimedIds(store, [conversation], 13, 'b')).toEqual([second.id]);
      expect(await store.messages.markProcessed(second.id, 'b', at(14))).toBe(true);
      expect(await claimedIds(store, [conversation], 15, 'b')).toEqual([third.id]);
      expect(await store.messages.markProcessed(third.id, 'b', at(16))).toBe(true);
      expect(await store.messages.hasUnprocessed(conversation.id, maxAttempts)).toBe(false);
      expect(await claimedIds(store, [conversation], 17, 'b')).toEqual([]);
    });

    it('claims one head per conversation, oldest first, within the limit and the age asked for', async () => {
      const a = await seedConversation();
      const b = await seedConversation();
      const c = await seedConversation();
      const aFirst = await waiting(a, at(101));
      await waiting(a, at(102));
      const bFirst = await waiting(b, at(100));
      await waiting(c, at(200));
      // Without a conversation: across conversations, oldest first, fresh ones left alone.
      const claimed = await store.messages.claimUnprocessed(
        claimAt(300, 'a', { createdBefore: at(150), limit: 1000 }),
      );
      const mine = claimed.filter((p) => [a.id, b.id, c.id].includes(p.message.conversationId));
      expect(mine.map((p) => p.message.id)).toEqual([bFirst.id, aFirst.id]);
      const d = await seedConversation();
      await waiting(d, at(400));
      await waiting(d, at(401));
      const limited = await store.messages.claimUnprocessed(
        claimAt(500, 'a', { conversationId: d.id, limit: 1 }),
      );
      expect(limited).toHaveLength(1);
    });

    it('a claim holds until it runs out; then another owner takes it and the first one is refused', async () => {
      const conversation = await seedConversation();
      const message = makeMessage(conversation, at(1));
      await store.messages.insert(message, 'discord', {
        action: null,
        claim: { owner: 'a', until: at(20) },
      });
      expect(await claimedIds(store, [conversation], 19, 'b')).toEqual([]);
      expect(await store.messages.holdClaim(message.id, 'a', at(40))).toBe(true);
      expect(await claimedIds(store, [conversation], 39, 'b')).toEqual([]);
      // `a` stalled past its lease: `b` takes over, counting a second attempt.
      const [taken] = await store.messages.claimUnprocessed(
        claimAt(41, 'b', { conversationId: conversation.id }),
      );
      expect(taken?.attempts).toBe(2);
      expect(await store.messages.holdClaim(message.id, 'a', at(60))).toBe(false);
      expect(await store.messages.markProcessed(message.id, 'a', at(42))).toBe(false);
      expect(await store.messages.markProcessed(message.id, 'b', at(43))).toBe(true);
      // Processed, it is never claimed again, even after every lease ran out.
      expect(await claimedIds(store, [conversation], 1000, 'c')).toEqual([]);
      // The owner's later transactions still hold (a flow's steps after its first answer).
      expect(await store.messages.holdClaim(message.id, 'b', at(70))).toBe(true);
      expect(await store.messages.markProcessed(message.id, 'b', at(71))).toBe(true);
    });

    it('a released claim can be taken at once; a processed message cannot be released', async () => {
      const conversation = await seedConversation();
      const message = makeMessage(conversation, at(1));
      await store.messages.insert(message, 'discord', {
        action: 'resolved',
        claim: { owner: 'a', until: at(100) },
      });
      await store.messages.releaseClaim(message.id, 'someone-else');
      expect(await claimedIds(store, [conversation], 2, 'b')).toEqual([]);
      await store.messages.releaseClaim(message.id, 'a');
      const [pending] = await store.messages.claimUnprocessed(
        claimAt(2, 'b', { conversationId: conversation.id }),
      );
      expect(pending).toMatchObject({ action: 'resolved', attempts: 2 });
      expect(await store.messages.markProcessed(message.id, 'b', at(3))).toBe(true);
      await store.messages.releaseClaim(message.id, 'b');
      expect(await claimedIds(store, [conversation], 200, 'c')).toEqual([]);
    });

    it('a message claimed the most times allowed is given up and no longer holds its conversation back', async () => {
      const conversation = await seedConversation();
      const poison = await waiting(conversation, at(1));
      const next = await waiting(conversation, at(2));
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        expect(await claimedIds(store, [conversation], attempt * 100, 'a')).toEqual([poison.id]);
      }
      expect(await claimedIds(store, [conversation], 1000, 'a')).toEqual([next.id]);
      await store.messages.markProcessed(next.id, 'a', at(1001));
      expect(await store.messages.hasUnprocessed(conversation.id, maxAttempts)).toBe(false);
    });

    it('marking processed inside a transaction that rolls back leaves the message waiting', async () => {
      const conversation = await seedConversation();
      const message = makeMessage(conversation, at(1));
      await store.messages.insert(message, 'discord', { action: null, claim: { owner: 'a', until: at(5) } });
      await expect(
        store.transaction(async (tx) => {
          expect(await tx.messages.markProcessed(message.id, 'a', at(2))).toBe(true);
          throw new Error('the flow step failed');
        }),
      ).rejects.toThrow('the flow step failed');
      expect(await store.messages.hasUnprocessed(conversation.id, maxAttempts)).toBe(true);
    });

    it('two stores claiming at once never both get one message', async () => {
      const conversations = await Promise.all(Array.from({ length: 20 }, () => seedConversation()));
      for (const conversation of conversations) {
        await waiting(conversation, at(1));
        await waiting(conversation, at(2));
      }
      const ids = new Set(conversations.map((c) => c.id));
      const rounds = await Promise.all(
        [store, other, store, other].map((repos, i) =>
          repos.messages.claimUnprocessed(claimAt(10, `owner-${i}`, { limit: 1000 })),
        ),
      );
      const claimed = rounds.flat().filter((p) => ids.has(p.message.conversationId));
      // Each conversation's head once, whoever got it; never its second message.
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed.map((p) => p.message.conversationId)).size).toBe(20);
      expect(claimed.every((p) => p.message.createdAt === at(1))).toBe(true);
    });
  });
}
