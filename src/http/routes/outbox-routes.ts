import { forbidden } from '../../core/errors.ts';
import { isSupervisor, principalOf } from '../auth/authentication.ts';
import { messageDeliverySchema, outboxItemParams } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';
import { visibleConversation } from './conversation-routes.ts';

/** What people do about deliveries: send again a message the channel refused. */
export function outboxRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.post(
    '/conversations/:id/outbox/:seq/resend',
    {
      schema: {
        tags: ['conversations'],
        summary:
          'Send again a message that was not delivered (the agent holding the conversation, or a supervisor)',
        params: outboxItemParams,
        response: { 200: messageDeliverySchema },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const conversation = await visibleConversation(center, principal, request.params.id);
      if (!isSupervisor(principal) && conversation.agentId !== principal.agent.id)
        throw forbidden('only the agent holding the conversation, or a supervisor, may resend its messages');
      const item = await center.store.outbox.resend(
        conversation.id,
        request.params.seq,
        center.clock.now().toISOString(),
      );
      request.log.info(
        { conversationId: conversation.id, seq: item.seq, agentId: principal.agent.id },
        'outbound message queued again',
      );
      await center.bus.publish({ type: 'outbox.enqueued', conversationId: conversation.id });
      return { seq: item.seq, status: item.status, attempts: item.attempts, lastError: item.lastError };
    },
  );
}
