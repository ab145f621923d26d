import type { WebSocket } from 'ws';
import { publicAgent } from '../core/agents/agent-service.ts';
import type { Agent } from '../core/model.ts';
import type { DomainEvent, EventBus } from '../core/ports/event-bus.ts';
import { hasRole, type Principal } from './auth/authentication.ts';

/** Events between the server's own parts, never sent to a desktop. */
type InternalEventType =
  | 'outbox.enqueued'
  | 'webhooks.enqueued'
  | 'bot_texts.changed'
  | 'agent.access_ended'
  | 'channel.push';

/** What a desktop receives: the domain event as JSON, agents without their password hash. */
export type WireEvent =
  | Exclude<DomainEvent, { type: InternalEventType }>
  /** `heartbeatMs`: how often the desktop sends `{"type":"heartbeat"}` to show the agent is still there. */
  | { type: 'hello'; agent: Omit<Agent, 'passwordHash'>; heartbeatMs: number }
  /** The answer to a desktop's heartbeat, once it is recorded: the connection is alive both ways. */
  | { type: 'heartbeat' };

/**
 * Whether an agent may see an event. Supervisors and admins see everything; an agent sees
 * reservations offered to them, conversations (and their messages) assigned to them or waiting
 * in a queue, case events and colleagues' presence.
 */
export function eventVisibleTo(event: DomainEvent, agent: Pick<Agent, 'id' | 'role'>): boolean {
  if (
    event.type === 'outbox.enqueued' ||
    event.type === 'webhooks.enqueued' ||
    event.type === 'bot_texts.changed' ||
    event.type === 'agent.access_ended' ||
    event.type === 'channel.push'
  )
    return false;
  // Notices are about the admin's settings (a webhook endpoint turned off): admins only.
  if (event.type === 'admin.notice') return agent.role === 'admin';
  if (hasRole(agent, 'supervisor')) return true;
  switch (event.type) {
    case 'reservation.created':
    case 'reservation.updated':
      return event.reservation.agentId === agent.id;
    case 'conversation.updated':
    case 'message.created':
    case 'message.delivery':
    case 'note.created':
      return event.conversation.agentId === agent.id || event.conversation.state === 'queued';
    // What colleagues look at is for supervisors (who saw everything above).
    case 'agent.viewing':
      return false;
    case 'case.created':
    case 'case.updated':
    case 'agent.updated':
      return true;
    case 'sla.timer':
      return event.timer.agentId === agent.id || event.timer.agentId === null;
  }
}

export function toWireEvent(event: Exclude<DomainEvent, { type: InternalEventType }>): WireEvent {
  if (event.type !== 'agent.updated') return event;
  // The bus type already omits the hash; strip it again in case a publisher passed a whole Agent.
  return { type: 'agent.updated', agent: publicAgent({ passwordHash: null, ...event.agent } as Agent) };
}

export interface RealtimeHubOptions {
  /** Ping interval; a socket that misses a pong is closed. */
  heartbeatMs: number;
  /** A desktop this far behind (bytes queued) is disconnected rather than buffered without bound. */
  maxBufferedBytes: number;
  /** How often desktops are asked to send a heartbeat (presence follows the live desktop). */
  clientHeartbeatMs: number;
  /** The agent's desktop is alive: it connected (`connected`), answered a ping or sent a heartbeat. */
  alive: (agentId: string, connected: boolean) => Promise<void>;
  /** The agent's desktop reports the conversation it shows (null: none), for the supervisor monitor. */
  viewing: (agentId: string, conversationId: string | null) => Promise<void>;
  /** The desktop that last reported `conversationId` closed its socket. */
  viewingEnded: (agentId: string, conversationId: string) => Promise<void>;
}

export const defaultRealtimeHubOptions: RealtimeHubOptions = {
  heartbeatMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  clientHeartbeatMs: 10_000,
  alive: async () => {},
  viewing: async () => {},
  viewingEnded: async () => {},
};

interface Client {
  socket: WebSocket;
  principal: Principal;
  alive: boolean;
  /** Its connection holds this turn's frames, to write them at once (see `cork`). */
  corked?: boolean;
  /** The conversation this desktop last said it shows. */
  viewing: string | null;
  /** Its viewing reports, recorded one after the other (the end after the last report). */
  reports: Promise<void>;
}

/** The connection under a `ws` socket: `ws` has no cork of its own, and writes each frame at once. */
type Corkable = { cork(): void; uncork(): void };

