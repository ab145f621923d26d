import type { CaseService } from '../cases/case-service.ts';
import { invalid } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Conversation } from '../model.ts';
import { postMessage } from '../outbox/post-message.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import { sendTranscriptIn } from '../transcripts/member-transcript.ts';
import { inTransaction } from '../unit-of-work.ts';
import { transition } from './conversation-state.ts';

/** What an admin sets (Admin → Idle conversations): off until turned on. */
export interface IdleSettings {
  enabled: boolean;
  /** Minutes without a member reply, after an agent's message, before the member is reminded. */
  reminderMinutes: number;
  /** Minutes after the reminder, still without a reply, before the conversation is closed. */
  closeMinutes: number;
}

export const defaultIdleSettings: IdleSettings = { enabled: false, reminderMinutes: 30, closeMinutes: 30 };
const SETTINGS_KEY = 'idle-conversations';
const SWEEP_LEASE = 'conversations:idle-sweep';

export interface IdleOptions {
  /** How often the sweep runs. */
  sweepMs: number;
  leaseMs: number;
  owner: string;
}

export const defaultIdleOptions: Omit<IdleOptions, 'owner'> = { sweepMs: 30_000, leaseMs: 60_000 };

/**
 * Conversations waiting on the member: an agent wrote last and the member has not answered. After
 * `reminderMinutes` the member is reminded; after `closeMinutes` more the conversation is closed, with
 * the reason on the case's timeline. One instance sweeps at a time (a lease); time is the Clock's.
 */
export class IdleConversations {
  readonly options: IdleOptions;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;
  /** Makes the links of the transcript sent to members absolute (null: left as they are). */
  publicUrl: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly cases: CaseService,
    options: Partial<IdleOptions> = {},
  ) {
    this.options = { ...defaultIdleOptions, owner: newId(), ...options };
  }

  async settings(): Promise<IdleSettings> {
    return {
      ...defaultIdleSettings,
      ...(await this.store.settings.get<Partial<IdleSettings>>(SETTINGS_KEY)),
    };
  }

  async saveSettings(settings: IdleSettings): Promise<IdleSettings> {
    for (const field of ['reminderMinutes', 'closeMinutes'] as const) {
      const value = settings[field];
      if (!Number.isInteger(value) || value < 1 || value > 10_080)
        throw invalid(`${field} is a whole number of minutes from 1 to 10080 (a week)`, { field });
    }
    await this.store.settings.set(SETTINGS_KEY, settings);
    return settings;
  }

  /** One sweep: reminds and closes what is due now; returns how many were reminded and closed. */
  async sweep(): Promise<{ reminded: number; closed: number }> {
    const done = { reminded: 0, closed: 0 };
    const settings = await this.settings();
    if (!settings.enabled) return done;
    const now = this.clock.now();
    const lease = await this.store.leases.acquire({
      name: SWEEP_LEASE,
      owner: this.options.owner,
      now: now.toISOString(),
      ttlMs: this.options.leaseMs,
    });
    if (!lease) return done;
    try {
      for (const conversation of await this.store.conversations.list({ state: 'assigned' })) {
        const step = await this.step(conversation.id, settings, now);
        if (step === 'reminded') done.reminded++;
        if (step === 'closed') done.closed++;
      }
      return done;
    } finally {
      await this.store.leases.release(lease).catch(() => false);
    }
  }

  start(onError: (error: unknown) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch(onError)
        .finally(() => {
          this.running = null;
        });
    }, this.options.sweepMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private step(id: string, settings: IdleSettings, now: Date): Promise<'reminded' | 'closed' | null> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      const conversation = await tx.conversations.get(id);
      if (conversation?.state !== 'assigned') return null;
      const messages = await tx.messages.listByConversation(id);
      // Waiting on the member only when an agent wrote after the member's last message (in stored order:
      // both may carry the same instant).
      const agentAt = messages.findLastIndex((m) => m.authorKind === 'agent');
      const lastAgent = messages[agentAt];
      if (!lastAgent || messages.findLastIndex((m) => m.authorKind === 'contact') > agentAt) return null;
      const at = now.toISOString();
      const reminded = conversation.idleRemindedAt && conversation.idleRemindedAt >= lastAgent.createdAt;
      if (!reminded) {
        if (now.getTime() - Date.parse(lastAgent.createdAt) < settings.reminderMinutes * 60_000) return null;
        const next: Conversation = { ...conversation, idleRemindedAt: at, updatedAt: at };
        await tx.conversations.update(next);
        await postMessage(
          tx,
          emit,
          next,
          {
            authorKind: 'system',
            text: say('idleReminder', conversation.language, {}, conversation.server?.id),
          },
          at,
        );
        return 'reminded';
      }
      if (now.getTime() - Date.parse(conversation.idleRemindedAt ?? at) < settings.closeMinutes * 60_000)
        return null;
      const closed: Conversation = { ...transition(conversation, 'closed', at), idleRemindedAt: null };
      await tx.conversations.update(closed);
      emit({ type: 'conversation.updated', conversation: closed });
      await sendTranscriptIn(tx, emit, closed, now, this.publicUrl);
      await postMessage(
        tx,
        emit,
        closed,
        { authorKind: 'system', text: say('idleClosed', conversation.language, {}, conversation.server?.id) },
        at,
      );
      if (conversation.agentId) {
        const holder = await tx.agents.get(conversation.agentId);
        if (holder) await tx.agents.update({ ...holder, idleSince: at });
      }
      if (conversation.caseId) {
        const minutes = settings.reminderMinutes + settings.closeMinutes;
        await this.cases.addNoteIn(
          tx,
          emit,
          conversation.caseId,
          `Conversation closed automatically: no reply from the member for ${minutes} minutes (reminded after ${settings.reminderMinutes}).`,
          { kind: 'system', id: null },
          { idleClosed: true, conversationId: conversation.id },
        );
      }
      return 'closed';
    });
  }
}
