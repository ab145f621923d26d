import { takesWork } from '../agents/agent-service.ts';
import type { CaseService } from '../cases/case-service.ts';
import { transition } from '../conversations/conversation-state.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Actor, Agent, Conversation, Queue, Reservation } from '../model.ts';
import { postMessage } from '../outbox/post-message.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Repositories, Store } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import { type Emit, inTransaction } from '../unit-of-work.ts';

export interface RouterOptions {
  /** How long an agent has to accept a reservation before it moves on to the next agent. */
  reservationTimeoutMs: number;
  /** The queue used when none is named. */
  defaultQueueName: string;
}

export const defaultRouterOptions: RouterOptions = {
  reservationTimeoutMs: 60_000,
  defaultQueueName: 'support',
};

/** The setting naming (by id) the queue that flows hand off to when they name none. */
export const handoffQueueSetting = 'routing.handoff-queue';

export interface QueueStats {
  queueId: string;
  name: string;
  waiting: number;
  /** Seconds the oldest waiting conversation has waited; 0 when none waits. */
  longestWaitSeconds: number;
  agentsAvailable: number;
}

export type TransferTarget = { agentId: string } | { queueId: string };

/**
 * The router, in the manner of TaskRouter: queued conversations are offered one at a time, oldest first,
 * as a Reservation to the longest-idle available agent who has every skill of the queue and free capacity.
 * A rejected or timed-out reservation moves on to the next agent; once every eligible agent has declined,
 * the round starts again.
 */
