import { newId } from '../ids.ts';
import type { Case, ChannelName, Contact, MemberNotice, OutboxItem } from '../model.ts';
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

/** A case's status changed: the notice its contact gets. */
export function caseStatusNotice(kase: Case): MemberNotice {
  const { id, number, kind, subject, status } = kase;
  return { id: newId(), type: 'case.status', case: { id, number, kind, subject, status } };
}

/** The English wording, for channels that do not render notices themselves and for logs. */
export function noticeText(notice: MemberNotice): string {
  const kind = { bug: 'bug report', feature: 'feature request', support: 'case' }[notice.case.kind];
  return `Update on your ${kind} #${notice.case.number} "${notice.case.subject}": it is now ${notice.case.status}.`;
}
