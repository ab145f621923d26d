import type { CaseService } from '../cases/case-service.ts';
import type { BridgeService } from '../conversations/bridge-service.ts';
import { invalid } from '../errors.ts';
import { detectConversationalIntent } from '../knowledge/handoff-detector.ts';
import type { HandoffSummarizer } from '../knowledge/handoff-summary.ts';
import type { Case, Contact, Conversation, MemberContext, Message, MessageAction } from '../model.ts';
import type { DispatcherLog } from '../outbox/outbox-dispatcher.ts';
import { postMessage } from '../outbox/post-message.ts';
import { recordHandoffIn, recordTurnIn } from '../outcomes/outcome-recording.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { HttpClient, HttpResponse } from '../ports/http-client.ts';
import type { Store } from '../ports/repositories.ts';
import type { VirtualAgent, VirtualAgentReply } from '../ports/virtual-agent.ts';
import { higherPriority, loadRoleRoutes, roleRouteFor } from '../routing/role-routes.ts';
import type { Router } from '../routing/router.ts';
import { outOfHoursText } from '../sla/out-of-hours.ts';
import { isTextKey, pickLanguage, say } from '../texts.ts';
import { inTransaction } from '../unit-of-work.ts';
import type { FlowCondition, FlowDefinition, FlowState } from './flow-definition.ts';

/** What a flow run sees and builds up as it goes. */
export interface FlowContext {
  conversation: Conversation;
  contact: Contact;
  message: Message;
  action: string | null;
  case?: Case;
  queuePosition?: number;
  /** Where `send-to-queue` sent the conversation: `switchboard` (a queue here) or a bridge (`flex`). */
  handoffTarget?: string;
  virtualAgent?: VirtualAgentReply;
  http?: HttpResponse;
  /** The contact as a member of the community they wrote from (a Discord server), when the channel has one. */
  member?: MemberContext;
}

export interface FlowRunnerDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  router: Router;
  cases: CaseService;
  virtualAgent: VirtualAgent;
  http: HttpClient;
  /** Conversations handed to an outside contact center. */
  bridges: BridgeService;
  /**
   * The bridge a `send-to-queue` step goes to, if any: the queue it names (or the chosen queue's name) when
   * that is a bridge's name, and for a step naming no queue, the configured hand-off target.
   */
  bridgeFor: (queueName: string | null) => string | null;
  /** Recognises a request for a person in the contact's words (English, Arabic, …). */
  isHandoffRequest: (text: string) => boolean;
  /** Writes the hand-off summary kept as the new case's first note (none without it). */
  summarizer?: HandoffSummarizer;
  log?: DispatcherLog;
}

/** A URL as it may be logged: its query string and credentials can carry secrets. */
const withoutQuery = (url: string) => url.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/, '');

/** Guards against a flow whose transitions loop forever. */
const MAX_STEPS = 50;

const actionLabels: Record<string, Record<string, string>> = {
  resolved: { en: 'This solved it', ar: 'تم حل مشكلتي' },
  handoff: { en: 'Talk to a person', ar: 'التحدث إلى موظف' },
};

export function actionFor(id: 'resolved' | 'handoff', language: string | null): MessageAction {
  return { id, label: pickLanguage(actionLabels[id] ?? {}, language) };
}

/**
 * Runs a message through a flow, one state at a time. Each state that changes something (a message to the
 * contact, a case, the queue) commits on its own, with its outbox items in the same transaction; slow
 * calls (the virtual agent, HTTP requests) run outside any transaction.
 */
export class FlowRunner {
  constructor(private readonly deps: FlowRunnerDeps) {}

  async run(flow: FlowDefinition, context: FlowContext): Promise<FlowContext> {
    const byName = new Map(flow.states.map((s) => [s.name, s]));
    let current: string | undefined = flow.initial;
    let steps = 0;
    while (current !== undefined) {
      if (++steps > MAX_STEPS) throw invalid(`the flow ran more than ${MAX_STEPS} steps; it probably loops`);
      const state = byName.get(current);
      if (!state) throw invalid(`the flow has no state named "${current}"`);
      current = await this.step(state, context);
    }
    return context;
  }

