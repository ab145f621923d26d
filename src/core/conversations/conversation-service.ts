import type { CaseService } from '../cases/case-service.ts';
import { refreshContactIn, resolveContactIn } from '../contacts/contact-service.ts';
import { latestMemberContext, rememberMemberContextIn } from '../contacts/member-context.ts';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.ts';
import { defaultFlowDefinition } from '../flows/default-flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { newId } from '../ids.ts';
import type { ExampleLearning } from '../knowledge/example-learning.ts';
import { detectConversationalIntent } from '../knowledge/handoff-detector.ts';
import { baseLanguage, detectLanguage } from '../knowledge/language-detector.ts';
import type { Agent, Attachment, Contact, Conversation, Message, MessageAction } from '../model.ts';
import { withDelivery } from '../outbox/message-delivery.ts';
import type { DispatcherLog } from '../outbox/outbox-dispatcher.ts';
import { postMessage, refreshThreadIn } from '../outbox/post-message.ts';
import { recordResolvedIn } from '../outcomes/outcome-recording.ts';
import type { InboundMessage, ReplyCheck } from '../ports/channel-connector.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { ConversationFilter, PendingInbound, Repositories, Store } from '../ports/repositories.ts';
import type { VirtualAgent } from '../ports/virtual-agent.ts';
import type { Router } from '../routing/router.ts';
import { say } from '../texts.ts';
import { sendTranscriptIn } from '../transcripts/member-transcript.ts';
import { type Emit, inGroupedTransaction, inTransaction } from '../unit-of-work.ts';
import { type BridgeService, checkNotBridged } from './bridge-service.ts';
import { transition } from './conversation-state.ts';
import {
  type ClaimedMessage,
  ClaimLost,
  claimedStore,
  defaultInboundProcessingOptions,
  type InboundProcessingOptions,
} from './inbound-processing.ts';
import { parseTypedRating } from './typed-rating.ts';

export interface ReceiveResult {
  /** False when this channel message id was already received (a redelivery): nothing was done. */
  accepted: boolean;
  conversation: Conversation | null;
  message: Message | null;
}

export interface ReplyInput {
  text: string;
  attachments?: Attachment[];
}

export interface CloseInput {
  note?: string | null;
  /** What the linked case becomes; `solved` unless the agent says the case is still `pending`. */
  caseStatus?: 'solved' | 'pending' | 'open';
}

/** Where members' questions become proposed example questions of articles (the knowledge base learns from use). */
export type ExampleProposer = Pick<ExampleLearning, 'propose'>;

/**
 * The flow runner writing through `store`: a message's handling gets a store of its own, whose
 * transactions check the message's claim and mark it processed with its first answer.
 */
export type FlowRunnerFor = (store: Store) => Pick<FlowRunner, 'run'>;

/** A contact's message being handled, with what its handling needs. */
interface Handling extends PendingInbound {
  owner: string;
  contact?: Contact;
  conversation?: Conversation;
}

/** Knowledge-base article links in an agent's reply (`…/kb/<id>`), as the desktop inserts them. */
const articleLink = /\/kb\/([\w%.-]+)/g;

const MAX_TEXT = 20_000;

/** Conversations: receive from connectors, run the flow, agent replies, wrap-up and close. */
/** How long after a rating the contact's next message is taken as its comment. */
export const commentWindowMs = 30 * 60_000;

