import { takesWork } from '../agents/agent-service.ts';
import type { CaseService } from '../cases/case-service.ts';
import { checkNotBridged } from '../conversations/bridge-service.ts';
import { transition } from '../conversations/conversation-state.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Actor, Agent, CasePriority, Conversation, Queue, Reservation } from '../model.ts';
import { postMessage } from '../outbox/post-message.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Repositories, Store } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import { type Emit, inTransaction } from '../unit-of-work.ts';
import { higherPriority } from './role-routes.ts';

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

/** What a member's role route asks of a hand-off beyond its queue. */
export interface HandoffNeeds {
  priority?: CasePriority | null;
  skill?: string | null;
}

export type TransferTarget = { agentId: string } | { queueId: string };

/**
 * The router, in the manner of TaskRouter: queued conversations are offered, priority first then oldest,
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
    // First hand-offs on several instances may all get here: one creates it, all get it.
    return tx.queues.createIfAbsent({
      id: newId(),
      name,
      skills: [],
      sendTranscript: false,
      createdAt: this.now(),
    });
  }

  /** Puts the conversation in the queue (inside the caller's transaction). Call `offer()` after the commit. */
  async enqueueIn(
    tx: Repositories,
    emit: Emit,
    conversation: Conversation,
    queue: Queue,
    /** A member's role route: the least priority it waits with, whatever its case says, and a skill its agent needs. */
    route?: HandoffNeeds,
  ): Promise<Conversation> {
    const next = await this.queueIn(tx, conversation, queue, this.now(), route);
    emit({ type: 'conversation.updated', conversation: next });
    return next;
  }

  /**
   * Queues the conversation. It waits in the order of its case's priority (urgent first; `normal` without
   * a case) as it is now, then first come, first served. It needs the skill given, or none beyond the queue's.
   */
  private async queueIn(
    tx: Repositories,
    conversation: Conversation,
    queue: Queue,
    at: string,
    needs?: HandoffNeeds,
  ): Promise<Conversation> {
    const { requiredSkill: _previous, ...rest } = transition(conversation, 'queued', at);
    const next: Conversation = {
      ...rest,
      queueId: queue.id,
      ...(needs?.skill ? { requiredSkill: needs.skill } : {}),
    };
    await tx.conversations.update(next);
    const kase = next.caseId ? await tx.cases.get(next.caseId) : undefined;
    await tx.conversations.setPriority(next.id, higherPriority(kase?.priority ?? 'normal', needs?.priority));
    return next;
  }

  /** 1-based place of a queued conversation in its queue; null when it is not waiting. */
  async queuePosition(conversationId: string, repos: Repositories = this.store): Promise<number | null> {
    return repos.conversations.queuePosition(conversationId);
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

  /**
   * One round, as queries: the agents with room (one query), then the waiting conversations those agents
   * can serve, priority first then oldest, taken by one claiming query limited to the room, and who
   * declined them (one query). Its cost follows the room, not the length of the queue. Across instances:
   * the agents' rows are locked and their load counted after the lock (no agent over capacity), the
   * claimed conversations are skipped by other rounds, and the database refuses a second pending offer
   * of a conversation.
   */
  private async offerRound(): Promise<void> {
    // Nobody has room: one query, however long the queue (a spike with every agent busy).
    if ((await this.store.agents.listWithRoom()).length === 0) return;
    await inTransaction(this.store, this.bus, async (tx, emit) => {
      const agents = (await tx.agents.listWithRoom({ lock: true })).filter(({ agent }) => takesWork(agent));
      const room = new Map(agents.map(({ agent, load }) => [agent.id, agent.capacity - load]));
      const withRoom = () => agents.map((a) => a.agent).filter((a) => (room.get(a.id) ?? 0) > 0);
      const queues = new Map((await tx.queues.list()).map((q) => [q.id, q]));
      const fits = (agent: Agent, queue: Queue) =>
        queue.skills.every((skill) => agent.skills.includes(skill));
      const serves = (agent: Agent, queue: Queue, conversation: Conversation) =>
        fits(agent, queue) &&
        (!conversation.requiredSkill || agent.skills.includes(conversation.requiredSkill));
      // Conversations claimed but not offered (their agents' room went to older ones): not claimed again.
      const passed: string[] = [];
      for (;;) {
        const free = withRoom();
        const limit = free.reduce((sum, a) => sum + (room.get(a.id) ?? 0), 0);
        const servable = [...queues.values()].filter((q) => free.some((a) => fits(a, q)));
        if (limit === 0 || servable.length === 0) return;
        const waiting = await tx.conversations.claimWaiting({
          queueIds: servable.map((q) => q.id),
          limit,
          exclude: passed,
          // A conversation needing a skill nobody with room has waits without taking others' turn.
          skills: [...new Set(free.flatMap((a) => a.skills))],
        });
        if (waiting.length === 0) return;
        const declinedBy = new Map<string, Set<string>>();
        for (const { conversationId, agentId } of await tx.reservations.listDeclined(
          waiting.map((c) => c.id),
        )) {
          declinedBy.set(conversationId, (declinedBy.get(conversationId) ?? new Set()).add(agentId));
        }
        let offered = 0;
        for (const conversation of waiting) {
          const queue = conversation.queueId ? queues.get(conversation.queueId) : undefined;
          // Longest idle first (the order of `listWithRoom`); agents who declined this conversation since
          // it was (re)queued are skipped until everyone has declined.
          const pool = queue ? withRoom().filter((a) => serves(a, queue, conversation)) : [];
          const declined = declinedBy.get(conversation.id);
          const agent = pool.find((a) => !declined?.has(a.id)) ?? pool[0];
          if (!queue || !agent) {
            passed.push(conversation.id);
            continue;
          }
          const reservation: Reservation = {
            id: newId(),
            conversationId: conversation.id,
            queueId: queue.id,
            agentId: agent.id,
            status: 'pending',
            createdAt: this.now(),
            expiresAt: new Date(this.clock.now().getTime() + this.options.reservationTimeoutMs).toISOString(),
            respondedAt: null,
          };
          // Refused when another instance offered it after our claim read it: that offer stands.
          if (!(await tx.reservations.createPending(reservation))) {
            passed.push(conversation.id);
            continue;
          }
          room.set(agent.id, (room.get(agent.id) ?? 0) - 1);
          offered += 1;
          emit({ type: 'reservation.created', reservation });
        }
        // Fewer than asked for: nothing else waits. None offered: the rest would fare no better.
        if (waiting.length < limit || offered === 0) return;
      }
    });
  }

  /** Conversations the agent holds (assigned or wrapping up) plus reservations offered to them. */
  async load(repos: Repositories, agentId: string): Promise<number> {
    return repos.agents.loadOf(agentId);
  }

  async accept(reservationId: string, agentId: string): Promise<Conversation> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const reservation = await this.pendingReservation(tx, reservationId, agentId);
      const at = this.now();
      if (reservation.expiresAt <= at) throw conflict(`reservation ${reservationId} has expired`);
      // Conditional: of two accepts (two instances, two clicks) one wins; the other is told it is taken.
      const accepted = await tx.reservations.settle(reservationId, 'accepted', at, at);
      if (!accepted) throw await this.noLongerPending(tx, reservationId);
      emit({ type: 'reservation.updated', reservation: accepted });
      // Read after the reservation is ours: a close or transfer that canceled it has been waited for.
      const conversation = await tx.conversations.get(reservation.conversationId);
      if (!conversation) throw notFound('conversation', reservation.conversationId);
      const agent = await tx.agents.get(agentId);
      if (!agent) throw notFound('agent', agentId);
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
        {
          authorKind: 'system',
          text: say('agentJoined', assigned.language, { agent: agent.name }, assigned.server?.id),
        },
        at,
      );
      return assigned;
    });
  }

  async reject(reservationId: string, agentId: string): Promise<Reservation> {
    const rejected = await inTransaction(this.store, this.bus, async (tx, emit) => {
      await this.pendingReservation(tx, reservationId, agentId);
      const next = await tx.reservations.settle(reservationId, 'rejected', this.now());
      if (!next) throw await this.noLongerPending(tx, reservationId);
      emit({ type: 'reservation.updated', reservation: next });
      return next;
    });
    await this.offer();
    return rejected;
  }

  /** Times out pending reservations past their deadline and offers their conversations to the next agent. */
  async expireReservations(): Promise<number> {
    // One conditional update: instances timing out at once each get their own share, so every time-out
    // is told once.
    const expired = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const due = await tx.reservations.expireDue(this.now());
      for (const reservation of due) emit({ type: 'reservation.updated', reservation });
      return due.length;
    });
    if (expired > 0) await this.offer();
    return expired;
  }

  /**
   * Moves an assigned (or queued) conversation to another queue, or straight to another agent
   * who is not offline and has room. The contact is told.
   */
  async transfer(conversationId: string, target: TransferTarget, _actor: Actor): Promise<Conversation> {
    const result = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
      checkNotBridged(conversation, 'be transferred');
      if (conversation.state !== 'assigned' && conversation.state !== 'queued') {
        throw conflict(`conversation ${conversationId} is ${conversation.state} and cannot be transferred`);
      }
      await this.cancelPending(tx, emit, conversationId);
      const at = this.now();
      if ('queueId' in target) {
        const queue = await tx.queues.get(target.queueId);
        if (!queue) throw notFound('queue', target.queueId);
        const next = await this.queueIn(tx, conversation, queue, at);
        emit({ type: 'conversation.updated', conversation: next });
        const position = (await this.queuePosition(next.id, tx)) ?? 1;
        await postMessage(
          tx,
          emit,
          next,
          {
            authorKind: 'system',
            text: say('transferredToQueue', next.language, { position }, next.server?.id),
          },
          at,
        );
        return next;
      }
      const agent = await tx.agents.get(target.agentId);
      if (!agent) throw notFound('agent', target.agentId);
      if (agent.id === conversation.agentId) throw invalid('the conversation is already with this agent');
      if (agent.status !== 'active') throw conflict(`${agent.name} is ${agent.status}`);
      if (agent.presence === 'offline') throw conflict(`${agent.name} is offline`);
      // Counted under the agent's lock: an offer round on another instance cannot fill the same room.
      if ((await tx.agents.loadOf(agent.id, { lock: true })) >= agent.capacity)
        throw conflict(`${agent.name} has no free capacity`);
      const next: Conversation = { ...transition(conversation, 'assigned', at), agentId: agent.id };
      await tx.conversations.update(next);
      emit({ type: 'conversation.updated', conversation: next });
      await postMessage(
        tx,
        emit,
        next,
        {
          authorKind: 'system',
          text: say('transferredToAgent', next.language, { agent: agent.name }, next.server?.id),
        },
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
      const canceled = await tx.reservations.cancelPending({ agentId }, this.now());
      for (const reservation of canceled) emit({ type: 'reservation.updated', reservation });
      return canceled.length;
    });
    if (withdrawn > 0) await this.offer();
    return withdrawn;
  }

  /** Withdraws the offer of a conversation that left the queue some other way. */
  async cancelPending(tx: Repositories, emit: Emit, conversationId: string): Promise<void> {
    for (const reservation of await tx.reservations.cancelPending({ conversationId }, this.now()))
      emit({ type: 'reservation.updated', reservation });
  }

  async queueStats(): Promise<QueueStats[]> {
    const now = this.clock.now().getTime();
    const queues = await this.store.queues.list();
    const agents = (await this.store.agents.list()).filter(takesWork);
    const waitingIn = new Map((await this.store.conversations.waitingByQueue()).map((w) => [w.queueId, w]));
    const stats: QueueStats[] = [];
    for (const queue of queues) {
      const waiting = waitingIn.get(queue.id);
      const oldest = waiting?.oldestQueuedAt;
      stats.push({
        queueId: queue.id,
        name: queue.name,
        waiting: waiting?.waiting ?? 0,
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

  /** Why a reservation that was pending a moment ago could not be ended: someone else ended it first. */
  private async noLongerPending(tx: Repositories, reservationId: string): Promise<Error> {
    const current = await tx.reservations.get(reservationId);
    if (!current) return notFound('reservation', reservationId);
    if (current.status === 'pending') return conflict(`reservation ${reservationId} has expired`);
    return conflict(`reservation ${reservationId} is already ${current.status}`);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
