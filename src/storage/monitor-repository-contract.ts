import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CannedResponse, Conversation } from '../core/model.ts';
import type { Store } from '../core/ports/repositories.ts';
import { recordBuilders } from './test-support/record-builders.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();
const id = (prefix: string) => `${prefix}-${randomUUID()}`;

/**
 * The supervisor monitor's tables on one engine, with two stores on one database (two instances): notes
 * kept in order per conversation, one viewing row per agent that only its own desktop's end clears, and a
 * macro's actions kept with its canned response.
 */
export function describeMonitorRepositoryContract(name: string, open: () => Promise<[Store, Store]>): void {
  describe(`monitor repositories: ${name}`, () => {
    let first: Store;
    let second: Store;
    beforeAll(async () => {
      [first, second] = await open();
    });
    afterAll(async () => {
      await first?.close();
      if (second !== first) await second?.close();
    });

    const make = recordBuilders(at(0));
    const conversation = async (): Promise<Conversation> => {
      const contact = make.contact();
      await first.contacts.create(contact);
      const c = make.conversation(contact.id, { state: 'assigned' });
      await first.conversations.create(c);
      return c;
    };

    it('keeps notes per conversation, oldest first, as written (Arabic included)', async () => {
      const one = await conversation();
      const other = await conversation();
      const later = {
        id: id('note'),
        conversationId: one.id,
        authorId: 'sup',
        text: 'اعرض الاسترداد',
        createdAt: at(5),
      };
      const earlier = {
        id: id('note'),
        conversationId: one.id,
        authorId: 'sup',
        text: 'Offer a refund',
        createdAt: at(2),
      };
      await first.conversationNotes.insert(later);
      await first.conversationNotes.insert(earlier);
      await first.conversationNotes.insert({ ...earlier, id: id('note'), conversationId: other.id });
      expect(await second.conversationNotes.listByConversation(one.id)).toEqual([earlier, later]);
      expect(await second.conversationNotes.listByConversation(id('missing'))).toEqual([]);
      // A note is no message: the transcript and the outbox know nothing of it.
      expect(await second.messages.listByConversation(one.id)).toEqual([]);
      expect(await second.outbox.listByConversation(one.id)).toEqual([]);
    });

    it('keeps one viewing row per agent, replaced by the next report, cleared only by its own end', async () => {
      const agentId = id('agent');
      const a = await conversation();
      const b = await conversation();
      await first.agentViewing.set({ agentId, conversationId: a.id, since: at(1) });
      await second.agentViewing.set({ agentId, conversationId: b.id, since: at(2) });
      const mine = async () => (await first.agentViewing.list()).filter((v) => v.agentId === agentId);
      expect(await mine()).toEqual([{ agentId, conversationId: b.id, since: at(2) }]);
      // The desktop that showed `a` closes after another one moved on to `b`: `b` stays.
      expect(await first.agentViewing.clearIf(agentId, a.id)).toBe(false);
      expect(await mine()).toEqual([{ agentId, conversationId: b.id, since: at(2) }]);
      expect(await second.agentViewing.clearIf(agentId, b.id)).toBe(true);
      expect(await mine()).toEqual([{ agentId, conversationId: null, since: at(2) }]);
    });

    it("keeps a macro's actions with its canned response, and none for a plain one", async () => {
      const macro: CannedResponse = {
        id: id('canned'),
        shortcut: `m-${randomUUID().slice(0, 8)}`,
        title: 'Refund and close',
        text: 'Your refund is on its way.',
        locale: null,
        actions: { status: 'solved', priority: 'high', tags: ['refund', 'استرداد'], close: true },
        createdAt: at(0),
        updatedAt: at(0),
      };
      const plain: CannedResponse = { ...macro, id: id('canned'), shortcut: `p-${randomUUID().slice(0, 8)}` };
      delete plain.actions;
      await first.cannedResponses.create(macro);
      await first.cannedResponses.create(plain);
      expect(await second.cannedResponses.get(macro.id)).toEqual(macro);
      expect(await second.cannedResponses.get(plain.id)).toEqual(plain);
      const { actions: _gone, ...cleared } = macro;
      await second.cannedResponses.update({ ...cleared, updatedAt: at(3) });
      expect(await first.cannedResponses.get(macro.id)).toEqual({ ...cleared, updatedAt: at(3) });
    });
  });
}
