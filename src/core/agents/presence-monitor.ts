import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { publicAgent } from './agent-service.ts';

export interface PresenceOptions {
  /** An `available` agent whose desktop sent no heartbeat for this long becomes `away`. */
  graceMs: number;
  /**
   * A heartbeat is written to the database at most this often per agent (and desktops are asked to send
   * one this often): well inside the grace, so that one lost beat does not turn a present agent away.
   */
  heartbeatMs: number;
}

export const defaultPresenceOptions: PresenceOptions = { graceMs: 30_000, heartbeatMs: 10_000 };

/**
 * Presence follows the desktop's live connection. Heartbeats are recorded in the database (not in the
 * process), and the sweep is one conditional update per agent, so that with several instances any of them
 * may receive the heartbeat and any may sweep.
 */
export class PresenceMonitor {
  readonly options: PresenceOptions;
  /** When this process last wrote each agent's heartbeat: writes are throttled per agent. */
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    /** Offers held by agents who went away are withdrawn and offered to someone who is there. */
    private readonly onAway: (agentId: string) => Promise<void>,
    options: Partial<PresenceOptions> = {},
  ) {
    this.options = { ...defaultPresenceOptions, ...options };
  }

  /** A desktop of this agent is alive (connected, answered a ping, or sent a heartbeat). */
  async heartbeat(agentId: string, force = false): Promise<void> {
    const now = this.clock.now().getTime();
    const last = this.recorded.get(agentId);
    if (!force && last !== undefined && now - last < this.options.heartbeatMs) return;
    this.recorded.set(agentId, now);
    await this.store.agents.touch(agentId, new Date(now).toISOString());
  }

  /** Turns `available` agents with no live desktop for the grace time into `away`; returns how many. */
  async sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.graceMs).toISOString();
    const gone = await this.store.agents.markAwayUnseenSince(before);
    for (const agent of gone) {
      await this.bus.publish({ type: 'agent.updated', agent: publicAgent(agent) });
      await this.onAway(agent.id);
    }
    return gone.length;
  }
}
