import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../pubsub/in-process-event-bus.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { sharedDatabases } from '../../storage/test-support/shared-databases.ts';
import type { Announcement } from '../announcements/announcement.ts';
import type { Case, Contact, OutboxItem } from '../model.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { CaseService } from './case-service.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL bug-and-feature tests: TEST_DATABASE_URL is not set');

const databases = sharedDatabases(pgUrl, 'switchboard-loop-');
afterAll(() => databases.drop());

const agent = { kind: 'agent', id: null } as const;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !pgUrl)(`the bug-and-feature loop (${engine})`, () => {
    let store: Store;
    let cases: CaseService;
    let clock: ManualClock;
    beforeEach(async () => {
      store = await openStore({ url: await databases.url(engine) });
      clock = new ManualClock('2026-03-01T09:00:00.000Z');
      cases = new CaseService(store, new InProcessEventBus(), clock, {
        noticeChannels: () => ['test'],
        postChannels: () => ['test'],
      });
    });
    afterEach(() => store.close());

    async function member(name: string): Promise<Contact> {
      const contact: Contact = {
        id: randomUUID(),
        name,
        avatarUrl: null,
        locale: null,
        identities: [{ channel: 'test', externalId: `${name}-${randomUUID()}` }],
        createdAt: clock.now().toISOString(),
      };
      await store.contacts.create(contact);
      return contact;
    }

    /** A posted bug report or feature request of `reporter`, with these members' votes ("me too"). */
    async function posted(kind: 'bug' | 'feature', reporter: Contact, voters: Contact[]): Promise<Case> {
      const kase = await cases.create(
        { kind, subject: `${kind} of ${reporter.name}`, contactId: reporter.id },
        { kind: 'contact', id: reporter.id },
      );
      for (const voter of voters) await cases.vote(kase.id, voter.id, { kind: 'contact', id: voter.id });
      return cases.recordPost(kase.id, `https://discord.com/channels/1/2/${kase.number}`);
    }

    /** What was queued since `after` (an outbox seq): notices by contact, post refreshes by case. */
    async function queued(after: number) {
      const due: OutboxItem[] = [];
      // Everything is due at once; drain each stream's head until none is left.
      for (;;) {
        const now = clock.now().toISOString();
        const batch = (await store.outbox.listDue(now, 1000)).filter((i) => i.seq > after);
        if (batch.length === 0) break;
        for (const item of batch) {
          due.push(item);
          await store.outbox.update({ ...item, status: 'sent', sentAt: now });
        }
      }
      return {
        notices: due
          .filter((i) => i.message.notice)
          .map((i) => ({ to: i.contactId, notice: i.message.notice })),
        refreshed: due.filter((i) => i.message.casePost).map((i) => i.message.casePost?.caseId),
      };
    }

    async function lastSeq(): Promise<number> {
      const now = clock.now().toISOString();
      const someone = await member('probe');
      for (const item of await store.outbox.listDue(now, 1000))
        await store.outbox.update({ ...item, status: 'sent', sentAt: now });
      const probe = await store.outbox.add({
        conversationId: null,
        contactId: someone.id,
        channel: 'test',
        message: {
          conversationId: null,
          channel: 'test',
          address: {},
          authorKind: 'system',
          authorName: null,
          text: 'probe',
          attachments: [],
          articles: [],
          actions: [],
          messageId: null,
        },
        status: 'sent',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        externalId: null,
        createdAt: now,
        sentAt: now,
      });
      return probe.seq;
    }

    it('a merge carries votes and the requester over, counting a member who voted for both once', async () => {
      const [ana, ben, cho, dia, eve] = await Promise.all(
        ['ana', 'ben', 'cho', 'dia', 'eve'].map((n) => member(n)),
      );
      // Ana asked first; Ben and Cho want it. Dia asked again; Cho, Eve and Ana (the original's requester) voted there.
      const original = await posted('feature', ana!, [ben!, cho!]);
      const duplicate = await posted('feature', dia!, [cho!, eve!, ana!]);
      const before = await lastSeq();
      const result = await cases.merge(duplicate.id, original.id, agent);
      // Dia (the requester) and Eve are new; Cho voted for both and Ana's own request needs no vote.
      expect(result.carried).toBe(2);
      expect(result.original.votes).toBe(4);
      expect(new Set(await store.cases.listVoters(original.id))).toEqual(
        new Set([ben!.id, cho!.id, dia!.id, eve!.id]),
      );
      expect(result.duplicate).toMatchObject({
        status: 'closed',
        fields: { duplicateOf: String(original.number) },
      });
      expect((await store.cases.get(duplicate.id))?.status).toBe('closed');
      const { refreshed, notices } = await queued(before);
      expect(new Set(refreshed)).toEqual(new Set([original.id, duplicate.id]));
      expect(notices).toEqual([]);
      const timeline = await store.cases.listTimeline(original.id);
      expect(timeline.at(-1)).toMatchObject({ type: 'merged', data: { from: duplicate.id, carried: 2 } });

      // A merged duplicate cannot be merged again, nor a case into itself, nor across kinds: nothing changes.
      const bug = await posted('bug', ben!, []);
      const third = await posted('feature', eve!, [ben!]);
      await expect(cases.merge(duplicate.id, third.id, agent)).rejects.toMatchObject({ kind: 'conflict' });
      await expect(cases.merge(third.id, third.id, agent)).rejects.toMatchObject({ kind: 'invalid' });
      await expect(cases.merge(bug.id, third.id, agent)).rejects.toMatchObject({ kind: 'invalid' });
      await expect(cases.merge(third.id, duplicate.id, agent)).rejects.toMatchObject({ kind: 'invalid' });
      expect((await store.cases.get(third.id))?.votes).toBe(1);
      expect((await store.cases.get(original.id))?.votes).toBe(4);
      expect((await store.cases.get(bug.id))?.status).toBe('new');
    });

    it("a feature request's stage sets its status, tells its requester and voters, and refreshes its post", async () => {
      const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => member(n)));
      const request = await posted('feature', ana!, [ben!]);
      const before = await lastSeq();
      const planned = await cases.update(request.id, { stage: 'planned' }, agent);
      expect(planned).toMatchObject({ status: 'open', fields: { stage: 'planned' } });
      const shipped = await cases.update(request.id, { stage: 'shipped' }, agent);
      expect(shipped).toMatchObject({ status: 'solved', fields: { stage: 'shipped' } });
      const { notices, refreshed } = await queued(before);
      expect(notices.map((n) => [n.to, n.notice?.type === 'case.status' && n.notice.case.stage])).toEqual([
        [ana!.id, 'planned'],
        [ben!.id, 'planned'],
        [ana!.id, 'shipped'],
        [ben!.id, 'shipped'],
      ]);
      expect(refreshed).toEqual([request.id, request.id]);
      // Reopened by hand: no longer shipped.
      const reopened = await cases.update(request.id, { status: 'open' }, agent);
      expect(reopened.status).toBe('open');
      expect(reopened.fields.stage).toBeUndefined();
      // A bug report has no stage: refused, nothing changed.
      const bug = await posted('bug', ana!, []);
      await expect(cases.update(bug.id, { stage: 'planned' }, agent)).rejects.toMatchObject({
        kind: 'invalid',
      });
      expect((await store.cases.get(bug.id))?.status).toBe('new');
    });

    it('a bug status change tells the reporter and each "me too" member once', async () => {
      const [ana, ben, cho] = await Promise.all(['ana', 'ben', 'cho'].map((n) => member(n)));
      const bug = await posted('bug', ana!, [ben!, cho!]);
      expect((await cases.vote(bug.id, ben!.id, { kind: 'contact', id: ben!.id })).counted).toBe(false);
      const before = await lastSeq();
      await cases.update(bug.id, { status: 'open' }, agent);
      const { notices } = await queued(before);
      expect(notices.map((n) => n.to).sort()).toEqual([ana!.id, ben!.id, cho!.id].sort());
    });

    it('a posted release note solves its cases and tells each member once, even if the step runs twice', async () => {
      const [ana, ben, cho, dia] = await Promise.all(['ana', 'ben', 'cho', 'dia'].map((n) => member(n)));
      // Ben said "me too" on Ana's bug and voted for Cho's feature request: one DM for both.
      const bug = await posted('bug', ana!, [ben!]);
      const feature = await posted('feature', cho!, [ben!, dia!]);
      const untouched = await posted('bug', dia!, []);
      const note: Announcement = {
        id: randomUUID(),
        sourceId: null,
        externalKey: null,
        guildId: '1',
        channelId: '2',
        title: 'Version 2.1',
        url: 'https://acme.test/releases/2.1',
        summary: null,
        imageUrl: null,
        sourceName: null,
        publishedAt: null,
        status: 'posting',
        scheduledAt: clock.now().toISOString(),
        position: 0,
        claimedAt: clock.now().toISOString(),
        attempts: 1,
        postedAt: null,
        messageId: null,
        published: false,
        error: null,
        createdAt: clock.now().toISOString(),
      };
      await store.announcements.insertIfNew(note);
      await store.announcements.linkCases(note.id, [bug.id, feature.id], clock.now().toISOString());
      const before = await lastSeq();
      const release = { id: note.id, title: note.title, url: note.url };
      const postedNote = { ...note, status: 'posted' as const, messageId: '99' };
      const released = await cases.release(postedNote, release);
      expect(released.map((c) => c.id)).toEqual([bug.id, feature.id]);
      expect(await store.cases.get(bug.id)).toMatchObject({
        status: 'solved',
        fields: { fixedIn: 'Version 2.1', fixedInUrl: 'https://acme.test/releases/2.1' },
      });
      expect(await store.cases.get(feature.id)).toMatchObject({
        status: 'solved',
        fields: { stage: 'shipped' },
      });
      expect((await store.cases.get(untouched.id))?.status).toBe('new');
      expect((await store.announcements.get(note.id))?.status).toBe('posted');
      // A second run (a retry, another instance) releases and tells nobody again.
      expect(await cases.release(postedNote, release)).toEqual([]);
      const { notices, refreshed } = await queued(before);
      const byMember = new Map(notices.map((n) => [n.to, n.notice]));
      expect(notices).toHaveLength(4);
      expect(byMember.size).toBe(4);
      const toBen = byMember.get(ben!.id);
      expect(toBen).toMatchObject({ type: 'release', note: release });
      expect(toBen?.type === 'release' && toBen.cases.map((c) => c.number)).toEqual([
        bug.number,
        feature.number,
      ]);
      expect(byMember.get(ana!.id)).toMatchObject({ cases: [{ number: bug.number }] });
      expect(byMember.get(dia!.id)).toMatchObject({ cases: [{ number: feature.number }] });
      // No "it is now solved" on top of the release note.
      expect(notices.every((n) => n.notice?.type === 'release')).toBe(true);
      expect(new Set(refreshed)).toEqual(new Set([bug.id, feature.id]));
    });
  });
}
