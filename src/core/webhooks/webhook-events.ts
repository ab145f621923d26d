import { newId } from '../ids.ts';
import type { Case, Conversation, Message, TimelineEntry } from '../model.ts';
import type { DomainEvent } from '../ports/event-bus.ts';
import type { Repositories } from '../ports/repositories.ts';
import type { WebhookEvent, WebhookEventType } from './webhook.ts';

/** A conversation as integrators see it: its channel's reply address stays inside. */
function conversationData(c: Conversation): Record<string, unknown> {
  const { address: _address, ...rest } = c;
  return rest;
}

function messageData(m: Message): Record<string, unknown> {
  return { ...m };
}

function caseData(k: Case, entry: TimelineEntry | null): Record<string, unknown> {
  return { case: k, entry };
}

type Found = Omit<WebhookEvent, 'id'>;

/** The domain events integrator events come from; a change without any costs no query. */
const integratorEventTypes: ReadonlySet<DomainEvent['type']> = new Set([
  'conversation.updated',
  'message.created',
  'case.created',
  'case.updated',
]);

/**
 * The integrator events in what a transaction emitted. A conversation event is recognised by the state
 * it reached in that change (its `assignedAt`/`closedAt` is the change's own time); the key names the
 * occurrence, so a later change that looks the same is not delivered again.
 */
export async function webhookEventsOf(
  events: readonly DomainEvent[],
  timeline: (caseId: string) => Promise<TimelineEntry[]>,
): Promise<Found[]> {
  const found: Found[] = [];
  const add = (type: WebhookEventType, key: string, at: string, data: Record<string, unknown>) =>
    found.push({ type, key: `${type}:${key}`, at, data });
  for (const event of events) {
    switch (event.type) {
      case 'conversation.updated': {
        const c = event.conversation;
        if (c.createdAt === c.updatedAt)
          add('conversation.created', c.id, c.createdAt, { conversation: conversationData(c) });
        if (c.state === 'assigned' && c.assignedAt === c.updatedAt)
          add('conversation.assigned', `${c.id}:${c.assignedAt}:${c.agentId}`, c.updatedAt, {
            conversation: conversationData(c),
          });
        if (c.state === 'closed' && c.closedAt === c.updatedAt)
          add('conversation.closed', `${c.id}:${c.closedAt}`, c.updatedAt, {
            conversation: conversationData(c),
          });
        break;
      }
      case 'message.created':
        add('message.created', event.message.id, event.message.createdAt, {
          message: messageData(event.message),
          conversation: conversationData(event.conversation),
        });
        break;
      case 'case.created':
        add('case.created', event.case.id, event.case.createdAt, caseData(event.case, null));
        break;
      case 'case.updated': {
        const { case: k, entry } = event;
        add('case.updated', `${k.id}:${entry?.id ?? k.updatedAt}`, k.updatedAt, caseData(k, entry));
        // One change may touch several fields and name only its last entry: the status entry of this
        // change is looked up on the timeline.
        const solved =
          k.status !== 'solved'
            ? undefined
            : entry?.type === 'status' && entry.data.to === 'solved'
              ? entry
              : entry && entry.at === k.updatedAt
                ? (await timeline(k.id)).find(
                    (e) => e.type === 'status' && e.at === k.updatedAt && e.data.to === 'solved',
                  )
                : undefined;
        if (solved) add('case.solved', `${k.id}:${solved.id}`, solved.at, caseData(k, solved));
        if (entry?.type === 'rating')
          add('rating.received', `${k.id}:${entry.id}`, entry.at, {
            rating: entry.data.rating,
            ...caseData(k, entry),
          });
        break;
      }
      default:
        break;
    }
  }
  // The same occurrence emitted twice in one change (say, a conversation updated twice) counts once.
  const seen = new Set<string>();
  return found.filter((e) => !seen.has(e.key) && seen.add(e.key));
}

/** The body a receiver gets: the event id, its type, when it happened and what it is about. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.at, data: event.data });
}

/**
 * Writes a delivery of each integrator event among `events` to every enabled subscription of its type, in
 * the caller's transaction: committed with the change that caused it, or not at all. True when any was
 * written.
 */
export async function recordWebhookDeliveries(
  tx: Repositories,
  events: readonly DomainEvent[],
): Promise<boolean> {
  if (!events.some((e) => integratorEventTypes.has(e.type))) return false;
  const subscriptions = await tx.webhooks.listEnabledSubscriptions();
  if (subscriptions.length === 0) return false;
  const found = await webhookEventsOf(events, (caseId) => tx.cases.listTimeline(caseId));
  let stored = 0;
  for (const partial of found) {
    const ids = subscriptions.filter((s) => s.events.includes(partial.type)).map((s) => s.id);
    if (ids.length === 0) continue;
    const event: WebhookEvent = { ...partial, id: newId() };
    stored += await tx.webhooks.addDeliveries(event, webhookBody(event), ids);
  }
  return stored > 0;
}