export class Router {
  readonly options: RouterOptions;
  private offering: Promise<void> | null = null;
  private offerAgain = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly cases: CaseService,
    options: Partial<RouterOptions> = {},
  ) {
    this.options = { ...defaultRouterOptions, ...options };
  }

  /**
   * The queue with this id or name; without one, the hand-off queue an admin chose, else the default
   * queue (created at first start; created here too should it have been deleted behind our back).
   */
  async resolveQueue(tx: Repositories, idOrName?: string | null): Promise<Queue> {
    if (!idOrName) {
      const chosen = await tx.settings.get<string>(handoffQueueSetting);
      const queue = chosen ? await tx.queues.get(chosen) : undefined;
      if (queue) return queue;
    }
    const name = idOrName || this.options.defaultQueueName;
    const found = (await tx.queues.get(name)) ?? (await tx.queues.getByName(name));
    if (found) return found;
    if (idOrName && idOrName !== this.options.defaultQueueName) throw notFound('queue', idOrName);
    const queue: Queue = { id: newId(), name, skills: [], createdAt: this.now() };
    await tx.queues.create(queue);
    return queue;
  }

  /** Puts the conversation in the queue (inside the caller's transaction). Call `offer()` after the commit. */
  async enqueueIn(
    tx: Repositories,
    emit: Emit,
    conversation: Conversation,
    queue: Queue,
  ): Promise<Conversation> {
    const next = { ...transition(conversation, 'queued', this.now()), queueId: queue.id };
    await tx.conversations.update(next);
    emit({ type: 'conversation.updated', conversation: next });
    return next;
  }

  /** 1-based place of a queued conversation in its queue; null when it is not waiting. */
  async queuePosition(conversationId: string, repos: Repositories = this.store): Promise<number | null> {
    const conversation = await repos.conversations.get(conversationId);
    if (conversation?.state !== 'queued' || !conversation.queueId) return null;
    const waiting = await repos.conversations.list({ state: 'queued', queueId: conversation.queueId });
    const index = waiting.findIndex((c) => c.id === conversationId);
    return index === -1 ? null : index + 1;
  }

  /**
   * Offers every waiting conversation that has no pending reservation to an eligible agent.
   * Calls made while an offer round runs are folded into one more round.
   */
  async offer(): Promise<void> {
    if (this.offering) {
      this.offerAgain = true;
      return this.offering;
    }
    this.offering = (async () => {
      do {
        this.offerAgain = false;
        await this.offerRound();
      } while (this.offerAgain);
    })();
    try {
      await this.offering;
    } finally {
      this.offering = null;
    }
  }

  private async offerRound(): Promise<void> {
    // With a long queue and no free agent, walking the queue would be wasted work on every hand-off.
    let room = 0;
    for (const agent of await this.store.agents.list()) {
      if (takesWork(agent)) room += Math.max(0, agent.capacity - (await this.load(this.store, agent.id)));
    }
    if (room === 0) return;
    const waiting = await this.store.conversations.list({ state: 'queued' });
    for (const candidate of waiting) {
      if (room === 0) return;
      await inTransaction(this.store, this.bus, async (tx, emit) => {
        const conversation = await tx.conversations.get(candidate.id);
        if (conversation?.state !== 'queued' || !conversation.queueId) return;
        const pending = await tx.reservations.list({ conversationId: conversation.id, status: 'pending' });
        if (pending.length > 0) return;
        const queue = await tx.queues.get(conversation.queueId);
        if (!queue) return;
        const agent = await this.pickAgent(tx, conversation, queue);
        if (!agent) return;
        const at = this.now();
        const reservation: Reservation = {
          id: newId(),
          conversationId: conversation.id,
          queueId: queue.id,
          agentId: agent.id,
          status: 'pending',
          createdAt: at,
          expiresAt: new Date(this.clock.now().getTime() + this.options.reservationTimeoutMs).toISOString(),
          respondedAt: null,
        };
        await tx.reservations.create(reservation);
        room -= 1;
        emit({ type: 'reservation.created', reservation });
      });
    }
  }

  private async pickAgent(
    tx: Repositories,
    conversation: Conversation,
    queue: Queue,
  ): Promise<Agent | undefined> {
    const agents = (await tx.agents.list()).filter(
      (a) => takesWork(a) && queue.skills.every((skill) => a.skills.includes(skill)),
    );
    const withRoom: Agent[] = [];
    for (const agent of agents) if ((await this.load(tx, agent.id)) < agent.capacity) withRoom.push(agent);
    if (withRoom.length === 0) return undefined;
    // Agents who declined this conversation since it was (re)queued are skipped until everyone has declined.
    const declined = new Set(
      (await tx.reservations.list({ conversationId: conversation.id }))
        .filter(
          (r) =>
            (r.status === 'rejected' || r.status === 'timed_out') &&
            r.createdAt >= (conversation.queuedAt ?? ''),
        )
        .map((r) => r.agentId),
    );
    const fresh = withRoom.filter((a) => !declined.has(a.id));
    const pool = fresh.length > 0 ? fresh : withRoom;
    return pool.sort(
      (a, b) => a.idleSince.localeCompare(b.idleSince) || a.createdAt.localeCompare(b.createdAt),
    )[0];
  }

  /** Conversations the agent holds (assigned or wrapping up) plus reservations offered to them. */
  async load(repos: Repositories, agentId: string): Promise<number> {
    const held = await repos.conversations.list({ agentId, state: ['assigned', 'wrapping'] });
    const offered = await repos.reservations.list({ agentId, status: 'pending' });
    return held.length + offered.length;
  }

  async accept(reservationId: string, agentId: string): Promise<Conversation> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const reservation = await this.pendingReservation(tx, reservationId, agentId);
      const at = this.now();
      if (reservation.expiresAt <= at) throw conflict(`reservation ${reservationId} has expired`);
      const conversation = await tx.conversations.get(reservation.conversationId);
      if (!conversation) throw notFound('conversation', reservation.conversationId);
      const agent = await tx.agents.get(agentId);
      if (!agent) throw notFound('agent', agentId);
      const accepted: Reservation = { ...reservation, status: 'accepted', respondedAt: at };
      await tx.reservations.update(accepted);
      emit({ type: 'reservation.updated', reservation: accepted });
      const assigned: Conversation = { ...transition(conversation, 'assigned', at), agentId };
      await tx.conversations.update(assigned);
      emit({ type: 'conversation.updated', conversation: assigned });
      await tx.agents.update({ ...agent, idleSince: at });
      if (assigned.caseId) {
        // The agent who takes the conversation takes its case, unless someone already owns it.
        const kase = await tx.cases.get(assigned.caseId);
        if (kase && !kase.assigneeId) {
          await this.cases.updateIn(
            tx,
            emit,
            kase.id,
            { assigneeId: agentId, ...(kase.status === 'new' ? { status: 'open' as const } : {}) },
            { kind: 'agent', id: agentId },
          );
        }
      }
      await postMessage(
        tx,
        emit,
        assigned,
        { authorKind: 'system', text: say('agentJoined', assigned.language, { agent: agent.name }) },
        at,
      );
      return assigned;
    });
  }

  async reject(reservationId: string, agentId: string): Promise<Reservation> {
    const rejected = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const reservation = await this.pendingReservation(tx, reservationId, agentId);
      const next: Reservation = { ...reservation, status: 'rejected', respondedAt: this.now() };
      await tx.reservations.update(next);
      emit({ type: 'reservation.updated', reservation: next });
      return next;
    });
    await this.offer();
    return rejected;
  }

  /** Times out pending reservations past their deadline and offers their conversations to the next agent. */
  async expireReservations(): Promise<number> {
    const now = this.now();
    const expired = await this.store.reservations.listExpired(now);
    for (const reservation of expired) {
      await inTransaction(this.store, this.bus, async (tx, emit) => {
        const current = await tx.reservations.get(reservation.id);
        if (current?.status !== 'pending') return;
        const next: Reservation = { ...current, status: 'timed_out', respondedAt: now };
        await tx.reservations.update(next);
        emit({ type: 'reservation.updated', reservation: next });
      });
    }
    if (expired.length > 0) await this.offer();
    return expired.length;
  }

  /**
   * Moves an assigned (or queued) conversation to another queue, or straight to another agent
   * who is not offline and has room. The contact is told.
   */
  async transfer(conversationId: string, target: TransferTarget, _actor: Actor): Promise<Conversation> {
    const result = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
      if (conversation.state !== 'assigned' && conversation.state !== 'queued') {
        throw conflict(`conversation ${conversationId} is ${conversation.state} and cannot be transferred`);
      }
      await this.cancelPending(tx, emit, conversationId);
      const at = this.now();
      if ('queueId' in target) {
        const queue = await tx.queues.get(target.queueId);
        if (!queue) throw notFound('queue', target.queueId);
        const next = { ...transition(conversation, 'queued', at), queueId: queue.id };
        await tx.conversations.update(next);
        emit({ type: 'conversation.updated', conversation: next });
        const position = (await this.queuePosition(next.id, tx)) ?? 1;
        await postMessage(
          tx,
          emit,
          next,
          { authorKind: 'system', text: say('transferredToQueue', next.language, { position }) },
          at,
        );
        return next;
      }
      const agent = await tx.agents.get(target.agentId);
      if (!agent) throw notFound('agent', target.agentId);
      if (agent.id === conversation.agentId) throw invalid('the conversation is already with this agent');
      if (agent.status !== 'active') throw conflict(`${agent.name} is ${agent.status}`);
      if (agent.presence === 'offline') throw conflict(`${agent.name} is offline`);
      if ((await this.load(tx, agent.id)) >= agent.capacity)
        throw conflict(`${agent.name} has no free capacity`);
      const next: Conversation = { ...transition(conversation, 'assigned', at), agentId: agent.id };
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
      await postMessage(
        tx,
        emit,
        next,
        { authorKind: 'system', text: say('transferredToAgent', next.language, { agent: agent.name }) },
        at,
      );
      return next;
    });
    await this.offer();
    return result;
  }

  /**
   * Withdraws the pending offers of an agent who is no longer there (went away, or their desktop is gone)
   * and offers those conversations to someone who is, instead of letting them time out.
   */
  async withdrawOffers(agentId: string): Promise<number> {
    const withdrawn = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const pending = await tx.reservations.list({ agentId, status: 'pending' });
      for (const reservation of pending) {
        const next: Reservation = { ...reservation, status: 'canceled', respondedAt: this.now() };
        await tx.reservations.update(next);
        emit({ type: 'reservation.updated', reservation: next });
      }
      return pending.length;
    });
    if (withdrawn > 0) await this.offer();
    return withdrawn;
  }

  /** Withdraws the offer of a conversation that left the queue some other way. */
  async cancelPending(tx: Repositories, emit: Emit, conversationId: string): Promise<void> {
    for (const reservation of await tx.reservations.list({ conversationId, status: 'pending' })) {
      const next: Reservation = { ...reservation, status: 'canceled', respondedAt: this.now() };
      await tx.reservations.update(next);
      emit({ type: 'reservation.updated', reservation: next });
    }
  }

  async queueStats(): Promise<QueueStats[]> {
    const now = this.clock.now().getTime();
    const queues = await this.store.queues.list();
    const agents = (await this.store.agents.list()).filter(takesWork);
    const stats: QueueStats[] = [];
    for (const queue of queues) {
      const waiting = await this.store.conversations.list({ state: 'queued', queueId: queue.id });
      const oldest = waiting[0]?.queuedAt;
      stats.push({
        queueId: queue.id,
        name: queue.name,
        waiting: waiting.length,
        longestWaitSeconds: oldest ? Math.max(0, Math.round((now - new Date(oldest).getTime()) / 1000)) : 0,
        agentsAvailable: agents.filter((a) => queue.skills.every((s) => a.skills.includes(s))).length,
      });
    }
    return stats;
  }

  private async pendingReservation(
    tx: Repositories,
    reservationId: string,
    agentId: string,
  ): Promise<Reservation> {
    const reservation = await tx.reservations.get(reservationId);
    if (!reservation) throw notFound('reservation', reservationId);
    if (reservation.agentId !== agentId) throw forbidden('this reservation was offered to another agent');
    if (reservation.status !== 'pending')
      throw conflict(`reservation ${reservationId} is already ${reservation.status}`);
    return reservation;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
