import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Queue } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';

export interface QueueInput {
  name: string;
  skills?: string[];
}

/** Queues: where conversations wait for an agent with the queue's skills. */
export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Skills changed: waiting conversations may now fit other agents. */
    private readonly onChange: () => Promise<void> = async () => {},
  ) {}

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