/** The desktops connected to this instance, fed from the event bus. */
export class RealtimeHub {
  private readonly clients = new Set<Client>();
  private readonly options: RealtimeHubOptions;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    bus: EventBus,
    /** Sign-out, expiry or revocation on another instance reaches this one's sockets through it. */
    private readonly stillSignedIn: (principal: Principal) => Promise<boolean>,
    options: Partial<RealtimeHubOptions> = {},
  ) {
    this.options = { ...defaultRealtimeHubOptions, ...options };
    this.unsubscribe = bus.subscribe((event) => this.dispatch(event));
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket, principal: Principal): void {
    const client: Client = { socket, principal, alive: true, viewing: null, reports: Promise.resolve() };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
      void this.markAlive(client, false);
    });
    socket.on('message', (data) => {
      // Desktops send heartbeats and what they show; anything else is ignored.
      const frame = parseFrame(data);
      if (frame?.type === 'heartbeat')
        void this.markAlive(client, false).then(() => this.send(client, { type: 'heartbeat' }));
      if (frame?.type === 'viewing' && frame.conversationId !== client.viewing) {
        client.viewing = frame.conversationId;
        const { conversationId } = frame;
        // One after the other, so the end of this desktop comes after its last report; a failed report
        // (logged by `viewing` itself, app.ts) does not stop the later ones.
        client.reports = client.reports
          .then(() => this.options.viewing(client.principal.agent.id, conversationId))
          .catch(() => {});
      }
    });
    socket.on('close', () => {
      this.clients.delete(client);
      const shown = client.viewing;
      if (shown)
        client.reports = client.reports
          .then(() => this.options.viewingEnded(client.principal.agent.id, shown))
          .catch(() => {});
    });
    socket.on('error', () => socket.terminate());
    // A desktop that reconnects within the grace time keeps its agent available; `hello` says it counted.
    void this.markAlive(client, true).then(() =>
      this.send(client, {
        type: 'hello',
        agent: publicAgent(client.principal.agent),
        heartbeatMs: this.options.clientHeartbeatMs,
      }),
    );
  }

  private async markAlive(client: Client, connected: boolean): Promise<void> {
    if (client.socket.readyState !== client.socket.OPEN) return;
    // `alive` logs its own failures (app.ts); a failed write is retried by the next heartbeat.
    await this.options.alive(client.principal.agent.id, connected);
  }

  /** Signs out a session or revoked token everywhere on this instance. */
  closeCredential(credentialId: string): void {
    for (const client of this.clients) {
      if (client.principal.credentialId === credentialId) client.socket.close(4001, 'signed out');
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private dispatch(event: DomainEvent): void {
    if (
      event.type === 'outbox.enqueued' ||
      event.type === 'webhooks.enqueued' ||
      event.type === 'bot_texts.changed' ||
      event.type === 'channel.push'
    )
      return;
    // Sign-out, revocation, a password change or a deactivation, on this instance or another one.
    if (event.type === 'agent.access_ended') {
      for (const id of event.credentialIds) this.closeCredential(id);
      return;
    }
    // Serialised once, when the first desktop that may see it is found; every such desktop gets the same text.
    let text: string | null = null;
    for (const client of this.clients) {
      // A role change applies to open sockets at once, not at the next sign-in.
      if (event.type === 'agent.updated' && event.agent.id === client.principal.agent.id) {
        client.principal = { ...client.principal, agent: { ...client.principal.agent, ...event.agent } };
      }
      if (!eventVisibleTo(event, client.principal.agent)) continue;
      text ??= JSON.stringify(toWireEvent(event));
      this.sendText(client, text);
    }
  }

  private send(client: Client, event: WireEvent): void {
    this.sendText(client, JSON.stringify(event));
  }

  private sendText(client: Client, text: string): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      socket.close(1013, 'too far behind; reconnect');
      return;
    }
    this.cork(client);
    socket.send(text);
  }

  /**
   * The frames one desktop gets in one turn of the event loop (the messages of a group commit, say) leave in
   * one write instead of one system call each: its connection is corked at the first frame and uncorked once
   * the turn's callbacks and promise continuations have run. Each frame is still its own WebSocket message.
   */
  private cork(client: Client): void {
    if (client.corked) return;
    const connection = (client.socket as unknown as { _socket?: Partial<Corkable> })._socket;
    if (typeof connection?.cork !== 'function' || typeof connection.uncork !== 'function') return;
    connection.cork();
    client.corked = true;
    process.nextTick(() => {
      client.corked = false;
      (connection as Corkable).uncork();
    });
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
      this.stillSignedIn(client.principal).then(
        (ok) => {
          if (!ok) client.socket.close(4001, 'signed out');
        },
        // The database is briefly unreachable: keep the desktop connected and check again next beat.
        () => {},
      );
    }
  }

  /** Runs one heartbeat now (tests; the timer runs it every `heartbeatMs`). */
  heartbeatNow(): void {
    this.beat();
  }
}

type DesktopFrame = { type: 'heartbeat' } | { type: 'viewing'; conversationId: string | null };

/** A conversation id as the server makes them (and a little more): never a long or odd string. */
const idPattern = /^[A-Za-z0-9_-]{1,100}$/;

function parseFrame(data: unknown): DesktopFrame | null {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
  if (text.length > 200) return null;
  try {
    const frame = JSON.parse(text) as { type?: unknown; conversationId?: unknown } | null;
    if (frame?.type === 'heartbeat') return { type: 'heartbeat' };
    if (frame?.type !== 'viewing') return null;
    const id = frame.conversationId;
    if (id === null) return { type: 'viewing', conversationId: null };
    return typeof id === 'string' && idPattern.test(id) ? { type: 'viewing', conversationId: id } : null;
  } catch {
    return null;
  }
}
