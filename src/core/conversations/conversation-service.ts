import type { CaseService } from '../cases/case-service.ts';
import { resolveContactIn } from '../contacts/contact-service.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { defaultFlowDefinition } from '../flows/default-flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { newId } from '../ids.ts';
import type { ExampleLearning } from '../knowledge/example-learning.ts';
import { detectConversationalIntent } from '../knowledge/handoff-detector.ts';
import { baseLanguage, detectLanguage } from '../knowledge/language-detector.ts';
import type { Agent, Attachment, Contact, Conversation, Message, MessageAction } from '../model.ts';
import { withDelivery } from '../outbox/message-delivery.ts';
import { postMessage } from '../outbox/post-message.ts';
import type { InboundMessage } from '../ports/channel-connector.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { ConversationFilter, Repositories, Store } from '../ports/repositories.ts';
import type { VirtualAgent } from '../ports/virtual-agent.ts';
import type { Router } from '../routing/router.ts';
import { say } from '../texts.ts';
import { type Emit, inTransaction } from '../unit-of-work.ts';
import { transition } from './conversation-state.ts';
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

/** Knowledge-base article links in an agent's reply (`…/kb/<id>`), as the desktop inserts them. */
const articleLink = /\/kb\/([\w%.-]+)/g;

const MAX_TEXT = 20_000;

/** Conversations: receive from connectors, run the flow, agent replies, wrap-up and close. */
export class ConversationService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly router: Router,
    private readonly cases: CaseService,
    private readonly flows: FlowRunner,
    private readonly virtualAgent: VirtualAgent,
    private readonly learning: ExampleProposer | null = null,
  ) {}

  /**
   * Takes one inbound message from a connector. It is stored (idempotently, keyed by the channel's message
   * id) before anything acts on it; then, while the conversation is with the bot, it runs through the flow.
   */
  async receive(inbound: InboundMessage): Promise<ReceiveResult> {
    checkInbound(inbound);
    const action = inbound.action ?? null;
    const stored = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const contact = await this.resolveContact(tx, inbound);
      const rating = /^rate:([1-5])$/.exec(action ?? '');
      if (rating) {
        const rated = await this.conversationToRate(tx, contact.id, inbound.channel, 'button');
        return this.storeRating(tx, emit, contact, inbound, Number(rating[1]), rated);
      }
      let conversation = await tx.conversations.findOpen(contact.id, inbound.channel);
      // A bare "5" typed while a rating is awaited is the rating, not the start of a new conversation.
      const typed = !conversation && !action ? parseTypedRating(inbound.text) : null;
      if (typed !== null) {
        const rated = await this.conversationToRate(tx, contact.id, inbound.channel, 'typed');
        if (rated) return this.storeRating(tx, emit, contact, inbound, typed, rated);
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
      if (isNew || moved || language !== conversation.language) {
        conversation = { ...conversation, address: inbound.address, language, updatedAt: at };
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
      if (!(await tx.messages.insert(message, inbound.channel))) {
        throw new Redelivery();
      }
      if (isNew) emit({ type: 'conversation.updated', conversation });
      emit({ type: 'message.created', message, conversation: { ...conversation, updatedAt: at } });
      if (isNew && action === 'start') {
        await postMessage(
          tx,
          emit,
          conversation,
          { authorKind: 'bot', text: this.virtualAgent.greet(conversation.language ?? 'en') },
          at,
        );
      }
      return { contact, conversation, message, rated: false };
    }).catch((error: unknown) => {
      if (error instanceof Redelivery) return null;
      throw error;
    });
    if (!stored) return { accepted: false, conversation: null, message: null };
    if (stored.rated) return { accepted: true, conversation: stored.conversation, message: stored.message };
    const { contact, message } = stored;
    let conversation = stored.conversation;
    if (conversation.state === 'bot') {
      if (action === 'resolved') {
        await this.acknowledgeResolved(conversation, message);
      } else if (message.text.trim() || action === 'handoff') {
        const flow = (await this.store.flows.getActive())?.definition ?? defaultFlowDefinition;
        const result = await this.flows.run(flow, { conversation, contact, message, action });
        conversation = result.conversation;
      }
    } else if (conversation.state === 'queued' && action === 'handoff') {
      const position = (await this.router.queuePosition(conversation.id)) ?? 1;
      await inTransaction(this.store, this.bus, (tx, emit) =>
        postMessage(
          tx,
          emit,
          conversation,
          { authorKind: 'system', text: say('stillQueued', conversation.language, { position }) },
          this.now(),
        ),
      );
    }
    if (conversation.state === 'queued') await this.router.offer();
    return {
      accepted: true,
      conversation: (await this.store.conversations.get(conversation.id)) ?? conversation,
      message,
    };
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
    const [messages, items] = await Promise.all([
      this.store.messages.listByConversation(id),
      this.store.outbox.listByConversation(id),
    ]);
    return withDelivery(messages, items);
  }

  /** An agent's reply; stored and queued for delivery to the contact's channel in one transaction. */
  async reply(agentId: string, conversationId: string, input: ReplyInput): Promise<Message> {
    const text = input.text.trim();
    const attachments = input.attachments ?? [];
    if (!text && attachments.length === 0)
      throw invalid('a reply needs text or an attachment', { field: 'text' });
    if (text.length > MAX_TEXT)
      throw invalid(`a reply has at most ${MAX_TEXT} characters`, { field: 'text' });
    const message = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const agent = await this.agent(tx, agentId);
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
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
    });
    await this.learnFromLinks(conversationId, text);
    return message;
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
    const closed = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const agent = await this.agent(tx, agentId);
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
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
      if (handled) {
        const actions: MessageAction[] = [1, 2, 3, 4, 5].map((n) => ({ id: `rate:${n}`, label: String(n) }));
        await postMessage(
          tx,
          emit,
          next,
          { authorKind: 'system', text: say('closedRate', next.language), actions },
          at,
        );
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
    });
    await this.router.offer();
    return closed;
  }

  private async acknowledgeResolved(conversation: Conversation, message: Message): Promise<void> {
    const messages = await this.store.messages.listByConversation(conversation.id);
    const suggestion = [...messages].reverse().find((m) => m.authorKind === 'bot' && m.articles.length > 0);
    const question = suggestion
      ? [...messages]
          .filter((m) => m.authorKind === 'contact' && m.text.trim() && m.createdAt <= suggestion.createdAt)
          .pop()
      : undefined;
    await inTransaction(this.store, this.bus, (tx, emit) =>
      postMessage(
        tx,
        emit,
        conversation,
        { authorKind: 'bot', text: say('gladItHelped', conversation.language) },
        this.now(),
      ),
    );
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
    if (conversation.ratingRequestedAt)
      await tx.conversations.update({ ...conversation, ratingRequestedAt: null });
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
      { authorKind: 'system', text: say('thanksForRating', conversation.language) },
      at,
    );
    return { contact, conversation, message, rated: true };
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
