import type { CaseService } from '../cases/case-service.ts';
import { conflict } from '../errors.ts';
import type {
  Attachment,
  BridgeTranscriptLine,
  BridgeWork,
  Case,
  Contact,
  Conversation,
  Message,
} from '../model.ts';
import { newOutboxItem, postMessageOnce } from '../outbox/post-message.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Repositories, Store } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import { type Emit, inTransaction } from '../unit-of-work.ts';

/** How much of the conversation so far goes over with a hand-off (the newest messages). */
const TRANSCRIPT_LIMIT = 100;

/** An outside contact center's agent's message for the contact, as its connector received it. */
export interface BridgedAgentMessage {
  target: string;
  /** The outside contact center's id of the conversation (`ConversationBridge.ref`). */
  ref: string;
  /** The outside message id: the same id twice reaches the contact once. */
  externalId: string;
  authorName: string;
  text: string;
  attachments?: Attachment[];
}

/** What became of a bridge event: `unknown` when no open conversation is handed over under that id. */
export type BridgeOutcome = 'delivered' | 'duplicate' | 'unknown';

/** A hand-off in the words of the conversation's state: refused to the desktop while it lasts. */
export function checkNotBridged(conversation: Conversation, what: string): void {
  if (conversation.bridge && conversation.state !== 'closed')
    throw conflict(
      `conversation ${conversation.id} is handled in ${labelOf(conversation.bridge.target)}; it cannot ${what} here`,
    );
}

/**
 * Conversations handed to an outside contact center (a bridge, such as Twilio Flex). The hand-off and every
 * contact message while it lasts become outbox work for the bridge's connector, in the transaction that
 * stores them (in a lane of their own, so the contact's own messages never wait behind an outage of the
 * outside contact center); what its agents answer comes back through `agentMessage`, once per outside id.
 */