  private async step(state: FlowState, ctx: FlowContext): Promise<string | undefined> {
    const { store, bus, clock } = this.deps;
    const now = () => clock.now().toISOString();
    switch (state.type) {
      case 'trigger':
        return state.next;
      case 'split':
        return state.conditions.find((c) => this.holds(c, ctx))?.next ?? state.otherwise;
      case 'virtual-agent': {
        // The last ten only: a long conversation is not read whole for each answer.
        const history = (await store.messages.listRecent(ctx.conversation.id, 10)).map((m) => ({
          authorKind: m.authorKind,
          text: m.text,
        }));
        const reply = await this.deps.virtualAgent.reply({
          text: ctx.message.text,
          conversation: ctx.conversation,
          locale: ctx.contact.locale,
          history,
        });
        ctx.virtualAgent = reply;
        if (reply.intent === 'handoff' && state.onHandoff) {
          ctx.conversation = await this.setLanguage(ctx.conversation, reply.language);
          return state.onHandoff;
        }
        await inTransaction(store, bus, async (tx, emit) => {
          const current = (await tx.conversations.get(ctx.conversation.id)) ?? ctx.conversation;
          ctx.conversation = { ...current, language: reply.language, updatedAt: now() };
          await tx.conversations.update(ctx.conversation);
          const actions =
            reply.intent === 'answer'
              ? [actionFor('resolved', reply.language), actionFor('handoff', reply.language)]
              : reply.intent === 'unsure'
                ? [actionFor('handoff', reply.language)]
                : [];
          await postMessage(
            tx,
            emit,
            ctx.conversation,
            { authorKind: 'bot', text: reply.text, articles: reply.articles, actions },
            now(),
          );
          await recordTurnIn(tx, ctx.conversation, ctx.message, reply, now());
        });
        return reply.intent === 'unsure' && state.onUnsure ? state.onUnsure : state.next;
      }
      case 'create-case': {
        if (ctx.conversation.caseId) {
          const existing = await store.cases.get(ctx.conversation.caseId);
          if (existing && existing.status !== 'closed' && existing.status !== 'solved') {
            ctx.case = existing;
            return state.next;
          }
        }
        const subject = await this.subjectFor(ctx);
        // A member's role may ask for more than the step does (a `VIP` role: high); never for less.
        const stepPriority = isPriority(state.priority) ? state.priority : undefined;
        const rolePriority = (await this.roleRoute(store, ctx))?.priority ?? null;
        const priority = rolePriority ? higherPriority(stepPriority ?? 'normal', rolePriority) : stepPriority;
        // Written before the transaction: a model may take seconds.
        const summary = await this.handoffSummary(ctx);
        ctx.case = await inTransaction(store, bus, async (tx, emit) => {
          const kase = await this.deps.cases.createIn(
            tx,
            emit,
            {
              kind: state.kind ?? 'support',
              subject,
              contactId: ctx.contact.id,
              conversationId: ctx.conversation.id,
              ...(priority ? { priority } : {}),
            },
            { kind: 'system', id: null },
          );
          if (summary)
            await this.deps.cases.addNoteIn(
              tx,
              emit,
              kase.id,
              summary.text,
              { kind: 'system', id: null },
              {
                handoffSummary: true,
                by: summary.by,
              },
            );
          return kase;
        });
        ctx.conversation = { ...ctx.conversation, caseId: ctx.case.id };
        return state.next;
      }
      case 'send-to-queue': {
        await inTransaction(store, bus, async (tx, emit) => {
          const current = (await tx.conversations.get(ctx.conversation.id)) ?? ctx.conversation;
          const named = state.queue?.trim() || null;
          // A step naming no queue follows the member's role first (Admin → Role routing), if one is mapped.
          const route = await this.roleRoute(tx, ctx);
          const routed = !named && route?.queueId ? await tx.queues.get(route.queueId) : undefined;
          let bridge = routed ? null : this.deps.bridgeFor(named);
          const queue = bridge ? null : (routed ?? (await this.deps.router.resolveQueue(tx, state.queue)));
          if (queue) bridge = this.deps.bridgeFor(queue.name);
          if (bridge) {
            await recordHandoffIn(tx, current, ctx.message, ctx.virtualAgent, now());
            const kase = ctx.case ?? (current.caseId ? await tx.cases.get(current.caseId) : undefined);
            ctx.conversation = await this.deps.bridges.handOffIn(
              tx,
              emit,
              current,
              ctx.contact,
              kase,
              bridge,
            );
            ctx.handoffTarget = bridge;
            return;
          }
          if (!queue) return;
          await recordHandoffIn(tx, current, ctx.message, ctx.virtualAgent, now());
          ctx.conversation = await this.deps.router.enqueueIn(tx, emit, current, queue, route);
          ctx.queuePosition = (await this.deps.router.queuePosition(ctx.conversation.id, tx)) ?? 1;
          ctx.handoffTarget = 'switchboard';
          // Queued all the same outside business hours: the member is told when a person is back.
          const away = await outOfHoursText(tx, ctx.conversation, clock.now());
          if (away) await postMessage(tx, emit, ctx.conversation, { authorKind: 'bot', text: away }, now());
        });
        return state.next;
      }
      case 'send-message': {
        const language = ctx.conversation.language ?? ctx.contact.locale;
        const text =
          state.botText !== undefined && isTextKey(state.botText)
            ? say(
                state.botText,
                language,
                { case: ctx.case?.number ?? '', position: ctx.queuePosition ?? '' },
                ctx.conversation.server?.id,
              )
            : render(typeof state.text === 'string' ? state.text : pickLanguage(state.text, language), ctx);
        await inTransaction(store, bus, async (tx, emit) => {
          const current = (await tx.conversations.get(ctx.conversation.id)) ?? ctx.conversation;
          await postMessage(tx, emit, current, { authorKind: 'bot', text }, now());
        });
        return state.next;
      }
      case 'http-request': {
        try {
          ctx.http = await this.deps.http.request({
            url: state.url,
            method: state.method ?? 'POST',
            timeoutMs: state.timeoutMs ?? 5_000,
            ...((state.method ?? 'POST') === 'POST'
              ? {
                  body: {
                    message: { text: ctx.message.text, action: ctx.action },
                    conversation: {
                      id: ctx.conversation.id,
                      channel: ctx.conversation.channel,
                      state: ctx.conversation.state,
                    },
                    contact: { id: ctx.contact.id, name: ctx.contact.name, locale: ctx.contact.locale },
                  },
                }
              : {}),
          });
          if (ctx.http.status >= 400) {
            this.httpStepFailed(state, ctx, `answered ${ctx.http.status}`);
            return state.onFailure ?? state.next;
          }
          return state.next;
        } catch (error) {
          this.httpStepFailed(state, ctx, error instanceof Error ? error.message : String(error));
          return state.onFailure ?? state.next;
        }
      }
    }
  }

