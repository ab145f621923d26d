import { z } from 'zod';
import { principalOf } from '../auth/authentication.ts';
import {
  applyCannedResponseBody,
  cannedResponseListQuery,
  cannedResponseSchema,
  conversationSchema,
  createCannedResponseBody,
  idParams,
  messageSchema,
  updateCannedResponseBody,
} from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['canned responses'];

/** Canned responses: every agent searches and inserts them (`/shortcut`); supervisors and admins keep them. */
export function cannedResponseRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/canned-responses',
    {
      schema: {
        tags,
        summary: 'List canned responses by shortcut; `q` searches shortcut, title and text',
        querystring: cannedResponseListQuery,
        response: { 200: z.object({ cannedResponses: z.array(cannedResponseSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => ({
      cannedResponses: await center.cannedResponses.list(request.query.q ?? '', request.query.limit),
    }),
  );

  app.post(
    '/canned-responses',
    {
      schema: {
        tags,
        summary: 'Create a canned response (409 when the shortcut is taken)',
        body: createCannedResponseBody,
        response: { 201: cannedResponseSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) =>
      reply.code(201).send(await center.cannedResponses.create(stripUndefined(request.body))),
  );

  app.get(
    '/canned-responses/:id',
    {
      schema: {
        tags,
        summary: 'Get a canned response',
        params: idParams,
        response: { 200: cannedResponseSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.cannedResponses.get(request.params.id),
  );

  app.patch(
    '/canned-responses/:id',
    {
      schema: {
        tags,
        summary: 'Change a canned response',
        params: idParams,
        body: updateCannedResponseBody,
        response: { 200: cannedResponseSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) => center.cannedResponses.update(request.params.id, stripUndefined(request.body)),
  );

  app.post(
    '/canned-responses/:id/apply',
    {
      schema: {
        tags,
        summary:
          'Send the text to the conversation and apply its actions (case status, priority, tags, close) in one transaction',
        params: idParams,
        body: applyCannedResponseBody,
        response: { 200: z.object({ message: messageSchema, conversation: conversationSchema }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const canned = await center.cannedResponses.get(request.params.id);
      return center.macros.apply(principalOf(request).agent.id, request.body.conversationId, canned);
    },
  );

  app.delete(
    '/canned-responses/:id',
    {
      schema: {
        tags,
        summary: 'Delete a canned response',
        params: idParams,
        response: { 204: z.null() },
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) => {
      await center.cannedResponses.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
