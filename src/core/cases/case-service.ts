import type { Announcement } from '../announcements/announcement.ts';
import { type MemberContextInput, rememberMemberContextIn } from '../contacts/member-context.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type {
  Actor,
  Case,
  CaseFields,
  CaseKind,
  CaseOpener,
  CasePriority,
  CaseStatus,
  ChannelName,
  Conversation,
  FeatureStage,
  ReleaseNote,
  ServerRef,
  TimelineEntry,
  TimelineEntryType,
} from '../model.ts';
import {
  addNotice,
  caseStatusNotice,
  featureStageOf,
  refreshCasePost,
  releaseNotice,
} from '../outbox/member-notice.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { CaseFilter, Repositories, Store } from '../ports/repositories.ts';
import { type Emit, inTransaction } from '../unit-of-work.ts';

export interface CreateCaseInput {
  kind: CaseKind;
  subject: string;
  contactId?: string | null;
  priority?: CasePriority;
  tags?: string[];
  fields?: CaseFields;
  conversationId?: string | null;
  /** The server it came through (`/bug` in a Discord server); default: the linked conversation's. */
  server?: ServerRef | null;
  /**
   * Who the contact is in that community, as the connector told with the filing (a `/bug`'s roles and
   * server): kept as the contact's member context, as a message's is, in the case's transaction.
   */
  member?: { channel: ChannelName; context: MemberContextInput };
}

export interface UpdateCaseInput {
  status?: CaseStatus;
  priority?: CasePriority;
  assigneeId?: string | null;
  tags?: string[];
  subject?: string;
  fields?: CaseFields;
  /** A feature request's stage; it sets the status too (see `FeatureStage`). */
  stage?: FeatureStage;
}

/** The status each feature stage puts its request in. */
export const stageStatus: Record<FeatureStage, CaseStatus> = {
  planned: 'open',
  in_progress: 'open',
  shipped: 'solved',
  declined: 'closed',
};

export interface MergeResult {
  original: Case;
  duplicate: Case;
  /** Voters (and the duplicate's requester) newly counted on the original. */
  carried: number;
}

export interface CaseDetail {
  case: Case;
  timeline: TimelineEntry[];
}

export interface CaseServiceOptions {
  /**
   * The channels that deliver notices to a contact outside any conversation (connectors with `notices`):
   * the reporter of a bug report or feature request is told there when its status changes.
   */
  noticeChannels: () => ChannelName[];
  /** The channels that post bug reports and feature requests in public (connectors with `casePosts`). */
  postChannels: () => ChannelName[];
}