  /** The flow goes on along `onFailure`; the admin who wrote the step finds why in the log. */
  private httpStepFailed(state: FlowState & { url: string }, ctx: FlowContext, reason: string): void {
    this.deps.log?.warn(
      { state: state.name, url: withoutQuery(state.url), conversationId: ctx.conversation.id, reason },
      'flow HTTP request failed',
    );
  }

  private holds(condition: FlowCondition, ctx: FlowContext): boolean {
    const actual = lookup(condition.subject, ctx, this.deps.clock.now());
    const expected = condition.value;
    // A subject with several values (roles; a server by id and name): it holds when one of them does.
    if (Array.isArray(actual)) {
      const wanted = String(expected ?? '').toLowerCase();
      const values = actual.map((v) => String(v).toLowerCase());
      switch (condition.operator) {
        case 'equals':
        case 'contains':
          return values.includes(wanted);
        case 'not_equals':
          return !values.includes(wanted);
        case 'matches': {
          const pattern = new RegExp(String(expected), 'i');
          return actual.some((v) => pattern.test(String(v)));
        }
        default:
          return false;
      }
    }
    switch (condition.operator) {
      case 'equals':
        return String(actual ?? '').toLowerCase() === String(expected ?? '').toLowerCase();
      case 'not_equals':
        return String(actual ?? '').toLowerCase() !== String(expected ?? '').toLowerCase();
      case 'contains':
        return String(actual ?? '')
          .toLowerCase()
          .includes(String(expected ?? '').toLowerCase());
      case 'matches':
        return new RegExp(String(expected), 'i').test(String(actual ?? ''));
      case 'greater_than':
        return Number(actual) > Number(expected);
      case 'less_than':
        return Number(actual) < Number(expected);
      case 'is_handoff_request':
        return typeof actual === 'string' && actual.trim() !== '' && this.deps.isHandoffRequest(actual);
    }
  }

  /** The role route of the member who wrote, if any of their roles is mapped. */
  private async roleRoute(repos: Pick<Store, 'settings'>, ctx: FlowContext) {
    if (!ctx.member) return undefined;
    return roleRouteFor(await loadRoleRoutes(repos.settings), ctx.member);
  }