export class ConversationService {
  readonly processing: InboundProcessingOptions;
  /** Asks the conversation's connector whether its channel can carry an agent reply (null: it can). */
  replyCheck: (check: ReplyCheck) => Promise<string | null> = async () => null;
  /** Makes the links of the transcript sent to members absolute (null: left as they are). */
  publicUrl: string | null = null;
  /** Messages this instance is handling now; a sweep never handles one of them a second time. */
  private readonly handling = new Set<string>();
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly router: Router,
    private readonly cases: CaseService,
    private readonly flows: FlowRunnerFor,
    private readonly virtualAgent: VirtualAgent,
    private readonly learning: ExampleProposer | null = null,
    private readonly log: DispatcherLog = { warn: () => {} },
    processing: Partial<InboundProcessingOptions> = {},
    private readonly bridges: BridgeService | null = null,
  ) {
    this.processing = { ...defaultInboundProcessingOptions, owner: newId(), ...processing };
  }

  /**
   * Takes one inbound message from a connector. It is stored (idempotently, keyed by the channel's message
   * id) before anything acts on it; then, while the conversation is with the bot, it runs through the flow.
   * Stored, it waits as unprocessed until its handling has committed: if the process dies in between, the
   * sweep (`replayPending`) handles it again, once. A message that arrives while an older one of its
   * conversation still waits is handled after that one.
   */
  async receive(inbound: InboundMessage): Promise<ReceiveResult> {
    checkInbound(inbound);
    const action = inbound.action ?? null;
    const { owner, maxAttempts } = this.processing;
    // Grouped: the receives that arrive together share one commit, each stored (or not) on its own.
    const stored = await inGroupedTransaction(this.store, this.bus, async (tx, emit) => {
      const thread = inbound.thread ?? null;
      // A known contact and their open conversation are read together; a new one is made, then looked up.
      const known = inbound.contact.externalId
        ? await tx.conversations.findOpenByIdentity(inbound.channel, inbound.contact.externalId, thread)
        : undefined;
      const contact = known
        ? await refreshContactIn(tx, known.contact, inbound.contact)
        : await this.resolveContact(tx, inbound);
      // Committed with the message: what the flow and the agents read is what the member was when they wrote.
      if (inbound.member)
        await rememberMemberContextIn(
          tx.settings,
          contact.id,
          inbound.channel,
          inbound.member,
          inbound.receivedAt ?? this.now(),
          known?.memberContexts,
        );
      const rating = /^rate:([1-5])$/.exec(action ?? '');
      if (rating) {
        const rated = await this.conversationToRate(tx, contact.id, inbound.channel, 'button');
        return this.storeRating(tx, emit, contact, inbound, Number(rating[1]), rated);
      }
      let conversation = known
        ? known.conversation
        : await tx.conversations.findOpen(contact.id, inbound.channel, thread);
      // A bare "5" typed while a rating is awaited is the rating, not the start of a new conversation.
      const typed = !conversation && !action && !inbound.keyword ? parseTypedRating(inbound.text) : null;
      if (typed !== null) {
        const rated = await this.conversationToRate(tx, contact.id, inbound.channel, 'typed');
        if (rated) return this.storeRating(tx, emit, contact, inbound, typed, rated);
      }
      // The first message after a rating, while a comment is asked for, is the comment (a bare number is
      // not: it is an ordinary message, as after any rating).
      if (!conversation && !action && !inbound.keyword && typed === null && inbound.text.trim()) {
        const commented = await this.conversationToComment(tx, contact.id, inbound.channel);
        if (commented) return this.storeComment(tx, emit, contact, inbound, commented);
      }
      const isNew = !conversation;
      const at = inbound.receivedAt ?? this.now();
      if (!conversation) {
        conversation = {
          id: newId(),
          contactId: contact.id,
          channel: inbound.channel,
          state: 'bot',
          address: inbound.address,
          ...(inbound.thread ? { thread: inbound.thread } : {}),
          ...(inbound.server ? { server: inbound.server } : {}),
          queueId: null,
          agentId: null,
          caseId: null,
          language: null,
          wrapUpNote: null,
          queuedAt: null,
          assignedAt: null,
          firstAgentReplyAt: null,
          closedAt: null,
          createdAt: at,
          updatedAt: at,
        };
      }
      // Replies follow the language the contact writes in, else their locale.
      const language = languageOf(
        inbound.text,
        conversation.language ?? (contact.locale ? baseLanguage(contact.locale) : null),
      );
      const moved = JSON.stringify(conversation.address) !== JSON.stringify(inbound.address);
      // A conversation keeps the server it began in; one begun where none was known takes the first one seen.
      const server = conversation.server ?? inbound.server;
      const located = server !== conversation.server;
      if (isNew || moved || located || language !== conversation.language) {
        conversation = {
          ...conversation,
          address: inbound.address,
          language,
          ...(server ? { server } : {}),
          updatedAt: at,
        };
        await (isNew ? tx.conversations.create(conversation) : tx.conversations.update(conversation));
      }
      const message: Message = {
        id: newId(),
        conversationId: conversation.id,
        authorKind: 'contact',
        authorId: contact.id,
        text: inbound.text.slice(0, MAX_TEXT),
        attachments: inbound.attachments ?? [],
        articles: [],
        externalId: inbound.externalId,
        createdAt: at,
      };
      // A channel keyword (STOP) is for the agents to see; the flow never answers it.
      const toHandle = !inbound.keyword && needsHandling(conversation, message, action);
      // Behind an older message that still waits, this one waits too (unclaimed) and is handled after it.
      const behind = toHandle && !isNew && (await tx.messages.hasUnprocessed(conversation.id, maxAttempts));
      const claimed = toHandle && !behind;
      const inserted = await tx.messages.insert(
        message,
        inbound.channel,
        toHandle ? { action, claim: claimed ? { owner, until: this.leaseUntil() } : null } : undefined,
      );
      if (!inserted) throw new Redelivery();
      // Handed to an outside contact center: the message goes on to it, committed with the message.
      if (conversation.bridge) await this.bridges?.forwardIn(tx, emit, conversation, contact, message);
      if (isNew) emit({ type: 'conversation.updated', conversation });
      emit({ type: 'message.created', message, conversation: { ...conversation, updatedAt: at } });
      if (inbound.keyword?.reply) {
        await postMessage(tx, emit, conversation, { authorKind: 'system', text: inbound.keyword.reply }, at);
      }
      if (isNew && action === 'start') {
        await postMessage(
          tx,
          emit,
          conversation,
          { authorKind: 'bot', text: this.virtualAgent.greet(conversation.language ?? 'en') },
          at,
        );
      }
      return { contact, conversation, message, rated: false, claimed, behind };
    }).catch((error: unknown) => {
      if (error instanceof Redelivery) return null;
      throw error;
    });
    if (!stored) {
      await this.redelivered(inbound);
      return { accepted: false, conversation: null, message: null };
    }
    if (stored.rated) return { accepted: true, conversation: stored.conversation, message: stored.message };
    const { contact, message } = stored;
    let conversation = stored.conversation;
    if (stored.claimed) {
      const handled = await this.handle({
        message,
        channel: inbound.channel,
        action,
        attempts: 1,
        owner,
        contact,
        conversation,
      });
      conversation = handled ?? conversation;
    }
    // Nothing ran after the store (a live chat's message): the conversation is as the receive left it.
    if (!stored.claimed && !stored.behind) return { accepted: true, conversation, message };
    await this.drain(conversation.id, true);
    return {
      accepted: true,
      conversation: (await this.store.conversations.get(conversation.id)) ?? conversation,
      message,
    };
  }

  /**
   * One sweep for contacts' messages whose handling never committed (the process died in between, or
   * it failed): each conversation's oldest one is claimed and handled, then the rest of that
   * conversation's, in order. Returns how many were handled. A sweep still running takes this call.
   */
  replayPending(): Promise<number> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.sweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /** Resolves when the sweep under way, if any, has finished. */
  async stopReplay(): Promise<void> {
    await this.sweeping?.catch(() => 0);
  }

  private async sweep(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.store.messages.claimUnprocessed({
      now: now.toISOString(),
      leaseUntil: this.leaseUntil(),
      owner: this.processing.owner,
      limit: this.processing.batch,
      maxAttempts: this.processing.maxAttempts,
      createdBefore: new Date(now.getTime() - this.processing.minAgeMs).toISOString(),
    });
    // Heads of different conversations: handled side by side, each conversation in order.
    const counts = await Promise.all(
      claimed.map(async (pending) => {
        if (this.handling.has(pending.message.id)) return 0;
        const handled = await this.replay(pending);
        return handled === 0 ? 0 : handled + (await this.drain(pending.message.conversationId, false));
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Handles the conversation's waiting messages, oldest first, while this instance can claim them. It
   * stops at a failure, which it throws when `rethrow` (a connector's delivery is then retried).
   */
  private async drain(conversationId: string, rethrow: boolean): Promise<number> {
    const { owner, maxAttempts } = this.processing;
    let handled = 0;
    while (await this.store.messages.hasUnprocessed(conversationId, maxAttempts)) {
      const [pending] = await this.store.messages.claimUnprocessed({
        now: this.now(),
        leaseUntil: this.leaseUntil(),
        owner,
        limit: 1,
        maxAttempts,
        conversationId,
      });
      if (!pending || this.handling.has(pending.message.id)) break;
      const done = await this.replay(pending, rethrow);
      if (done === 0) break;
      handled += done;
    }
    return handled;
  }

  /** A handling from a sweep or a drain: a failure is logged (the next sweep tries again), or thrown. */
  private async replay(pending: PendingInbound, rethrow = false): Promise<number> {
    const context = {
      messageId: pending.message.id,
      conversationId: pending.message.conversationId,
      attempt: pending.attempts,
    };
    try {
      // Undefined: another instance took it over (or its conversation is gone); nothing was done here.
      if (!(await this.handle({ ...pending, owner: this.processing.owner }))) return 0;
      this.log.warn(context, 'inbound message handled after its first handling did not finish');
      return 1;
    } catch (error) {
      this.log.warn({ ...context, error: String(error) }, 'inbound message not handled yet');
      if (rethrow) throw error;
      return 0;
    }
  }

  /** A redelivered message is not stored again; if it still waits for its handling, it is handled now. */
  private async redelivered(inbound: InboundMessage): Promise<void> {
    const existing = await this.store.messages.findByExternalId(inbound.channel, inbound.externalId);
    if (existing) await this.drain(existing.conversationId, true);
  }

  /**
   * Runs a claimed message's handling: the flow while the conversation is with the bot, the "still
   * queued" answer to a queued contact asking again for a person. Its transactions go through a store
   * that checks the claim and marks the message processed with the first answer; the message is marked
   * processed at the end in any case. Returns the conversation afterwards, or undefined when another
   * instance took the message over. A failure leaves the message waiting (its claim released) for the
   * next attempt, except a domain error (a broken flow), which no retry mends, and the last attempt.
   */
  private async handle(item: Handling): Promise<Conversation | undefined> {
    const { message, action, owner } = item;
    const claim: ClaimedMessage = {
      messageId: message.id,
      owner,
      leaseUntil: () => this.leaseUntil(),
      now: () => this.now(),
    };
    const store = claimedStore(this.store, claim);
    this.handling.add(message.id);
    const renewal = setInterval(() => {
      this.store.messages.holdClaim(message.id, owner, this.leaseUntil()).catch(() => {});
    }, this.processing.renewMs);
    try {
      let conversation = item.conversation ?? (await this.store.conversations.get(message.conversationId));
      const contact =
        item.contact ?? (message.authorId ? await this.store.contacts.get(message.authorId) : undefined);
      if (!conversation || !contact) {
        await this.store.messages.markProcessed(message.id, owner, this.now());
        return conversation;
      }
      if (conversation.state === 'bot') {
        if (action === 'resolved') {
          await this.acknowledgeResolved(store, conversation, message);
        } else if (message.text.trim() || action === 'handoff') {
          const flow = (await this.store.flows.getActive())?.definition ?? defaultFlowDefinition;
          const member = await latestMemberContext(this.store.settings, contact.id, conversation.channel);
          const result = await this.flows(store).run(flow, {
            conversation,
            contact,
            message,
            action,
            ...(member ? { member } : {}),
          });
          conversation = result.conversation;
        }
      } else if (conversation.state === 'queued' && action === 'handoff') {
        const queued = conversation;
        const position = (await this.router.queuePosition(queued.id)) ?? 1;
        await inTransaction(store, this.bus, (tx, emit) =>
          postMessage(
            tx,
            emit,
            queued,
            {
              authorKind: 'system',
              text: say('stillQueued', queued.language, { position }, queued.server?.id),
            },
            this.now(),
          ),
        );
      }
      // Marked with the first answer already, or now (a flow that sent the contact nothing).
      if (!claim.processed && !(await this.store.messages.markProcessed(message.id, owner, this.now())))
        throw new ClaimLost(message.id);
      if (conversation.state === 'queued') await this.router.offer();
      return conversation;
    } catch (error) {
      if (error instanceof ClaimLost) {
        this.log.warn(
          { messageId: message.id, conversationId: message.conversationId },
          'inbound message taken over by another instance; this one stopped handling it',
        );
        return undefined;
      }
      await this.afterFailure(item, error);
      throw error;
    } finally {
      clearInterval(renewal);
      this.handling.delete(message.id);
    }
  }

  private async afterFailure(item: Handling, error: unknown): Promise<void> {
    const { message, owner, attempts } = item;
    const final = error instanceof DomainError || attempts >= this.processing.maxAttempts;
    try {
      if (!final) {
        await this.store.messages.releaseClaim(message.id, owner);
        return;
      }
      await this.store.messages.markProcessed(message.id, owner, this.now());
    } catch {
      // The database is away: the claim runs out by itself and the message is tried again.
      return;
    }
    (this.log.error ?? this.log.warn)(
      { messageId: message.id, conversationId: message.conversationId, attempts, error: String(error) },
      'inbound message given up: its handling failed',
    );
  }

  private leaseUntil(): string {
    return new Date(this.clock.now().getTime() + this.processing.leaseMs).toISOString();
  }

  async get(id: string): Promise<Conversation> {
    const conversation = await this.store.conversations.get(id);
    if (!conversation) throw notFound('conversation', id);
    return conversation;
  }

  list(filter: ConversationFilter): Promise<Conversation[]> {
    return this.store.conversations.list(filter);
  }

  async transcript(id: string): Promise<Message[]> {
    await this.get(id);
    const [messages, items, receipts] = await Promise.all([
      this.store.messages.listByConversation(id),
      this.store.outbox.listByConversation(id),
      this.store.channelReceipts.listByConversation(id),
    ]);
    return withDelivery(messages, items, receipts);
  }

  /** An agent's reply; stored and queued for delivery to the contact's channel in one transaction. */
  async reply(agentId: string, conversationId: string, input: ReplyInput): Promise<Message> {
    const text = input.text.trim();
    const attachments = input.attachments ?? [];
    if (!text && attachments.length === 0)
      throw invalid('a reply needs text or an attachment', { field: 'text' });
    if (text.length > MAX_TEXT)
      throw invalid(`a reply has at most ${MAX_TEXT} characters`, { field: 'text' });
    await this.checkChannel(conversationId, text, attachments);
    const message = await inTransaction(this.store, this.bus, (tx, emit) =>
      this.replyIn(tx, emit, agentId, conversationId, text, attachments),
    );
    await this.learnFromLinks(conversationId, text);
    return message;
  }

  /** `reply` inside the caller's transaction (a macro's text goes this way); the caller checks the text. */
  async replyIn(
    tx: Repositories,
    emit: Emit,
    agentId: string,
    conversationId: string,
    text: string,
    attachments: Attachment[],
  ): Promise<Message> {
    const agent = await this.agent(tx, agentId);
    const conversation = await tx.conversations.get(conversationId);
    if (!conversation) throw notFound('conversation', conversationId);
    checkNotBridged(conversation, 'take replies');
    this.checkHolder(agent, conversation);
    if (conversation.state !== 'assigned') {
      throw conflict(
        `conversation ${conversationId} is ${conversation.state}; only assigned conversations take replies`,
      );
    }
    const at = this.now();
    let current = conversation;
    if (!conversation.firstAgentReplyAt) {
      current = { ...conversation, firstAgentReplyAt: at, updatedAt: at };
      await tx.conversations.update(current);
    }
    return postMessage(
      tx,
      emit,
      current,
      { authorKind: 'agent', authorId: agent.id, authorName: agent.name, text, attachments },
      at,
    );
  }

  /** A reply the conversation's channel cannot carry is refused here, with the channel's reason, not later. */
  async checkChannel(conversationId: string, text: string, attachments: Attachment[]): Promise<void> {
    const conversation = await this.store.conversations.get(conversationId);
    if (!conversation) return;
    const [contact, messages] = await Promise.all([
      this.store.contacts.get(conversation.contactId),
      this.store.messages.listByConversation(conversationId),
    ]);
    const reason = await this.replyCheck({
      conversation,
      contact: contact ?? null,
      text,
      attachments,
      lastContactMessageAt: messages.findLast((m) => m.authorKind === 'contact')?.createdAt ?? null,
      now: this.now(),
    });
    if (reason) throw invalid(reason, { field: 'text' });
  }

  /**
   * An agent who answers with a knowledge-base link says that article answers the contact's question:
   * the question is proposed as a new example of it (an agent approves it later).
   */
  private async learnFromLinks(conversationId: string, text: string): Promise<void> {
    if (!this.learning) return;
    const articleIds = [...new Set([...text.matchAll(articleLink)].map((m) => decodeURIComponent(m[1]!)))];
    if (articleIds.length === 0) return;
    const messages = await this.store.messages.listByConversation(conversationId);
    // The contact's question: their first message that is not a greeting, thanks or a request for a person.
    const question = messages.find(
      (m) => m.authorKind === 'contact' && m.text.trim() && detectConversationalIntent(m.text) === null,
    );
    if (!question) return;
    for (const articleId of articleIds) {
      // The center's proposer logs a failure and never throws (a link to a missing article teaches nothing).
      await this.learning.propose(articleId, question.text, 'agent_link', conversationId);
    }
  }

  async wrapUp(agentId: string, conversationId: string, note: string | null): Promise<Conversation> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const agent = await this.agent(tx, agentId);
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
      checkNotBridged(conversation, 'be wrapped up');
      this.checkHolder(agent, conversation);
      const next = { ...transition(conversation, 'wrapping', this.now()), wrapUpNote: cleanNote(note) };
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
      return next;
    });
  }

  /**
   * Closes the conversation. If an agent handled it, the contact is told and asked to rate it (1–5),
   * and the linked case becomes solved (or stays pending/open if the agent says so).
   */
  async close(agentId: string, conversationId: string, input: CloseInput = {}): Promise<Conversation> {
    const closed = await inTransaction(this.store, this.bus, (tx, emit) =>
      this.closeIn(tx, emit, agentId, conversationId, input),
    );
    await this.router.offer();
    return closed;
  }

  /** `close` inside the caller's transaction (a macro closes this way); call `router.offer()` after the commit. */
  async closeIn(
    tx: Repositories,
    emit: Emit,
    agentId: string,
    conversationId: string,
    input: CloseInput = {},
  ): Promise<Conversation> {
    const agent = await this.agent(tx, agentId);
    const conversation = await tx.conversations.get(conversationId);
    if (!conversation) throw notFound('conversation', conversationId);
    checkNotBridged(conversation, 'be closed');
    this.checkHolder(agent, conversation);
    const at = this.now();
    const handled = conversation.state === 'assigned' || conversation.state === 'wrapping';
    const note = input.note !== undefined ? cleanNote(input.note) : conversation.wrapUpNote;
    const next: Conversation = {
      ...transition(conversation, 'closed', at),
      wrapUpNote: note,
      // The contact is asked to rate below; until they do, a typed "5" is the rating.
      ...(handled ? { ratingRequestedAt: at } : {}),
    };
    await this.router.cancelPending(tx, emit, conversationId);
    await tx.conversations.update(next);
    emit({ type: 'conversation.updated', conversation: next });
    if (handled && conversation.agentId) {
      const holder = await tx.agents.get(conversation.agentId);
      if (holder) await tx.agents.update({ ...holder, idleSince: at });
    }
    // Before the rating question: a later message would disable its buttons on Discord.
    await sendTranscriptIn(tx, emit, next, new Date(at), this.publicUrl);
    if (handled) {
      const actions: MessageAction[] = [1, 2, 3, 4, 5].map((n) => ({ id: `rate:${n}`, label: String(n) }));
      await postMessage(
        tx,
        emit,
        next,
        { authorKind: 'system', text: say('closedRate', next.language, {}, next.server?.id), actions },
        at,
      );
    } else {
      // Nothing said to the member (never with an agent): a forum post still shows it solved.
      await refreshThreadIn(tx, emit, next, at);
    }
    if (next.caseId) {
      const status = input.caseStatus ?? 'solved';
      await this.cases.updateIn(tx, emit, next.caseId, { status }, { kind: 'agent', id: agent.id });
      if (note) {
        await this.cases.addNoteIn(
          tx,
          emit,
          next.caseId,
          note,
          { kind: 'agent', id: agent.id },
          {
            wrapUp: true,
            conversationId,
          },
        );
      }
    }
    return next;
  }

  private async acknowledgeResolved(
    store: Store,
    conversation: Conversation,
    message: Message,
  ): Promise<void> {
    const messages = await this.store.messages.listByConversation(conversation.id);
    const suggestion = [...messages].reverse().find((m) => m.authorKind === 'bot' && m.articles.length > 0);
    const question = suggestion
      ? [...messages]
          .filter((m) => m.authorKind === 'contact' && m.text.trim() && m.createdAt <= suggestion.createdAt)
          .pop()
      : undefined;
    await inTransaction(store, this.bus, async (tx, emit) => {
      // A thread (a forum post) is one question: solved, it is closed, and so shown solved once told.
      if (conversation.thread) {
        const closed = transition(conversation, 'closed', this.now());
        await tx.conversations.update(closed);
        emit({ type: 'conversation.updated', conversation: closed });
      }
      await postMessage(
        tx,
        emit,
        conversation,
        { authorKind: 'bot', text: say('gladItHelped', conversation.language, {}, conversation.server?.id) },
        this.now(),
      );
      await recordResolvedIn(tx, conversation, this.now());
    });
    const article = suggestion?.articles[0];
    if (article && question && question.id !== message.id) {
      await this.learning?.propose(article.id, question.text, 'resolved', conversation.id);
    }
  }

  /**
   * The conversation a rating is for: the contact's latest conversation on the channel while it awaits a
   * rating (a new conversation ends the wait). A pressed rating button also rates an earlier closed
   * conversation that was never asked (closed before ratings were awaited); a typed number never does.
   */
  private async conversationToRate(
    tx: Repositories,
    contactId: string,
    channel: string,
    how: 'button' | 'typed',
  ): Promise<Conversation | undefined> {
    const recent = await tx.conversations.list({ contactId, channel, limit: 10 });
    const latest = recent[0];
    if (latest?.state === 'closed' && latest.ratingRequestedAt && latest.caseId) return latest;
    if (how === 'typed') return undefined;
    return recent.find((c) => c.caseId && c.state === 'closed') ?? recent.find((c) => c.caseId);
  }

  private async storeRating(
    tx: Repositories,
    emit: Emit,
    contact: Contact,
    inbound: InboundMessage,
    rating: number,
    conversation: Conversation | undefined,
  ) {
    if (!conversation?.caseId) throw invalid('there is no closed conversation to rate');
    const at = this.now();
    // The comment is asked for on the latest conversation only: its next message is the comment.
    const latest = (
      await tx.conversations.list({ contactId: contact.id, channel: inbound.channel, limit: 1 })
    )[0];
    const asksComment = latest?.id === conversation.id;
    if (conversation.ratingRequestedAt || asksComment)
      await tx.conversations.update({
        ...conversation,
        ratingRequestedAt: null,
        ...(asksComment ? { commentRequestedAt: at } : {}),
      });
    const message: Message = {
      id: newId(),
      conversationId: conversation.id,
      authorKind: 'contact',
      authorId: contact.id,
      text: `Rated ${rating}/5`,
      attachments: [],
      articles: [],
      externalId: inbound.externalId,
      createdAt: at,
    };
    if (!(await tx.messages.insert(message, inbound.channel))) throw new Redelivery();
    emit({ type: 'message.created', message, conversation });
    await this.cases.rateIn(tx, emit, conversation.caseId, rating, { kind: 'contact', id: contact.id });
    await postMessage(
      tx,
      emit,
      conversation,
      {
        authorKind: 'system',
        text: say('thanksForRating', conversation.language, {}, conversation.server?.id),
      },
      at,
    );
    if (asksComment)
      await postMessage(
        tx,
        emit,
        conversation,
        { authorKind: 'system', text: say('askComment', conversation.language, {}, conversation.server?.id) },
        at,
      );
    return { contact, conversation, message, rated: true, claimed: false, behind: false };
  }

  /** The closed conversation whose rating awaits a comment now (asked for less than `commentWindowMs` ago). */
  private async conversationToComment(
    tx: Repositories,
    contactId: string,
    channel: string,
  ): Promise<Conversation | undefined> {
    const [latest] = await tx.conversations.list({ contactId, channel, limit: 1 });
    if (latest?.state !== 'closed' || !latest.commentRequestedAt || !latest.caseId) return undefined;
    const asked = Date.parse(latest.commentRequestedAt);
    return this.clock.now().getTime() - asked < commentWindowMs ? latest : undefined;
  }

  private async storeComment(
    tx: Repositories,
    emit: Emit,
    contact: Contact,
    inbound: InboundMessage,
    conversation: Conversation,
  ) {
    const at = this.now();
    const done = { ...conversation, commentRequestedAt: null };
    await tx.conversations.update(done);
    const message: Message = {
      id: newId(),
      conversationId: conversation.id,
      authorKind: 'contact',
      authorId: contact.id,
      text: inbound.text,
      attachments: [],
      articles: [],
      externalId: inbound.externalId,
      createdAt: at,
    };
    if (!(await tx.messages.insert(message, inbound.channel))) throw new Redelivery();
    emit({ type: 'message.created', message, conversation: done });
    await this.cases.commentRatingIn(tx, emit, conversation.caseId ?? '', inbound.text, {
      kind: 'contact',
      id: contact.id,
    });
    await postMessage(
      tx,
      emit,
      done,
      {
        authorKind: 'system',
        text: say('thanksForComment', conversation.language, {}, conversation.server?.id),
      },
      at,
    );
    return { contact, conversation: done, message, rated: true, claimed: false, behind: false };
  }

  private resolveContact(tx: Repositories, inbound: InboundMessage): Promise<Contact> {
    return resolveContactIn(tx, inbound.channel, inbound.contact, this.now());
  }

  private async agent(tx: Repositories, agentId: string): Promise<Agent> {
    const agent = await tx.agents.get(agentId);
    if (!agent) throw notFound('agent', agentId);
    return agent;
  }

  /** Only the agent holding a conversation acts on it; supervisors and admins may step in. */
  private checkHolder(agent: Agent, conversation: Conversation): void {
    if (agent.role === 'agent' && conversation.agentId !== agent.id) {
      throw forbidden('this conversation is not assigned to you');
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

/** Thrown inside the receive transaction to roll it back when the message was already stored. */
class Redelivery extends Error {}

/** Whether a contact's message has anything to run after it is stored (else it is stored processed). */
function needsHandling(conversation: Conversation, message: Message, action: string | null): boolean {
  if (conversation.state === 'bot')
    return action === 'resolved' || action === 'handoff' || !!message.text.trim();
  return conversation.state === 'queued' && action === 'handoff';
}

function checkInbound(inbound: InboundMessage): void {
  if (!inbound.externalId)
    throw invalid('an inbound message needs the channel message id', { field: 'externalId' });
  if (!inbound.contact?.externalId)
    throw invalid('an inbound message needs the contact id', { field: 'contact.externalId' });
  if (typeof inbound.text !== 'string')
    throw invalid('an inbound message needs text (it may be empty)', { field: 'text' });
}

function languageOf(text: string, fallback: string | null): string | null {
  const detected = detectLanguage(text);
  return detected && detected.confidence >= 0.5 ? detected.language : fallback;
}

function cleanNote(note: string | null | undefined): string | null {
  const value = (note ?? '').trim();
  return value ? value.slice(0, 10_000) : null;
}
