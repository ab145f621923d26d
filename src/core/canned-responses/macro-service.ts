import type { CaseService } from '../cases/case-service.ts';
import type { ConversationService } from '../conversations/conversation-service.ts';
import { invalid } from '../errors.ts';
import type { CannedResponse, Conversation, Message } from '../model.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import type { Router } from '../routing/router.ts';
import { inTransaction } from '../unit-of-work.ts';

export interface MacroResult {
  message: Message;
  conversation: Conversation;
}

/** Case statuses a macro that closes may leave the case in (as closing by hand allows). */
const closingStatuses = new Set(['solved', 'pending', 'open']);

/**
 * A macro: a canned response whose text is sent and whose actions (case status, priority, tags, close)
 * are applied in one transaction, so that a refused part leaves nothing sent and nothing changed.
 */
export class MacroService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly conversations: Pick<ConversationService, 'checkChannel' | 'replyIn' | 'closeIn'>,
    private readonly cases: Pick<CaseService, 'updateIn'>,
    private readonly router: Pick<Router, 'offer'>,
  ) {}

  async apply(agentId: string, conversationId: string, canned: CannedResponse): Promise<MacroResult> {
    const actions = canned.actions ?? {};
    const text = canned.text.trim();
    if (actions.close && actions.status && !closingStatuses.has(actions.status))
      throw invalid(`a macro that closes leaves the case solved, pending or open, not ${actions.status}`);
    await this.conversations.checkChannel(conversationId, text, []);
    const result = await inTransaction(this.store, this.bus, async (tx, emit) => {
      const message = await this.conversations.replyIn(tx, emit, agentId, conversationId, text, []);
      let conversation = (await tx.conversations.get(conversationId)) as Conversation;
      const actor = { kind: 'agent' as const, id: agentId };
      const changesCase = !!actions.priority || (actions.tags?.length ?? 0) > 0 || !!actions.status;
      if (changesCase) {
        if (!conversation.caseId)
          throw invalid('this conversation has no case for the macro to set status, priority or tags on');
        const kase = await tx.cases.get(conversation.caseId);
        await this.cases.updateIn(
          tx,
          emit,
          conversation.caseId,
          {
            ...(actions.priority ? { priority: actions.priority } : {}),
            ...(actions.tags?.length ? { tags: [...(kase?.tags ?? []), ...actions.tags] } : {}),
            // A closing macro's status is what the close leaves the case in (closing would solve it).
            ...(actions.status && !actions.close ? { status: actions.status } : {}),
          },
          actor,
        );
      }
      if (actions.close) {
        const caseStatus = actions.status as 'solved' | 'pending' | 'open' | undefined;
        conversation = await this.conversations.closeIn(tx, emit, agentId, conversationId, {
          ...(caseStatus ? { caseStatus } : {}),
        });
      }
      return { message, conversation };
    });
    if (actions.close) await this.router.offer();
    return result;
  }
}
