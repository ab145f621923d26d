import { useSyncExternalStore } from 'react';
import { ApiError, get, post, put, query } from '../shared/api.ts';
import type {
  Contact,
  Conversation,
  Message,
  PublicAgent,
  Queue,
  Reservation,
  WireEvent,
} from '../shared/types.ts';
import { playChime } from './chime.ts';

export interface DesktopState {
  me: PublicAgent | null;
  /** `loading` until the first /auth/me answers. */
  status: 'loading' | 'signed-out' | 'ready';
  connected: boolean;
  reservations: Reservation[];
  conversations: Map<string, Conversation>;
  lastMessage: Map<string, Message>;
  /** The contact's own last message per conversation (an offer previews the contact, not the bot). */
  lastContactMessage: Map<string, Message>;
  contacts: Map<string, Contact>;
  agents: PublicAgent[];
  queues: Queue[];
  sound: boolean;
  /** Offers not looked at yet: shown in the page title. */
  unseen: number;
}

const soundKey = 'switchboard.sound';

/**
 * The desktop's live picture: loaded over REST, then kept current by the realtime WebSocket.
 * Components read it with `useDesktop()`; pages that need more (a transcript, a case) listen to `onEvent`.
 */
class DesktopStore {
  private state: DesktopState = {
    me: null,
    status: 'loading',
    connected: false,
    reservations: [],
    conversations: new Map(),
    lastMessage: new Map(),
    lastContactMessage: new Map(),
    contacts: new Map(),
    agents: [],
    queues: [],
    sound: localStorage.getItem(soundKey) !== 'off',
    unseen: 0,
  };
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: WireEvent) => void>();
  private socket: WebSocket | null = null;
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Tells the server, while the desktop is open, that the agent is still there (presence). */
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private contactRequests = new Set<string>();
  /** The conversation this desktop shows, told to the server for the supervisor monitor. */
  private viewing: string | null = null;
  /** While the session is being renewed (password change, sign-in again), its old socket's end is expected. */
  private renewing = false;

  getState = (): DesktopState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onEvent(listener: (event: WireEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private set(patch: Partial<DesktopState>): void {
    this.state = { ...this.state, ...patch };
    document.title = this.state.unseen > 0 ? `(${this.state.unseen}) Switchboard` : 'Switchboard';
    for (const listener of this.listeners) listener();
  }

  async boot(): Promise<void> {
    try {
      const { agent } = await get<{ agent: PublicAgent }>('/auth/me');
      await this.signedIn(agent);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.set({ status: 'signed-out' });
      else throw error;
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    const { agent } = await post<{ agent: PublicAgent }>('/auth/login', { email, password });
    await this.signedIn(agent);
  }

  /**
   * Runs a call that replaces this desktop's session (the server then ends the old one and closes its
   * socket), and reconnects the live socket on the new session instead of signing out.
   */
  async renewSession<T>(call: () => Promise<T>): Promise<T> {
    this.renewing = true;
    let renewed = false;
    try {
      const result = await call();
      renewed = true;
      return result;
    } finally {
      this.renewing = false;
      if (this.state.status === 'ready' && (renewed || !this.socket)) {
        this.disconnect();
        this.connect();
      }
    }
  }

  /** Changes the agent's own password; every other sign-in of theirs ends, this desktop stays signed in. */
  async changePassword(currentPassword: string, password: string): Promise<void> {
    const { agent } = await this.renewSession(() =>
      put<{ agent: PublicAgent }>('/auth/password', { currentPassword, password }),
    );
    this.set({ me: agent });
  }

  /** Signs in again with the agent's own email (for actions that need a recent sign-in). */
  async reauthenticate(password: string): Promise<void> {
    const me = this.state.me;
    if (!me) throw new Error('not signed in');
    const { agent } = await this.renewSession(() =>
      post<{ agent: PublicAgent }>('/auth/login', { email: me.email, password }),
    );
    this.set({ me: agent });
  }

  async signOut(): Promise<void> {
    try {
      await post('/auth/logout');
    } finally {
      this.signedOut();
    }
  }

  signedOut(): void {
    this.disconnect();
    this.set({ me: null, status: 'signed-out', reservations: [], conversations: new Map(), unseen: 0 });
  }

  private async signedIn(agent: PublicAgent): Promise<void> {
    this.set({ me: agent });
    await this.reload();
    this.set({ status: 'ready' });
    this.connect();
  }

  /** Everything the inbox shows, fresh from the API (at sign-in and after a reconnect). */
  async reload(): Promise<void> {
    const me = this.state.me;
    if (!me) return;
    const [reservations, mine, queued, agents, queues] = await Promise.all([
      get<{ reservations: Reservation[] }>(`/reservations${query({ status: 'pending', agentId: me.id })}`),
      get<{ conversations: Conversation[] }>(
        `/conversations${query({ state: 'assigned,wrapping', agentId: me.id, limit: 100 })}`,
      ),
      get<{ conversations: Conversation[] }>(`/conversations${query({ state: 'queued', limit: 100 })}`),
      get<{ agents: PublicAgent[] }>('/agents'),
      get<{ queues: Queue[] }>('/queues'),
    ]);
    const conversations = new Map<string, Conversation>();
    for (const c of [...mine.conversations, ...queued.conversations]) conversations.set(c.id, c);
    const offered = await Promise.all(
      reservations.reservations
        .filter((r) => !conversations.has(r.conversationId))
        .map((r) => get<Conversation>(`/conversations/${r.conversationId}`).catch(() => null)),
    );
    for (const c of offered) if (c) conversations.set(c.id, c);
    this.set({
      reservations: reservations.reservations,
      conversations,
      agents: agents.agents,
      queues: queues.queues,
    });
    await Promise.all([...conversations.values()].map((c) => this.loadSummary(c)));
  }

  /** The last message and the contact of a conversation, for its inbox row. */
  private async loadSummary(conversation: Conversation): Promise<void> {
    this.loadContact(conversation.contactId);
    try {
      const { messages } = await get<{ messages: Message[] }>(`/conversations/${conversation.id}/messages`);
      const last = messages.filter((m) => m.text.trim()).pop();
      if (last) this.setLastMessage(last);
      const fromContact = messages.filter((m) => m.authorKind === 'contact' && m.text.trim()).pop();
      if (fromContact) this.setLastMessage(fromContact);
    } catch {
      // Not visible to this agent any more; the row keeps no preview.
    }
  }

  loadContact(contactId: string): void {
    if (this.contactRequests.has(contactId)) return;
    this.contactRequests.add(contactId);
    // The API has no contact route yet everywhere; without it rows show a short contact id.
    get<Contact>(`/contacts/${contactId}`)
      .then((contact) => {
        const contacts = new Map(this.state.contacts);
        contacts.set(contact.id, contact);
        this.set({ contacts });
      })
      .catch(() => {});
  }

  private setLastMessage(message: Message): void {
    if (message.authorKind === 'contact') {
      const previous = this.state.lastContactMessage.get(message.conversationId);
      if (!previous || previous.createdAt <= message.createdAt) {
        const lastContactMessage = new Map(this.state.lastContactMessage);
        lastContactMessage.set(message.conversationId, message);
        this.set({ lastContactMessage });
      }
    }
    const previous = this.state.lastMessage.get(message.conversationId);
    if (previous && previous.createdAt > message.createdAt) return;
    const lastMessage = new Map(this.state.lastMessage);
    lastMessage.set(message.conversationId, message);
    this.set({ lastMessage });
  }

  upsertConversation(conversation: Conversation): void {
    const conversations = new Map(this.state.conversations);
    const known = conversations.get(conversation.id);
    if (known && known.updatedAt > conversation.updatedAt) return;
    conversations.set(conversation.id, conversation);
    this.set({ conversations });
    if (!known) this.loadContact(conversation.contactId);
  }

  private connect(): void {
    if (this.socket) return;
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}/api/v1/realtime`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      const reconnected = this.retry > 0;
      this.retry = 0;
      this.set({ connected: true });
      // Events may have been missed while disconnected.
      if (reconnected) void this.reload();
    });
    socket.addEventListener('message', (message) => {
      try {
        this.handle(JSON.parse(String(message.data)) as WireEvent);
      } catch {
        // A malformed frame is ignored; the next reload repairs the picture.
      }
    });
    socket.addEventListener('close', (event) => {
      // A socket this desktop already let go of (renewed session, sign-out) says nothing any more.
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.set({ connected: false });
      if (this.state.status === 'signed-out') return;
      if (event.code === 4001) {
        // The server ended this session (password changed elsewhere, deactivated, revoked): sign-in page at once.
        if (!this.renewing) this.signedOut();
        return;
      }
      this.retry += 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.retry, 6));
      this.retryTimer = setTimeout(() => {
        // The session may have ended meanwhile: /auth/me tells, and a 401 signs out.
        get('/auth/me')
          .then(() => this.connect())
          .catch(() => {});
      }, delay);
    });
  }

  private startHeartbeat(socket: WebSocket, everyMs: number): void {
    this.stopHeartbeat();
    const beat = () => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'heartbeat' }));
    };
    this.heartbeatTimer = setInterval(beat, Math.max(1_000, everyMs));
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private disconnect(): void {
    this.stopHeartbeat();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'signed out');
  }

  private handle(event: WireEvent): void {
    const me = this.state.me;
    switch (event.type) {
      case 'hello':
        this.set({ me: event.agent });
        if (this.socket) this.startHeartbeat(this.socket, event.heartbeatMs);
        // A new socket knows nothing yet of what this desktop shows.
        if (this.viewing) this.sendViewing();
        break;
      case 'reservation.created':
      case 'reservation.updated': {
        const r = event.reservation;
        const others = this.state.reservations.filter((x) => x.id !== r.id);
        const mine = me && r.agentId === me.id && r.status === 'pending';
        this.set({ reservations: mine ? [...others, r] : others });
        if (mine && event.type === 'reservation.created') {
          this.set({ unseen: this.state.unseen + 1 });
          if (this.state.sound) playChime();
          if (!this.state.conversations.has(r.conversationId)) {
            get<Conversation>(`/conversations/${r.conversationId}`)
              .then((c) => {
                this.upsertConversation(c);
                return this.loadSummary(c);
              })
              .catch(() => {});
          }
        }
        break;
      }
      case 'conversation.updated':
        this.upsertConversation(event.conversation);
        break;
      case 'message.created':
        this.upsertConversation(event.conversation);
        if (event.message.text.trim()) this.setLastMessage(event.message);
        break;
      case 'agent.updated': {
        const agents = this.state.agents.some((a) => a.id === event.agent.id)
          ? this.state.agents.map((a) => (a.id === event.agent.id ? event.agent : a))
          : [...this.state.agents, event.agent];
        this.set({ agents, ...(me && event.agent.id === me.id ? { me: event.agent } : {}) });
        break;
      }
      default:
        break;
    }
    for (const listener of this.eventListeners) listener(event);
  }

  /** The conversation the desktop shows now (null: none), for the supervisor monitor's "viewing". */
  reportViewing(conversationId: string | null): void {
    if (this.viewing === conversationId) return;
    this.viewing = conversationId;
    this.sendViewing();
  }

  private sendViewing(): void {
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN)
      socket.send(JSON.stringify({ type: 'viewing', conversationId: this.viewing }));
  }

  async setPresence(presence: PublicAgent['presence']): Promise<void> {
    const me = this.state.me;
    if (!me) return;
    const agent = await put<PublicAgent>(`/agents/${me.id}/presence`, { presence });
    this.set({ me: agent });
  }

  async accept(reservation: Reservation): Promise<Conversation> {
    const conversation = await post<Conversation>(`/reservations/${reservation.id}/accept`);
    this.set({ reservations: this.state.reservations.filter((r) => r.id !== reservation.id) });
    this.upsertConversation(conversation);
    return conversation;
  }

  async reject(reservation: Reservation): Promise<void> {
    await post(`/reservations/${reservation.id}/reject`);
    this.set({ reservations: this.state.reservations.filter((r) => r.id !== reservation.id) });
  }

  toggleSound(): void {
    const sound = !this.state.sound;
    localStorage.setItem(soundKey, sound ? 'on' : 'off');
    this.set({ sound });
  }

  markSeen(): void {
    if (this.state.unseen > 0) this.set({ unseen: 0 });
  }
}

export const desktop = new DesktopStore();

export function useDesktop(): DesktopState {
  return useSyncExternalStore(desktop.subscribe, desktop.getState);
}

/** A contact's display name: the profile when the API gave one, else a short id. */
export function contactName(state: DesktopState, contactId: string): string {
  return state.contacts.get(contactId)?.name ?? `Contact ${contactId.slice(0, 6)}`;
}