  private async setLanguage(conversation: Conversation, language: string): Promise<Conversation> {
    if (conversation.language === language) return conversation;
    const next = { ...conversation, language, updatedAt: this.deps.clock.now().toISOString() };
    await this.deps.store.conversations.update(next);
    return next;
  }

  /** A hand-off without its summary is still a hand-off: a failing summarizer is logged, not thrown. */
  private async handoffSummary(ctx: FlowContext) {
    if (!this.deps.summarizer) return null;
    try {
      return await this.deps.summarizer.summarize(
        await this.deps.store.messages.listByConversation(ctx.conversation.id),
      );
    } catch (error) {
      this.deps.log?.warn(
        {
          conversationId: ctx.conversation.id,
          reason: error instanceof Error ? error.message : String(error),
        },
        'hand-off summary not written',
      );
      return null;
    }
  }

  /**
   * The case subject: the contact's last real question before the hand-off (what the bot could not
   * answer), not the request for a person, a greeting or thanks.
   */
  private async subjectFor(ctx: FlowContext): Promise<string> {
    const messages = await this.deps.store.messages.listByConversation(ctx.conversation.id);
    const question = messages.findLast(
      (m) =>
        m.authorKind === 'contact' &&
        m.text.trim() &&
        !this.deps.isHandoffRequest(m.text) &&
        detectConversationalIntent(m.text) === null,
    );
    const text = (question?.text ?? '').replace(/\s+/g, ' ').trim();
    if (text) return text.length > 120 ? `${text.slice(0, 117)}…` : text;
    return `Support request from ${ctx.contact.name}`;
  }
}

const DAY_MS = 86_400_000;

/** Whole days from an instant to now; undefined when it is unknown. */
function daysSince(at: string | null | undefined, now: Date): number | undefined {
  if (!at) return undefined;
  const then = Date.parse(at);
  return Number.isNaN(then) ? undefined : Math.floor((now.getTime() - then) / DAY_MS);
}

const byIdAndName = (ref: { id: string; name: string } | null | undefined) =>
  ref ? [ref.id, ref.name] : undefined;

function lookup(subject: string, ctx: FlowContext, now: Date): unknown {
  switch (subject) {
    case 'member.roles':
      return ctx.member?.roles.flatMap((r) => [r.id, r.name]);
    case 'member.server':
      return byIdAndName(ctx.member?.server);
    case 'member.boosting':
      return ctx.member ? ctx.member.boostingSince !== null : undefined;
    case 'member.accountAgeDays':
      return daysSince(ctx.member?.accountCreatedAt, now);
    case 'member.joinedDays':
      return daysSince(ctx.member?.joinedAt, now);
    case 'request.channel':
      return byIdAndName(ctx.member?.requestChannel);
    case 'message.text':
      return ctx.message.text;
    case 'message.action':
      return ctx.action;
    case 'conversation.state':
      return ctx.conversation.state;
    case 'conversation.channel':
      return ctx.conversation.channel;
    case 'conversation.language':
      return ctx.conversation.language;
    case 'contact.locale':
      return ctx.contact.locale;
    case 'virtualAgent.intent':
      return ctx.virtualAgent?.intent;
    case 'virtualAgent.confidence':
      return ctx.virtualAgent?.confidence;
    case 'http.status':
      return ctx.http?.status;
    case 'handoff.target':
      return ctx.handoffTarget;
    default:
      return undefined;
  }
}

/** Fills `{{case.number}}`, `{{queue.position}}`, `{{contact.name}}`, `{{http.body.key}}`; unknown ones become empty. */
export function render(template: string, ctx: FlowContext): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_whole, path: string) => {
    const value = resolvePath(path, ctx);
    return value === undefined || value === null ? '' : String(value);
  });
}

function resolvePath(path: string, ctx: FlowContext): unknown {
  const [head, ...rest] = path.split('.');
  const roots: Record<string, unknown> = {
    case: ctx.case,
    queue: { position: ctx.queuePosition },
    contact: ctx.contact,
    conversation: ctx.conversation,
    message: ctx.message,
    http: ctx.http,
    virtualAgent: ctx.virtualAgent,
  };
  let value: unknown = roots[head ?? ''];
  for (const key of rest) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function isPriority(value: unknown): value is Case['priority'] {
  return value === 'low' || value === 'normal' || value === 'high' || value === 'urgent';
}
