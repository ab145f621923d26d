import { z } from 'zod';
import { principalOf } from '../auth/authentication.ts';
import {
  conversationNoteBody,
  conversationNoteSchema,
  conversationSchema,
  idParams,
  monitorSchema,
  transferBody,
} from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';
import { actorOf, visibleConversation } from './conversation-routes.ts';

const tags = ['supervisor monitor'];

/**
 * The supervisor monitor (supervisors and admins) and internal notes on conversations (every agent who may
 * see the conversation). Notes are never delivered to the contact.
 */
export function monitorRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/monitor',
    {
      schema: {
        tags,
        summary:
          'Every live conversation (state, channel, queue, wait, holder) and every agent (presence, viewing)',
        response: { 200: monitorSchema },
      },
      config: { role: 'supervisor' },
    },
    async () => center.monitor.snapshot(),
  );

  app.post(
    '/monitor/conversations/:id/reassign',
    {
      schema: {
        tags,
        summary:
          'Reassign a conversation to another agent ({agentId}) or queue ({queueId}); the contact is told',
        params: idParams,
        body: transferBody,
        response: { 200: conversationSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) => {
      const { agentId, queueId } = request.body;
      const target = agentId !== undefined ? { agentId } : { queueId: queueId as string };
      return center.router.transfer(request.params.id, target, actorOf(principalOf(request)));
    },
  );

  app.get(
    '/conversations/:id/notes',
    {
      schema: {
        tags,
        summary: 'Internal notes on the conversation, oldest first (agents only; never sent to the contact)',
        params: idParams,
        response: { 200: z.object({ notes: z.array(conversationNoteSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      await visibleConversation(center, principalOf(request), request.params.id);
      return { notes: await center.monitor.notes(request.params.id) };
    },
  );

  app.post(
    '/conversations/:id/notes',
    {
      schema: {
        tags,
        summary: 'Leave an internal note for the agents of the conversation (never sent to the contact)',
        params: idParams,
        body: conversationNoteBody,
        response: { 201: conversationNoteSchema },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await visibleConversation(center, principal, request.params.id);
      return reply
        .code(201)
        .send(await center.monitor.addNote(principal.agent.id, request.params.id, request.body.text));
    },
  );
}
