import { z } from 'zod';
import { forbidden } from '../../core/errors.ts';
import type { Actor, Conversation } from '../../core/model.ts';
import type { ConversationFilter } from '../../core/ports/repositories.ts';
import { isSupervisor, type Principal, principalOf } from '../auth/authentication.ts';
import type { HttpCenter } from '../http-center.ts';
import {
  closeBody,
  conversationListQuery,
  conversationSchema,
  idParams,
  messageSchema,
  replyBody,
  transferBody,
  uploadPathPattern,
  wrapUpBody,
} from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['conversations'];

export const actorOf = (principal: Principal): Actor => ({ kind: 'agent', id: principal.agent.id });

/**
 * An agent sees conversations assigned to them, those waiting in a queue, and those offered to them;
 * supervisors and admins see all.
 */
export async function visibleConversation(
  center: HttpCenter,
  principal: Principal,
  id: string,
): Promise<Conversation> {
  const conversation = await center.conversations.get(id);
  if (isSupervisor(principal)) return conversation;
  const me = principal.agent.id;
  if (conversation.agentId === me || conversation.state === 'queued') return conversation;
  const offered = await center.store.reservations.list({
    conversationId: id,
    agentId: me,
    status: 'pending',
  });
  if (offered.length > 0) return conversation;
  throw forbidden('this conversation is not assigned to you');
}

export function conversationRoutes(app: ApiInstance, { center, config }: RouteDeps): void {
  app.get(
    '/conversations',
    {
      schema: {
        tags,
        summary: 'List conversations (agents: their own, or the queue with state=queued)',
        querystring: conversationListQuery,
        response: { 200: z.object({ conversations: z.array(conversationSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const { state, server, ...rest } = request.query;
      const filter: ConversationFilter = stripUndefined({ ...rest, state, serverId: server });
      if (!isSupervisor(principal)) {
        const onlyQueued = state?.every((s) => s === 'queued');
        if (filter.agentId !== undefined && filter.agentId !== principal.agent.id) {
          throw forbidden("only supervisors see other agents' conversations");
        }
        if (!onlyQueued) filter.agentId = principal.agent.id;
      }
      return { conversations: await center.conversations.list(filter) };
    },
  );

  app.get(
    '/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Get a conversation',
        params: idParams,
        response: { 200: conversationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => visibleConversation(center, principalOf(request), request.params.id),
  );

  app.get(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'The transcript, oldest first',
        params: idParams,
        response: { 200: z.object({ messages: z.array(messageSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      await visibleConversation(center, principalOf(request), request.params.id);
      return { messages: await center.conversations.transcript(request.params.id) };
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Reply to the contact (delivered through the outbox)',
        params: idParams,
        body: replyBody,
        response: { 201: messageSchema },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { text, attachments } = request.body;
      // Channels (Discord, SMS) hand the link to someone outside: it must be absolute.
      const base = config.publicUrl ?? `${request.protocol}://${request.host}`;
      const message = await center.conversations.reply(principal.agent.id, request.params.id, {
        text,
        attachments: (attachments ?? []).map((a) =>
          stripUndefined({ ...a, url: uploadPathPattern.test(a.url) ? `${base}${a.url}` : a.url }),
        ),
      });
      return reply.code(201).send(message);
    },
  );

  app.post(
    '/conversations/:id/transfer',
    {
      schema: {
        tags,
        summary: 'Transfer to another agent ({agentId}) or queue ({queueId})',
        params: idParams,
        body: transferBody,
        response: { 200: conversationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const conversation = await center.conversations.get(request.params.id);
      if (!isSupervisor(principal) && conversation.agentId !== principal.agent.id) {
        throw forbidden('this conversation is not assigned to you');
      }
      const { agentId, queueId } = request.body;
      const target = agentId !== undefined ? { agentId } : { queueId: queueId as string };
      return center.router.transfer(conversation.id, target, actorOf(principal));
    },
  );

  app.post(
    '/conversations/:id/wrap-up',
    {
      schema: {
        tags,
        summary: 'Finish talking; write the wrap-up note',
        params: idParams,
        body: wrapUpBody,
        response: { 200: conversationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) =>
      center.conversations.wrapUp(principalOf(request).agent.id, request.params.id, request.body.note),
  );

  app.post(
    '/conversations/:id/close',
    {
      schema: {
        tags,
        summary: 'Close the conversation; the linked case becomes solved unless caseStatus says otherwise',
        params: idParams,
        body: closeBody,
        response: { 200: conversationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) =>
      center.conversations.close(
        principalOf(request).agent.id,
        request.params.id,
        stripUndefined(request.body ?? {}),
      ),
  );
}
