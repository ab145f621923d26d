import { newId } from '../ids.ts';
import {
  type Case,
  type ChannelName,
  type Contact,
  type FeatureStage,
  featureStages,
  type MemberNotice,
  type OutboxItem,
  type ReleaseNote,
} from '../model.ts';
import type { Repositories } from '../ports/repositories.ts';
import type { Emit } from '../unit-of-work.ts';
import { newOutboxItem } from './post-message.ts';

/**
 * Stores a notice to a contact (no conversation) as an outbox item in the caller's transaction, addressed
 * to the contact's identity on `channel`: the dispatcher delivers it once, with retries, in order with the
 * contact's other notices. Returns null when the contact has no identity on that channel.
 */
export async function addNotice(
  tx: Repositories,
  emit: Emit,
  contact: Contact,
  channel: ChannelName,
  notice: MemberNotice,
  at: string,
): Promise<OutboxItem | null> {
  const externalId = contact.identities.find((i) => i.channel === channel)?.externalId;
  if (!externalId) return null;
  const item = await tx.outbox.add(
    newOutboxItem(
      { conversationId: null, contactId: contact.id, channel, at },
      {
        conversationId: null,
        channel,
        address: { contactId: contact.id, externalId },
        authorKind: 'system',
        authorName: null,
        text: noticeText(notice),
        attachments: [],
        articles: [],
        actions: [],
        messageId: null,
        notice,
      },
    ),
  );
  emit({ type: 'outbox.enqueued', conversationId: null });
  return item;
}

/** A case's status (or a feature request's stage) changed: the notice its reporter and voters get. */
export function caseStatusNotice(kase: Case): MemberNotice {
  const { id, number, kind, subject, status } = kase;
  const stage = featureStageOf(kase);
  return {
    id: newId(),
    type: 'case.status',
    case: { id, number, kind, subject, status, ...(stage ? { stage } : {}) },
  };
}

/**
 * A release note closed cases of the member's: one notice for all of them. Its id is made from the note
 * and the member, so that the channel's idempotency key is the same whoever enqueues it.
 */
export function releaseNotice(note: ReleaseNote, contactId: string, cases: Case[]): MemberNotice {
  return {
    id: `release:${note.id}:${contactId}`,
    type: 'release',
    note,
    cases: cases.map(({ id, number, kind, subject }) => ({ id, number, kind, subject })),
  };
}

/** The stage kept in a feature request's `stage` field; undefined for other cases or other values. */
export function featureStageOf(kase: Pick<Case, 'kind' | 'fields'>): FeatureStage | undefined {
  const stage = kase.fields.stage;
  return kase.kind === 'feature' && featureStages.includes(stage as FeatureStage)
    ? (stage as FeatureStage)
    : undefined;
}

const kindWords = { bug: 'bug report', feature: 'feature request', support: 'case' } as const;

/** The English wording, for channels that do not render notices themselves and for logs. */
export function noticeText(notice: MemberNotice): string {
  if (notice.type === 'release') {
    const cases = notice.cases.map((c) => `${kindWords[c.kind]} #${c.number} "${c.subject}"`).join(', ');
    return `Fixed in ${notice.note.title}: your ${cases}.${notice.note.url ? ` ${notice.note.url}` : ''}`;
  }
  const state = notice.case.stage ? notice.case.stage.replace('_', ' ') : notice.case.status;
  return `Update on your ${kindWords[notice.case.kind]} #${notice.case.number} "${notice.case.subject}": it is now ${state}.`;
}

/**
 * Queues a refresh of the case's public post on each channel that posts cases, in the caller's
 * transaction: the connector edits the post to the case as it is when delivered, so a retry or a later
 * refresh never shows an older state. Each case's refreshes are a stream of their own.
 */
export async function refreshCasePost(
  tx: Repositories,
  emit: Emit,
  kase: Case,
  channels: ChannelName[],
  at: string,
): Promise<void> {
  // Posts are made for members' reports (a contact's case); the refreshes are a lane of that contact's.
  if (!kase.postUrl || !kase.contactId) return;
  for (const channel of channels) {
    await tx.outbox.add(
      newOutboxItem(
        { conversationId: null, contactId: kase.contactId, lane: `case-post:${kase.id}`, channel, at },
        {
          conversationId: null,
          channel,
          address: {},
          authorKind: 'system',
          authorName: null,
          text: `Case #${kase.number} changed: its public post is refreshed.`,
          attachments: [],
          articles: [],
          actions: [],
          messageId: null,
          casePost: { caseId: kase.id },
        },
      ),
    );
    emit({ type: 'outbox.enqueued', conversationId: null });
  }
}
