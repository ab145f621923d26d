import { useSyncExternalStore } from 'react';
import { get } from '../../shared/api.ts';
import type { SlaTimer } from '../../shared/types.ts';
import { desktop } from '../desktop-store.ts';

const isActive = (t: SlaTimer) => t.status === 'running' || t.status === 'paused';

/**
 * The running and paused SLA clocks this desktop may see: loaded whenever the live socket (re)connects, then
 * kept current by `sla.timer` events (a clock that ends leaves).
 */
class SlaStore {
  private timers: ReadonlyMap<string, SlaTimer> = new Map();
  private readonly listeners = new Set<() => void>();

  constructor() {
    desktop.onEvent((event) => {
      // `hello` opens every socket: whatever happened while it was down is in the fresh list.
      if (event.type === 'hello') void this.load();
      if (event.type === 'sla.timer') this.upsert([event.timer]);
    });
  }

  getSnapshot = (): ReadonlyMap<string, SlaTimer> => this.timers;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private async load(): Promise<void> {
    try {
      const { timers } = await get<{ timers: SlaTimer[] }>('/sla/timers');
      this.timers = new Map();
      this.upsert(timers);
    } catch {
      // Signed out meanwhile, or the server is away: the next connection loads again.
    }
  }

  private upsert(timers: SlaTimer[]): void {
    const next = new Map(this.timers);
    for (const timer of timers) {
      const known = next.get(timer.id);
      if (known && known.updatedAt > timer.updatedAt) continue;
      if (isActive(timer)) next.set(timer.id, timer);
      else next.delete(timer.id);
    }
    this.timers = next;
    for (const listener of this.listeners) listener();
  }
}

export const slaStore = new SlaStore();

export function useSlaTimers(): ReadonlyMap<string, SlaTimer> {
  return useSyncExternalStore(slaStore.subscribe, slaStore.getSnapshot);
}

/** A conversation's clocks: its responses, and the resolution of its case. */
export function timersOfConversation(
  timers: ReadonlyMap<string, SlaTimer>,
  conversation: { id: string; caseId: string | null },
): SlaTimer[] {
  return [...timers.values()].filter(
    (t) =>
      t.conversationId === conversation.id ||
      (t.conversationId === null && conversation.caseId !== null && t.caseId === conversation.caseId),
  );
}

export function timersOfCase(timers: ReadonlyMap<string, SlaTimer>, caseId: string): SlaTimer[] {
  return [...timers.values()].filter((t) => t.caseId === caseId);
}
