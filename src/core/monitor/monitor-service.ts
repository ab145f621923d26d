import { publicAgent } from '../agents/agent-service.ts';
import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AgentRole, Conversation, Presence } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import type { SlaTimer } from '../sla/sla.ts';
import { inTransaction } from '../unit-of-work.ts';
import type { AgentViewing, ConversationNote } from './monitor.ts';

/** The states of a conversation that is still going on: what the monitor lists. */
export const liveStates = ['bot', 'queued', 'assigned', 'wrapping'] as const;
/** The most live conversations one monitor snapshot lists (newest activity first). */
export const monitorLimit = 500;
export const maxNoteLength = 5_000;

export interface MonitoredConversation {
  conversation: Conversation;
  contactName: string | null;
  queueName: string | null;
  holderName: string | null;
  /**
   * How long the contact waited for a person: until now while queued, until the pick-up once assigned;
   * null while with the bot.
   */
  waitSeconds: number | null;
  /** The conversation's running or paused response clock (first or next response) nearest its breach; null: none. */
  sla: SlaTimer | null;
}

export interface MonitoredAgent {
  id: string;
  name: string;
  email: string;
  role: AgentRole;
  presence: Presence;
  load: number;
  capacity: number;
  /** The conversation the agent's desktop shows now, if any. */
  viewing: { conversationId: string; since: string } | null;
}

export interface MonitorSnapshot {
  at: string;
  conversations: MonitoredConversation[];
  agents: MonitoredAgent[];
}

/**
 * The supervisor monitor: every live conversation, who is online and what each agent is looking at, and
 * internal notes (stored apart from messages, so that nothing ever delivers one to the contact).
 */
export class MonitorService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  async snapshot(): Promise<MonitorSnapshot> {
    const now = this.clock.now();
    const [conversations, agents, queues, viewing] = await Promise.all([
      this.store.conversations.list({ state: [...liveStates], limit: monitorLimit }),
      this.store.agents.list(),
      this.store.queues.list(),
      this.store.agentViewing.list(),
    ]);
    const clocks = await this.responseClocks(conversations.map((c) => c.id));
    const queueNames = new Map(queues.map((q) => [q.id, q.name]));
    const agentNames = new Map(agents.map((a) => [a.id, a.name]));
    const contactIds = [...new Set(conversations.map((c) => c.contactId))];
    const contacts = new Map(
      (await Promise.all(contactIds.map((id) => this.store.contacts.get(id)))).flatMap((c) =>
        c ? [[c.id, c.name] as const] : [],
      ),
    );
    const viewingOf = new Map(viewing.map((v) => [v.agentId, v]));
    const active = agents.filter((a) => a.status === 'active');
    const loads = await Promise.all(active.map((a) => this.store.agents.loadOf(a.id)));
    return {
      at: now.toISOString(),
      conversations: conversations.map((c) => ({
        conversation: c,
        contactName: contacts.get(c.contactId) ?? null,
        queueName: c.queueId ? (queueNames.get(c.queueId) ?? null) : null,
        holderName: c.agentId ? (agentNames.get(c.agentId) ?? null) : null,
        waitSeconds: waitSeconds(c, now.getTime()),
        sla: clocks.get(c.id) ?? null,
      })),
      agents: active.map((a, i) => {
        const seen = viewingOf.get(a.id);
        const { id, name, email, role, presence, capacity } = publicAgent(a);
        return {
          id,
          name,
          email,
          role,
          presence,
          capacity,
          load: loads[i] ?? 0,
          // An agent who is offline shows nothing, whatever their last desktop reported.
          viewing:
            seen?.conversationId && presence !== 'offline'
              ? { conversationId: seen.conversationId, since: seen.since }
              : null,
        };
      }),
    };
  }

  /** Per conversation, its active response clock due first (running before paused). */
  private async responseClocks(conversationIds: string[]): Promise<Map<string, SlaTimer>> {
    const clocks = new Map<string, SlaTimer>();
    if (conversationIds.length === 0) return clocks;
    const rank = (t: SlaTimer) => (t.status === 'running' ? (t.dueAt ?? '~') : '~~');
    for (const timer of await this.store.sla.listActiveForConversations(conversationIds)) {
      if (!timer.conversationId || timer.metric === 'resolution') continue;
      const known = clocks.get(timer.conversationId);
      if (!known || rank(timer) < rank(known)) clocks.set(timer.conversationId, timer);
    }
    return clocks;
  }

  /** An internal note: stored and pushed to the desktops that may see the conversation, in no outbox. */
  async addNote(authorId: string, conversationId: string, text: string): Promise<ConversationNote> {
    const body = text.trim();
    if (!body) throw invalid('a note needs text', { field: 'text' });
    if (body.length > maxNoteLength)
      throw invalid(`a note has at most ${maxNoteLength} characters`, { field: 'text' });
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(conversationId);
      if (!conversation) throw notFound('conversation', conversationId);
      const note: ConversationNote = {
        id: newId(),
        conversationId,
        authorId,
        text: body,
        createdAt: this.clock.now().toISOString(),
      };
      await tx.conversationNotes.insert(note);
      emit({ type: 'note.created', note, conversation });
      return note;
    });
  }

  notes(conversationId: string): Promise<ConversationNote[]> {
    return this.store.conversationNotes.listByConversation(conversationId);
  }

  /**
   * The agent's desktop shows this conversation now (null: none). A conversation that does not exist is
   * not recorded (the report comes from the desktop, not from the server).
   */
  async reportViewing(agentId: string, conversationId: string | null): Promise<void> {
    if (conversationId !== null && !(await this.store.conversations.get(conversationId))) return;
    const viewing: AgentViewing = { agentId, conversationId, since: this.clock.now().toISOString() };
    await this.store.agentViewing.set(viewing);
    await this.bus.publish({ type: 'agent.viewing', viewing });
  }

  /** The desktop that reported `conversationId` closed: cleared unless the agent has moved on since. */
  async endViewing(agentId: string, conversationId: string): Promise<void> {
    if (!(await this.store.agentViewing.clearIf(agentId, conversationId))) return;
    await this.bus.publish({
      type: 'agent.viewing',
      viewing: { agentId, conversationId: null, since: this.clock.now().toISOString() },
    });
  }
}

function waitSeconds(c: Conversation, now: number): number | null {
  if (!c.queuedAt || c.state === 'bot') return null;
  const end = c.state === 'queued' ? now : c.assignedAt ? Date.parse(c.assignedAt) : now;
  return Math.max(0, Math.round((end - Date.parse(c.queuedAt)) / 1000));
}
