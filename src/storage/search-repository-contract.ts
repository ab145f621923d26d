import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Article, Case, Contact, Conversation, Message, TimelineEntry } from '../core/model.ts';
import { type SearchHit, type SearchQuery, searchKinds } from '../core/ports/search-repository.ts';
import { searchTerms } from '../core/search/search-text.ts';
import type { KyselyStore } from './kysely-store.ts';
import { recordBuilders } from './test-support/record-builders.ts';

/**
 * Search over the engine's full-text index, the same on SQLite (FTS5) and PostgreSQL (tsvector). The store
 * is shared by the suite: every test puts a word of its own (`tag`) into its texts and its queries.
 */
/** The marked words of a hit's excerpt. */
const marked = (hit: SearchHit | undefined) =>
  (hit?.highlights ?? []).map((h) => hit?.excerpt.slice(h.start, h.end));

export function describeSearchRepositoryContract(name: string, open: () => Promise<KyselyStore>): void {
  describe(`search repository: ${name}`, () => {
    let store: KyselyStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const id = (prefix: string) => `${prefix}-${randomUUID()}`;
    const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
    /** A word no other test uses: letters only, so that no engine splits it. */
    const newTag = () =>
      `q${randomUUID()
        .replace(/[^a-f]/g, '')
        .slice(0, 10)}z`;

    const search = (text: string, over: Partial<SearchQuery> = {}) =>
      store.search.search({ terms: searchTerms(text), kinds: searchKinds, limit: 10, ...over });

    const make = recordBuilders(at(0));
    const contact = async (over: Partial<Contact> = {}): Promise<Contact> => {
      const c = make.contact(over);
      await store.contacts.create(c);
      return c;
    };
    const conversation = async (over: Partial<Conversation> = {}): Promise<Conversation> => {
      const c = make.conversation(over.contactId ?? (await contact()).id, over);
      await store.conversations.create(c);
      return c;
    };
    const message = async (conversationId: string, text: string, over: Partial<Message> = {}) => {
      const m = make.message(conversationId, { text, createdAt: at(1), ...over });
      await store.messages.insert(m, 'discord');
      return m;
    };
    const kase = async (over: Partial<Case> = {}): Promise<Case> => {
      const c = make.case(await store.cases.nextNumber(), over);
      await store.cases.create(c);
      return c;
    };
    const agent = async (): Promise<Agent> => {
      const a = make.agent();
      await store.agents.create(a);
      return a;
    };
    const article = (over: Partial<Article> = {}): Article => ({
      id: id('article'),
      title: 'Refund policy',
      body: 'Refunds are paid within five days.',
      tags: [],
      locale: 'en',
      published: true,
      examples: [],
      createdAt: at(0),
      updatedAt: at(0),
      ...over,
    });

    it('matches English words by stem and by prefix, every word of the query', async () => {
      const tag = newTag();
      const c = await conversation();
      const m = await message(c.id, `I was promised refunds for order ${tag} last week`);
      for (const q of [`refund ${tag}`, `refunding ${tag}`, `refu ${tag}`, `${tag.slice(0, 6)} promised`]) {
        const hits = await search(q);
        expect(hits, q).toEqual([
          expect.objectContaining({ kind: 'conversation', id: c.id, source: 'message', sourceId: m.id }),
        ]);
        expect(hits[0]?.excerpt).toContain(tag);
      }
      // The words the query matched are marked in the excerpt, as written.
      const [hit] = await search(`refunding ${tag}`);
      expect(marked(hit)).toEqual(['refunds', tag]);
      // Stop words are no obstacle on either engine.
      expect((await search(`how do I refund the order ${tag}`)).map((h) => h.id)).toEqual([c.id]);
      expect(await search(`invoice ${tag}`)).toEqual([]);
    });

    it('matches Arabic typed with other, hamza and taa marbuta forms, presentation forms and without the diacritics stored', async () => {
      const tag = newTag();
      const c = await conversation();
      await message(c.id, `أُريدُ إلغاءَ الفاتورة رقم ${tag}`);
      for (const q of [`الغاء ${tag}`, `فاتورتي ${tag}`, `الفاتوره ${tag}`, `ﺍلغاء اريد ${tag}`]) {
        expect(
          (await search(q)).map((h) => h.id),
          q,
        ).toEqual([c.id]);
      }
      const hits = await search(`الغاء ${tag}`);
      // The excerpt is the text as written, not its normalised form.
      expect(hits[0]?.excerpt).toContain('إلغاءَ');
      expect(marked(hits[0])).toEqual(['إلغاءَ', tag]);
    });

    it('groups matches per conversation, case, contact and article', async () => {
      const tag = newTag();
      const person = await contact({
        name: `Omar ${tag}`,
        identities: [
          { channel: 'sms', externalId: '+1 (555) 010-0199' },
          { channel: 'discord', externalId: '912345678901234567' },
        ],
      });
      const c = await conversation({ contactId: person.id });
      await message(c.id, `first ${tag}`);
      await message(c.id, `second ${tag}`, { createdAt: at(2) });
      const k = await kase({ subject: `Login broken ${tag}`, fields: { device: 'pixel' } });
      const a = article({ title: `Reset ${tag}` });
      await store.articles.create(a);
      const hits = await search(tag);
      expect(hits.map((h) => [h.kind, h.id])).toEqual([
        ['conversation', c.id],
        ['case', k.id],
        ['contact', person.id],
        ['article', a.id],
      ]);
      expect(hits.find((h) => h.kind === 'case')).toMatchObject({
        title: `Login broken ${tag}`,
        caseNumber: k.number,
      });
      expect(hits.find((h) => h.kind === 'contact')?.excerpt).toContain('+1 (555) 010-0199');
      expect((await search(tag, { kinds: ['article'] })).map((h) => h.kind)).toEqual(['article']);
      // Phone numbers by their digits, Discord users by their id, case fields by value.
      expect((await search('15550100199')).map((h) => h.id)).toContain(person.id);
      expect((await search('912345678901234567')).map((h) => h.id)).toContain(person.id);
      expect((await search(`pixel ${tag}`)).map((h) => h.id)).toEqual([k.id]);
    });

    it('finds cases by their internal notes and follows subject changes', async () => {
      const tag = newTag();
      const k = await kase({ subject: `Printer jam ${tag}` });
      const note: TimelineEntry = {
        id: id('entry'),
        caseId: k.id,
        type: 'note',
        actor: { kind: 'agent', id: null },
        data: { text: `Customer mentioned the warranty ${tag}`, internal: true },
        at: at(5),
      };
      await store.cases.addTimelineEntry(note);
      expect(await search(`warranty ${tag}`)).toEqual([
        expect.objectContaining({ kind: 'case', id: k.id, source: 'note', sourceId: note.id }),
      ]);
      await store.cases.update({ ...k, subject: `Scanner fault ${tag}` });
      expect(await search(`printer ${tag}`)).toEqual([]);
      expect((await search(`scanner ${tag}`)).map((h) => h.id)).toEqual([k.id]);
    });

    it('filters by channel, state, queue, agent and date; kinds without the attribute drop out', async () => {
      const tag = newTag();
      const holder = await agent();
      const assigned = await conversation({
        channel: 'discord',
        state: 'assigned',
        queueId: 'billing',
        agentId: holder.id,
      });
      await message(assigned.id, `charge ${tag}`, { createdAt: at(10) });
      const closed = await conversation({ channel: 'sms', state: 'closed', queueId: 'tech' });
      await message(closed.id, `charge ${tag}`, { createdAt: at(20) });
      const linked = await kase({ subject: `charge ${tag}`, status: 'open', assigneeId: holder.id });
      await store.conversations.update({ ...assigned, caseId: linked.id });
      await contact({
        name: `charge ${tag}`,
        identities: [{ channel: 'sms', externalId: `visitor-${tag}` }],
      });
      await store.articles.create(article({ title: `charge ${tag}` }));

      const ids = async (over: Partial<SearchQuery>) =>
        (await search(`charge ${tag}`, over)).map((h) => `${h.kind}:${h.id}`);
      expect(await ids({ kinds: ['conversation'], channel: 'sms' })).toEqual([`conversation:${closed.id}`]);
      expect(await ids({ kinds: ['conversation'], states: ['assigned', 'queued'] })).toEqual([
        `conversation:${assigned.id}`,
      ]);
      expect(await ids({ queueId: 'billing' })).toEqual([`conversation:${assigned.id}`, `case:${linked.id}`]);
      expect(await ids({ agentId: holder.id })).toEqual([`conversation:${assigned.id}`, `case:${linked.id}`]);
      expect(await ids({ states: ['open'] })).toEqual([`case:${linked.id}`]);
      expect((await ids({ channel: 'sms' })).map((k) => k.split(':')[0])).toEqual([
        'conversation',
        'contact',
      ]);
      expect(await ids({ kinds: ['conversation'], from: at(15) })).toEqual([`conversation:${closed.id}`]);
      expect(await ids({ kinds: ['conversation'], to: at(15) })).toEqual([`conversation:${assigned.id}`]);
    });

    it('shows an agent only the conversations they may open: their own, queued, or offered to them', async () => {
      const tag = newTag();
      const me = await agent();
      const other = await agent();
      const mine = await conversation({ state: 'assigned', agentId: me.id });
      const queued = await conversation({ state: 'queued', queueId: 'billing' });
      const offered = await conversation({ state: 'bot', queueId: 'billing' });
      const theirs = await conversation({ state: 'assigned', agentId: other.id });
      for (const c of [mine, queued, offered, theirs]) await message(c.id, `parcel ${tag}`);
      await store.reservations.create({
        id: id('res'),
        conversationId: offered.id,
        queueId: 'billing',
        agentId: me.id,
        status: 'pending',
        createdAt: at(0),
        expiresAt: at(60),
        respondedAt: null,
      });
      const k = await kase({ subject: `parcel ${tag}`, assigneeId: other.id });
      const seen = async (restrictConversationsTo?: string) =>
        (await search(`parcel ${tag}`, restrictConversationsTo ? { restrictConversationsTo } : {}))
          .map((h) => h.id)
          .sort();
      expect(await seen(me.id)).toEqual([mine.id, queued.id, offered.id, k.id].sort());
      expect(await seen()).toEqual([mine.id, queued.id, offered.id, theirs.id, k.id].sort());
    });

    it('forgets entries with their rows, whatever code deletes them', async () => {
      const tag = newTag();
      const c = await conversation();
      const kept = await message(c.id, `kept ${tag}`);
      const gone = await message(c.id, `gone ${tag}`);
      await store.db.deleteFrom('messages').where('id', '=', gone.id).execute();
      expect((await search(`gone ${tag}`)).map((h) => h.id)).toEqual([]);
      expect((await search(`kept ${tag}`)).map((h) => h.sourceId)).toEqual([kept.id]);
      // Retention deletes whole conversations.
      await store.db.deleteFrom('messages').where('conversation_id', '=', c.id).execute();
      await store.db.deleteFrom('conversations').where('id', '=', c.id).execute();
      expect(await search(tag)).toEqual([]);

      const a = article({ title: `Shipping ${tag}` });
      await store.articles.create(a);
      await store.articles.update({ ...a, title: `Delivery ${tag}` });
      expect(await search(`shipping ${tag}`)).toEqual([]);
      await store.articles.delete(a.id);
      expect(await search(`delivery ${tag}`)).toEqual([]);

      const k = await kase({ subject: `Broken ${tag}` });
      await store.cases.addTimelineEntry({
        id: id('entry'),
        caseId: k.id,
        type: 'note',
        actor: { kind: 'agent', id: null },
        data: { text: `noted ${tag}` },
        at: at(1),
      });
      await store.db.deleteFrom('case_timeline').where('case_id', '=', k.id).execute();
      await store.db.deleteFrom('cases').where('id', '=', k.id).execute();
      const person = await contact({ name: `Nadia ${tag}` });
      await store.db.deleteFrom('contacts').where('id', '=', person.id).execute();
      expect(await search(tag)).toEqual([]);
      const left = await store.db
        .selectFrom('search_entries')
        .select('id')
        .where('text', 'like', `%${tag}%`)
        .execute();
      expect(left).toEqual([]);
    });
  });
}