/** The longest rating comment kept; a longer one is cut. */
export const ratingCommentMax = 2_000;
/** Cases: numbered, tracked issues with a timeline of every change. */
export class CaseService {
  private readonly options: CaseServiceOptions;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    options: Partial<CaseServiceOptions> = {},
  ) {
    this.options = { noticeChannels: () => [], postChannels: () => [], ...options };
  }

  create(input: CreateCaseInput, actor: Actor): Promise<Case> {
    return inTransaction(this.store, this.bus, (tx, emit) => this.createIn(tx, emit, input, actor));
  }

  /** Creates the case inside the caller's transaction (used by flows and hand-offs). */
  async createIn(tx: Repositories, emit: Emit, input: CreateCaseInput, actor: Actor): Promise<Case> {
    const subject = input.subject.trim();
    if (!subject) throw invalid('a case needs a subject', { field: 'subject' });
    const at = this.now();
    const conversation = input.conversationId ? await tx.conversations.get(input.conversationId) : undefined;
    if (input.conversationId && !conversation) throw notFound('conversation', input.conversationId);
    // A hand-off's case carries the server of the conversation it was opened from.
    const server = input.server ?? conversation?.server ?? null;
    const kase: Case = {
      id: newId(),
      number: await tx.cases.nextNumber(),
      kind: input.kind,
      status: 'new',
      priority: input.priority ?? 'normal',
      subject: subject.slice(0, 300),
      contactId: input.contactId ?? null,
      assigneeId: null,
      tags: normaliseTags(input.tags ?? []),
      fields: cleanFields(input.fields ?? {}),
      rating: null,
      votes: 0,
      openedBy: openerOf(actor, input.contactId ?? null),
      postUrl: null,
      createdAt: at,
      updatedAt: at,
      ...(server ? { server } : {}),
    };
    await tx.cases.create(kase);
    if (input.member && kase.contactId)
      await rememberMemberContextIn(
        tx.settings,
        kase.contactId,
        input.member.channel,
        input.member.context,
        at,
      );
    await this.record(tx, kase, 'created', actor, { kind: kase.kind, subject: kase.subject }, at);
    if (conversation) {
      await checkMayLink(tx, actor, conversation);
      const linked = { ...conversation, caseId: kase.id, updatedAt: at };
      await tx.conversations.update(linked);
      await this.record(tx, kase, 'conversation_linked', actor, { conversationId: conversation.id }, at);
      emit({ type: 'conversation.updated', conversation: linked });
    }
    emit({ type: 'case.created', case: kase });
    return kase;
  }

  async get(id: string): Promise<Case> {
    const kase = await this.store.cases.get(id);
    if (!kase) throw notFound('case', id);
    return kase;
  }

  async getByNumber(number: number): Promise<Case> {
    const kase = await this.store.cases.getByNumber(number);
    if (!kase) throw notFound('case', `#${number}`);
    return kase;
  }

  async detail(id: string): Promise<CaseDetail> {
    const kase = await this.get(id);
    return { case: kase, timeline: await this.store.cases.listTimeline(id) };
  }

  list(filter: CaseFilter): Promise<Case[]> {
    return this.store.cases.list(filter);
  }

  timeline(id: string): Promise<TimelineEntry[]> {
    return this.store.cases.listTimeline(id);
  }

  update(id: string, patch: UpdateCaseInput, actor: Actor): Promise<Case> {
    return inTransaction(this.store, this.bus, (tx, emit) => this.updateIn(tx, emit, id, patch, actor));
  }

  /** Applies the changed fields only; each change is one timeline entry (what, from, to, who, when). */
  async updateIn(
    tx: Repositories,
    emit: Emit,
    id: string,
    patch: UpdateCaseInput,
    actor: Actor,
  ): Promise<Case> {
    const current = await tx.cases.get(id);
    if (!current) throw notFound('case', id);
    if (patch.assigneeId && !(await tx.agents.get(patch.assigneeId)))
      throw notFound('agent', patch.assigneeId);
    if (patch.stage !== undefined && current.kind !== 'feature')
      throw invalid('only feature requests have a stage', { field: 'stage' });
    const at = this.now();
    let next: Case = { ...current };
    const changes: [TimelineEntryType, Record<string, unknown>][] = [];
    const status = patch.stage !== undefined ? stageStatus[patch.stage] : patch.status;
    if (status !== undefined && status !== current.status) {
      next.status = status;
      changes.push(['status', { from: current.status, to: status }]);
    }
    if (patch.priority !== undefined && patch.priority !== current.priority) {
      next.priority = patch.priority;
      changes.push(['priority', { from: current.priority, to: patch.priority }]);
    }
    if (patch.assigneeId !== undefined && patch.assigneeId !== current.assigneeId) {
      next.assigneeId = patch.assigneeId;
      changes.push(['assignee', { from: current.assigneeId, to: patch.assigneeId }]);
    }
    if (patch.tags !== undefined) {
      const tags = normaliseTags(patch.tags);
      if (tags.join('\n') !== current.tags.join('\n')) {
        next.tags = tags;
        changes.push(['tags', { from: current.tags, to: tags }]);
      }
    }
    if (patch.subject?.trim() && patch.subject.trim() !== current.subject) {
      next.subject = patch.subject.trim().slice(0, 300);
      changes.push(['subject', { from: current.subject, to: next.subject }]);
    }
    // A status set by hand that its stage does not give (a shipped request reopened) ends the stage.
    const stage = featureStageOf(current);
    const stageEnds =
      patch.stage === undefined && stage && status !== undefined && stageStatus[stage] !== status;
    const fieldPatch =
      patch.stage !== undefined
        ? { ...patch.fields, stage: patch.stage }
        : stageEnds
          ? { ...patch.fields, stage: '' }
          : (patch.fields ?? undefined);
    if (fieldPatch !== undefined) {
      const fields = cleanFields({ ...current.fields, ...fieldPatch });
      if (JSON.stringify(fields) !== JSON.stringify(current.fields)) {
        next.fields = fields;
        changes.push(['fields', { from: current.fields, to: fields }]);
      }
    }
    if (changes.length === 0) return current;
    next = { ...next, updatedAt: at };
    await tx.cases.update(next);
    let last: TimelineEntry | null = null;
    for (const [type, data] of changes) last = await this.record(tx, next, type, actor, data, at);
    if (next.status !== current.status || featureStageOf(next) !== featureStageOf(current))
      await this.tellStatus(tx, emit, next, at);
    if (changes.some(([type]) => type === 'status' || type === 'subject' || type === 'fields'))
      await refreshCasePost(tx, emit, next, this.options.postChannels(), at);
    emit({ type: 'case.updated', case: next, entry: last });
    return next;
  }

  /**
   * The reporter of a bug report or feature request, and every member who voted for it or said "me too",
   * hear of its new status, through the outbox in this transaction, so that the notice is sent once
   * whatever instance delivers it, and never lost to a crash. Support cases speak through their
   * conversation instead.
   */
  private async tellStatus(tx: Repositories, emit: Emit, kase: Case, at: string): Promise<void> {
    if (kase.kind === 'support') return;
    for (const contactId of await membersOf(tx, kase)) {
      const contact = await tx.contacts.get(contactId);
      if (!contact) continue;
      for (const channel of this.options.noticeChannels())
        await addNotice(tx, emit, contact, channel, caseStatusNotice(kase), at);
    }
  }

  /**
   * Merges a duplicate into its original (both bug reports or both feature requests): the duplicate's
   * voters and requester count on the original (a member who voted for both counts once; the original's
   * requester never votes for their own), the duplicate is closed with `duplicateOf` naming the original,
   * and both public posts are refreshed (the duplicate's points to the original).
   */
  merge(duplicateId: string, originalId: string, actor: Actor): Promise<MergeResult> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const duplicate = await tx.cases.get(duplicateId);
      if (!duplicate) throw notFound('case', duplicateId);
      const original = await tx.cases.get(originalId);
      if (!original) throw notFound('case', originalId);
      if (duplicate.id === original.id) throw invalid('a case cannot be merged into itself');
      if (duplicate.kind === 'support' || duplicate.kind !== original.kind)
        throw invalid('only a bug report into a bug report, or a feature request into a feature request');
      if (duplicate.fields.duplicateOf)
        throw conflict(`#${duplicate.number} was already merged into #${duplicate.fields.duplicateOf}`);
      if (original.fields.duplicateOf)
        throw invalid(
          `#${original.number} is itself a duplicate: merge into #${original.fields.duplicateOf}`,
        );
      let carried = 0;
      for (const voterId of await membersOf(tx, duplicate)) {
        if (voterId === original.contactId) continue;
        if (await tx.cases.addVote(original.id, voterId)) carried += 1;
      }
      const at = this.now();
      const closed: Case = {
        ...duplicate,
        status: 'closed',
        // Its stage ends: the original's is the one that counts.
        fields: cleanFields({ ...duplicate.fields, stage: '', duplicateOf: String(original.number) }),
        updatedAt: at,
      };
      await tx.cases.update(closed);
      if (duplicate.status !== 'closed')
        await this.record(tx, closed, 'status', actor, { from: duplicate.status, to: 'closed' }, at);
      const mergedEntry = await this.record(
        tx,
        closed,
        'merged',
        actor,
        { into: original.id, number: original.number, carried },
        at,
      );
      const grown: Case = { ...((await tx.cases.get(original.id)) ?? original), updatedAt: at };
      await tx.cases.update(grown);
      const grownEntry = await this.record(
        tx,
        grown,
        'merged',
        actor,
        { from: duplicate.id, number: duplicate.number, carried, votes: grown.votes },
        at,
      );
      const channels = this.options.postChannels();
      await refreshCasePost(tx, emit, closed, channels, at);
      await refreshCasePost(tx, emit, grown, channels, at);
      emit({ type: 'case.updated', case: closed, entry: mergedEntry });
      emit({ type: 'case.updated', case: grown, entry: grownEntry });
      return { original: grown, duplicate: closed, carried };
    });
  }

  /**
   * Stores a posted announcement and, in the same transaction, releases the cases linked to it: each
   * becomes solved (a feature request shipped) with `fixedIn` naming the note, its post is refreshed, and
   * every reporter, voter and "me too" member of those cases gets one notice with the note's link
   * (however many of the cases are theirs). The links and the members told are marked in the database, so
   * that a second run of this step (a retry, another instance) releases and tells nobody again.
   */
  release(posted: Announcement, note: ReleaseNote): Promise<Case[]> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      await tx.announcements.update(posted);
      const at = this.now();
      const caseIds = await tx.announcements.releaseLinkedCases(posted.id, at);
      const released: Case[] = [];
      const casesOf = new Map<string, Case[]>();
      for (const caseId of caseIds) {
        const current = await tx.cases.get(caseId);
        if (!current) continue;
        const next: Case = {
          ...current,
          status: 'solved',
          fields: cleanFields({
            ...current.fields,
            ...(current.kind === 'feature' ? { stage: 'shipped' } : {}),
            fixedIn: note.title,
            fixedInUrl: note.url ?? '',
          }),
          updatedAt: at,
        };
        await tx.cases.update(next);
        if (current.status !== 'solved')
          await this.record(
            tx,
            next,
            'status',
            { kind: 'system', id: null },
            { from: current.status, to: 'solved' },
            at,
          );
        const entry = await this.record(
          tx,
          next,
          'released',
          { kind: 'system', id: null },
          { announcementId: note.id, title: note.title, url: note.url },
          at,
        );
        await refreshCasePost(tx, emit, next, this.options.postChannels(), at);
        emit({ type: 'case.updated', case: next, entry });
        released.push(next);
        for (const contactId of await membersOf(tx, next))
          casesOf.set(contactId, [...(casesOf.get(contactId) ?? []), next]);
      }
      for (const [contactId, cases] of casesOf) {
        if (!(await tx.announcements.claimReleaseNotice(posted.id, contactId, at))) continue;
        const contact = await tx.contacts.get(contactId);
        if (!contact) continue;
        for (const channel of this.options.noticeChannels())
          await addNotice(tx, emit, contact, channel, releaseNotice(note, contactId, cases), at);
      }
      return released;
    });
  }

  addNote(id: string, text: string, actor: Actor): Promise<TimelineEntry> {
    return inTransaction(this.store, this.bus, (tx, emit) => this.addNoteIn(tx, emit, id, text, actor));
  }

  /** An internal note (never sent to the contact); `extra` is kept with it, e.g. the conversation of a wrap-up. */
  async addNoteIn(
    tx: Repositories,
    emit: Emit,
    id: string,
    text: string,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ): Promise<TimelineEntry> {
    const body = text.trim();
    if (!body) throw invalid('a note needs text', { field: 'text' });
    const kase = await tx.cases.get(id);
    if (!kase) throw notFound('case', id);
    const at = this.now();
    const next = { ...kase, updatedAt: at };
    await tx.cases.update(next);
    const entry = await this.record(
      tx,
      next,
      'note',
      actor,
      { text: body.slice(0, 10_000), internal: true, ...extra },
      at,
    );
    emit({ type: 'case.updated', case: next, entry });
    return entry;
  }

  /** Stores a 1–5 satisfaction rating given by the contact. */
  async rateIn(tx: Repositories, emit: Emit, id: string, rating: number, actor: Actor): Promise<Case> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      throw invalid('a rating is a whole number from 1 to 5');
    const kase = await tx.cases.get(id);
    if (!kase) throw notFound('case', id);
    const at = this.now();
    const next = { ...kase, rating, updatedAt: at };
    await tx.cases.update(next);
    const entry = await this.record(tx, next, 'rating', actor, { rating }, at);
    emit({ type: 'case.updated', case: next, entry });
    return next;
  }

  /** Stores the contact's comment with their rating (what they wrote after rating). */
  async commentRatingIn(
    tx: Repositories,
    emit: Emit,
    id: string,
    comment: string,
    actor: Actor,
  ): Promise<Case> {
    const kase = await tx.cases.get(id);
    if (!kase) throw notFound('case', id);
    const at = this.now();
    const text = comment.trim().slice(0, ratingCommentMax);
    const next = { ...kase, ratingComment: text, updatedAt: at };
    await tx.cases.update(next);
    const entry = await this.record(
      tx,
      next,
      'rating_comment',
      actor,
      { rating: kase.rating, comment: text },
      at,
    );
    emit({ type: 'case.updated', case: next, entry });
    return next;
  }

  /** One vote per voter (e.g. a Discord member upvoting a feature request). Returns the case with its count. */
  vote(id: string, voterId: string, actor: Actor): Promise<{ case: Case; counted: boolean }> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const kase = await tx.cases.get(id);
      if (!kase) throw notFound('case', id);
      if (!(await tx.cases.addVote(id, voterId))) return { case: kase, counted: false };
      // addVote counts the vote atomically; read the count back rather than adding to a stale copy.
      const counted = (await tx.cases.get(id)) ?? kase;
      const at = this.now();
      const next = { ...counted, updatedAt: at };
      await tx.cases.update(next);
      const entry = await this.record(tx, next, 'vote', actor, { votes: next.votes }, at);
      emit({ type: 'case.updated', case: next, entry });
      return { case: next, counted: true };
    });
  }

  /** Remembers where the case was posted publicly (a connector calls it once its post is out). */
  recordPost(id: string, url: string): Promise<Case> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const kase = await tx.cases.get(id);
      if (!kase) throw notFound('case', id);
      if (kase.postUrl === url) return kase;
      const next = { ...kase, postUrl: url, updatedAt: this.now() };
      await tx.cases.update(next);
      emit({ type: 'case.updated', case: next, entry: null });
      return next;
    });
  }

  /** Links a conversation to a case and records it on the timeline. */
  async linkConversationIn(
    tx: Repositories,
    caseId: string,
    conversationId: string,
    actor: Actor,
  ): Promise<void> {
    const kase = await tx.cases.get(caseId);
    const conversation = await tx.conversations.get(conversationId);
    if (!kase) throw notFound('case', caseId);
    if (!conversation) throw notFound('conversation', conversationId);
    const at = this.now();
    await tx.conversations.update({ ...conversation, caseId, updatedAt: at });
    await this.record(tx, kase, 'conversation_linked', actor, { conversationId }, at);
  }

  private async record(
    tx: Repositories,
    kase: Case,
    type: TimelineEntryType,
    actor: Actor,
    data: Record<string, unknown>,
    at: string,
  ): Promise<TimelineEntry> {
    const entry: TimelineEntry = { id: newId(), caseId: kase.id, type, actor, data, at };
    await tx.cases.addTimelineEntry(entry);
    return entry;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

/** Whom a bug report or feature request concerns: its reporter, then each voter ("me too"), once each. */
async function membersOf(tx: Repositories, kase: Case): Promise<string[]> {
  const voters = await tx.cases.listVoters(kase.id);
  return [...new Set([...(kase.contactId ? [kase.contactId] : []), ...voters])];
}

/** The system actor opens cases for a contact (a flow's hand-off): the bot, on that contact's behalf. */
function openerOf(actor: Actor, contactId: string | null): CaseOpener {
  if (actor.kind === 'system') return { kind: 'bot', id: contactId };
  return { kind: actor.kind, id: actor.id };
}

/**
 * The holder rule of the conversation routes: an agent links only a conversation assigned to them;
 * supervisors and admins any. Flows and contacts (system actors) link the conversation they run in.
 */
async function checkMayLink(tx: Repositories, actor: Actor, conversation: Conversation): Promise<void> {
  if (actor.kind !== 'agent' || !actor.id) return;
  const agent = await tx.agents.get(actor.id);
  if (agent?.role === 'agent' && conversation.agentId !== agent.id)
    throw forbidden('this conversation is not assigned to you');
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

function cleanFields(fields: CaseFields): CaseFields {
  const out: CaseFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.trim()) out[key] = value.trim().slice(0, 4_000);
  }
  return out;
}
