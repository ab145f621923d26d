import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Queue } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { defaultRouterOptions, handoffQueueSetting } from './router.ts';

export interface QueueInput {
  name: string;
  skills?: string[];
  /** Send the member the transcript when a conversation of this queue closes (off unless set). */
  sendTranscript?: boolean;
}

/** Where hand-offs go, and whether the active flow follows that choice (it does unless it names a queue). */
export interface HandoffQueue {
  queue: Queue;
  /** False when the active flow sends every hand-off to queues it names itself. */
  usedByActiveFlow: boolean;
}

/** Queues: where conversations wait for an agent with the queue's skills. */
export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Skills changed: waiting conversations may now fit other agents. */
    private readonly onChange: () => Promise<void> = async () => {},
    /** The queue hand-offs go to until an admin chooses another. */
    private readonly defaultQueueName: string = defaultRouterOptions.defaultQueueName,
  ) {}

  /**
   * Creates the default queue at first start, so that it is listed (and choosable) before the first
   * hand-off. Idempotent and safe when several instances start at once: the unique name decides.
   */
  async ensureDefault(): Promise<Queue> {
    const chosen = await this.chosenQueue();
    if (chosen) return chosen;
    const existing = await this.store.queues.getByName(this.defaultQueueName);
    if (existing) return existing;
    // Insert-if-absent: of instances starting (or handing off) at once, one creates it and all get it.
    return this.store.queues.createIfAbsent({
      id: newId(),
      name: checkName(this.defaultQueueName),
      skills: [],
      sendTranscript: false,
      createdAt: this.clock.now().toISOString(),
    });
  }

  /** The queue that flows hand off to when they name none (the default flow names none). */
  async handoffQueue(): Promise<HandoffQueue> {
    const queue = (await this.chosenQueue()) ?? (await this.ensureDefault());
    const flow = await this.store.flows.getActive();
    const usedByActiveFlow =
      !flow || flow.definition.states.some((s) => s.type === 'send-to-queue' && !s.queue);
    return { queue, usedByActiveFlow };
  }

  /** An admin chooses where hand-offs go (without editing a flow). */
  async setHandoffQueue(idOrName: string): Promise<HandoffQueue> {
    const queue = await this.get(idOrName);
    await this.store.settings.set(handoffQueueSetting, queue.id);
    return this.handoffQueue();
  }

  private async chosenQueue(): Promise<Queue | undefined> {
    const id = await this.store.settings.get<string>(handoffQueueSetting);
    return id ? await this.store.queues.get(id) : undefined;
  }

  list(): Promise<Queue[]> {
    return this.store.queues.list();
  }

  async get(id: string): Promise<Queue> {
    const queue = (await this.store.queues.get(id)) ?? (await this.store.queues.getByName(id));
    if (!queue) throw notFound('queue', id);
    return queue;
  }

  async create(input: QueueInput): Promise<Queue> {
    const name = checkName(input.name);
    if (await this.store.queues.getByName(name)) throw conflict(`a queue named ${name} already exists`);
    const queue: Queue = {
      id: newId(),
      name,
      skills: skillsOf(input.skills),
      sendTranscript: input.sendTranscript ?? false,
      createdAt: this.clock.now().toISOString(),
    };
    await this.store.queues.create(queue);
    return queue;
  }

  async update(id: string, patch: Partial<QueueInput>): Promise<Queue> {
    const queue = await this.get(id);
    const name = patch.name !== undefined ? checkName(patch.name) : queue.name;
    if (name !== queue.name && (await this.store.queues.getByName(name))) {
      throw conflict(`a queue named ${name} already exists`);
    }
    const next: Queue = {
      ...queue,
      name,
      skills: patch.skills !== undefined ? skillsOf(patch.skills) : queue.skills,
      sendTranscript: patch.sendTranscript ?? queue.sendTranscript,
    };
    await this.store.queues.update(next);
    await this.onChange();
    return next;
  }

  async delete(id: string): Promise<void> {
    const queue = await this.get(id);
    const waiting = await this.store.conversations.list({
      queueId: queue.id,
      state: ['queued', 'assigned', 'wrapping'],
    });
    if (waiting.length > 0)
      throw conflict(`queue ${queue.name} still has ${waiting.length} open conversations`);
    const handoff = (await this.chosenQueue()) ?? (await this.store.queues.getByName(this.defaultQueueName));
    if (handoff?.id === queue.id)
      throw conflict(`hand-offs go to ${queue.name}: choose another queue for hand-offs first`);
    await this.store.queues.delete(queue.id);
  }
}

function checkName(name: string): string {
  const value = name.trim();
  if (!value || value.length > 80) throw invalid('a queue name has 1 to 80 characters', { field: 'name' });
  return value;
}

function skillsOf(skills: string[] | undefined): string[] {
  return [...new Set((skills ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean))].sort();
}