export class BridgeService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly cases: CaseService,
  ) {}

  /**
   * Hands the conversation to `target` inside the caller's transaction: it is with the outside contact
   * center from now on (`assigned` to nobody here) and the bridge's connector gets the transcript so far.
   */
  async handOffIn(
    tx: Repositories,
    emit: Emit,
    conversation: Conversation,
    contact: Contact,
    kase: Case | undefined,
    target: string,
  ): Promise<Conversation> {
    const at = this.now();
    if (conversation.state !== 'bot')
      throw conflict(`conversation ${conversation.id} is ${conversation.state}; only the bot hands it over`);
    const next: Conversation = {
      ...conversation,
      state: 'assigned',
      queueId: null,
      agentId: null,
      queuedAt: at,
      assignedAt: at,
      bridge: { target, ref: null, since: at },
      updatedAt: at,
    };
    await tx.conversations.update(next);
    const messages = await tx.messages.listByConversation(conversation.id);
    const transcript: BridgeTranscriptLine[] = messages
      .filter((m) => m.text.trim() || m.attachments.length > 0)
      .slice(-TRANSCRIPT_LIMIT)
      .map((m) => ({
        messageId: m.id,
        authorKind: m.authorKind,
        text: m.text,
        attachments: m.attachments,
        createdAt: m.createdAt,
      }));
    const work: BridgeWork = {
      type: 'open',
      contact: { id: contact.id, name: contact.name },
      channel: conversation.channel,
      caseNumber: kase?.number ?? null,
      summary: (kase && (await handoffSummaryOf(tx, kase))) ?? summarise(messages, kase),
      transcript,
    };
    await this.addWork(tx, next, work, { text: '', messageId: null, attachments: [] }, at);
    emit({ type: 'conversation.updated', conversation: next });
    emit({ type: 'outbox.enqueued', conversationId: next.id });
    return next;
  }

  /** A contact's message written while the conversation is handed over goes on to the bridge (same transaction). */
  async forwardIn(
    tx: Repositories,
    emit: Emit,
    conversation: Conversation,
    contact: Contact,
    message: Message,
  ): Promise<void> {
    const target = conversation.bridge?.target;
    if (!target || conversation.state === 'closed') return;
    if (!message.text.trim() && message.attachments.length === 0) return;
    const work: BridgeWork = { type: 'forward', contact: { id: contact.id, name: contact.name } };
    await this.addWork(tx, conversation, work, message, message.createdAt);
    emit({ type: 'outbox.enqueued', conversationId: conversation.id });
  }

  private async addWork(
    tx: Repositories,
    conversation: Conversation,
    work: BridgeWork,
    message: Pick<Message, 'text' | 'attachments'> & { messageId?: string | null; id?: string },
    at: string,
  ): Promise<void> {
    const target = conversation.bridge?.target;
    if (!target) return;
    await tx.outbox.add(
      newOutboxItem(
        { conversationId: conversation.id, channel: target, lane: target, at },
        {
          conversationId: conversation.id,
          channel: target,
          address: conversation.address,
          authorKind: work.type === 'forward' ? 'contact' : 'system',
          authorName: work.contact.name,
          text: message.text,
          attachments: message.attachments,
          articles: [],
          actions: [],
          messageId: message.id ?? message.messageId ?? null,
          bridge: work,
        },
      ),
    );
  }

  /** The bridge's connector found or created the conversation over there: its id is kept (the desktop shows it). */
  async linked(conversationId: string, ref: string): Promise<void> {
    await inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation?.bridge || conversation.bridge.ref === ref) return;
      const next = { ...conversation, bridge: { ...conversation.bridge, ref }, updatedAt: this.now() };
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
    });
  }

  /** The outside id of a handed-over conversation, once linked. */
  async refOf(conversationId: string): Promise<string | null> {
    return (await this.store.conversations.get(conversationId))?.bridge?.ref ?? null;
  }

  /** An outside agent's message: stored and queued to the contact once per outside message id. */
  agentMessage(input: BridgedAgentMessage): Promise<BridgeOutcome> {
    return this.tellContact(input.target, input.ref, (tx, emit, conversation) =>
      postMessageOnce(
        tx,
        emit,
        conversation,
        {
          authorKind: 'agent',
          authorName: input.authorName,
          text: input.text,
          attachments: input.attachments ?? [],
          onceKey: `bridge:${input.target}:message:${input.externalId}`,
        },
        this.now(),
      ),
    );
  }

  /** An outside agent joined: the contact is told who (once per outside participant id). */
  agentJoined(target: string, ref: string, participantId: string, name: string): Promise<BridgeOutcome> {
    return this.tellContact(target, ref, (tx, emit, conversation) =>
      postMessageOnce(
        tx,
        emit,
        conversation,
        {
          authorKind: 'system',
          text: say('agentJoined', conversation.language, { agent: name }, conversation.server?.id),
          onceKey: `bridge:${target}:joined:${participantId}:${conversation.id}`,
        },
        this.now(),
      ),
    );
  }

  /**
   * The outside contact center closed the conversation: the contact is told, the conversation closes (the
   * contact's next message starts a new one, with the bot) and its case says where it was closed.
   */
  ended(target: string, ref: string): Promise<BridgeOutcome> {
    return this.tellContact(target, ref, async (tx, emit, conversation) => {
      const at = this.now();
      const told = await postMessageOnce(
        tx,
        emit,
        conversation,
        {
          authorKind: 'system',
          text: say('bridgeClosed', conversation.language, {}, conversation.server?.id),
          onceKey: `bridge:${target}:closed:${conversation.id}`,
        },
        at,
      );
      if (!told) return null;
      const next: Conversation = { ...conversation, state: 'closed', closedAt: at, updatedAt: at };
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
      if (next.caseId) {
        const actor = { kind: 'system', id: null } as const;
        await this.cases.updateIn(tx, emit, next.caseId, { status: 'solved' }, actor);
        await this.cases.addNoteIn(
          tx,
          emit,
          next.caseId,
          `Closed in ${labelOf(target)} (conversation ${ref}).`,
          actor,
          { bridge: target, ref, conversationId: next.id },
        );
      }
      return told;
    });
  }

  private async tellContact(
    target: string,
    ref: string,
    work: (tx: Repositories, emit: Emit, conversation: Conversation) => Promise<Message | null>,
  ): Promise<BridgeOutcome> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.findBridged(target, ref);
      if (!conversation) return 'unknown';
      return (await work(tx, emit, conversation)) ? 'delivered' : 'duplicate';
    });
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

const labelOf = (target: string) => (target === 'flex' ? 'Flex' : target);

/**
 * A few lines for the outside agent: what the contact asked (their latest questions) and what the virtual
 * agent already suggested.
 */
/**
 * The hand-off summary noted on the case when it was opened (written by the brand's model when one is
 * configured), led by the case line; null when the case has none.
 */
async function handoffSummaryOf(tx: Repositories, kase: Case): Promise<string | null> {
  const note = (await tx.cases.listTimeline(kase.id)).findLast(
    (e) => e.type === 'note' && e.data.handoffSummary === true && typeof e.data.text === 'string',
  );
  if (!note) return null;
  return [`Case #${kase.number}: ${oneLine(kase.subject, 200)}`, String(note.data.text)].join('\n');
}

export function summarise(messages: Message[], kase: Case | undefined): string {
  const asked = messages
    .filter((m) => m.authorKind === 'contact' && m.text.trim())
    .slice(-3)
    .map((m) => oneLine(m.text, 200));
  const suggested = [
    ...new Set(messages.filter((m) => m.authorKind === 'bot').flatMap((m) => m.articles.map((a) => a.title))),
  ].slice(0, 5);
  const lines: string[] = [];
  if (kase) lines.push(`Case #${kase.number}: ${oneLine(kase.subject, 200)}`);
  if (asked.length > 0) lines.push(`The member wrote: ${asked.map((t) => `"${t}"`).join('; ')}`);
  lines.push(
    suggested.length > 0
      ? `The virtual agent suggested: ${suggested.join('; ')}`
      : 'The virtual agent suggested no article.',
  );
  return lines.join('\n');
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
