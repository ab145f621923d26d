import { z } from 'zod';
import { isSupervisor, principalOf } from '../auth/authentication.ts';
import {
  createQueueBody,
  idParams,
  idSchema,
  queueSchema,
  queueStatsSchema,
  roleRouteSchema,
  roleRoutesBody,
  updateQueueBody,
} from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['queues'];

const handoffQueueSchema = z
  .object({
    queue: queueSchema,
    usedByActiveFlow: z.boolean().describe('false when the active flow names the queues it hands off to'),
  })
  .meta({ title: 'HandoffQueue' });

/** Queues: every agent sees them (to transfer); admins set them up; supervisors see every queue's figures. */
export function queueRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/queues',
    {
      schema: { tags, summary: 'List queues', response: { 200: z.object({ queues: z.array(queueSchema) }) } },
      config: { role: 'agent' },
    },
    async () => ({ queues: await center.queues.list() }),
  );

  app.get(
    '/queues/stats',
    {
      schema: {
        tags,
        summary: 'Waiting count and longest wait per queue (agents: the queues they can take)',
        response: { 200: z.object({ queues: z.array(queueStatsSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const stats = await center.router.queueStats();
      if (isSupervisor(principal)) return { queues: stats };
      const queues = await center.queues.list();
      const mine = new Set(
        queues.filter((q) => q.skills.every((s) => principal.agent.skills.includes(s))).map((q) => q.id),
      );
      return { queues: stats.filter((s) => mine.has(s.queueId)) };
    },
  );

  app.post(
    '/queues',
    {
      schema: { tags, summary: 'Create a queue', body: createQueueBody, response: { 201: queueSchema } },
      config: { role: 'admin' },
    },
    async (request, reply) => reply.code(201).send(await center.queues.create(stripUndefined(request.body))),
  );

  app.get(
    '/routing/handoff-queue',
    {
      schema: {
        tags,
        summary: 'The queue hand-offs go to (the default flow, and flows whose send-to-queue names none)',
        response: { 200: handoffQueueSchema },
      },
      config: { role: 'agent' },
    },
    async () => center.queues.handoffQueue(),
  );

  app.put(
    '/routing/handoff-queue',
    {
      schema: {
        tags,
        summary: 'Choose the queue hand-offs go to, without editing a flow',
        body: z.strictObject({ queueId: idSchema }),
        response: { 200: handoffQueueSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.queues.setHandoffQueue(request.body.queueId),
  );

  app.get(
    '/routing/role-routes',
    {
      schema: {
        tags,
        summary: 'Community roles (Discord) mapped to a queue, a priority and a skill, first match first',
        response: { 200: z.object({ routes: z.array(roleRouteSchema) }) },
      },
      config: { role: 'supervisor' },
    },
    async () => ({ routes: await center.roleRoutes.list() }),
  );

  app.put(
    '/routing/role-routes',
    {
      schema: {
        tags,
        summary:
          'Replace the role routes: a hand-off of a member with the role goes to the queue (when the flow names none) with at least the priority, offered only to agents with the skill',
        body: roleRoutesBody,
        response: { 200: z.object({ routes: z.array(roleRouteSchema) }) },
      },
      config: { role: 'admin' },
    },
    async (request) => ({ routes: await center.roleRoutes.replace(request.body.routes) }),
  );

  app.get(
    '/queues/:id',
    {
      schema: {
        tags,
        summary: 'Get a queue (by id or name)',
        params: idParams,
        response: { 200: queueSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.queues.get(request.params.id),
  );

  app.patch(
    '/queues/:id',
    {
      schema: {
        tags,
        summary: 'Rename a queue, change its skills or whether members are sent the transcript',
        params: idParams,
        body: updateQueueBody,
        response: { 200: queueSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.queues.update(request.params.id, stripUndefined(request.body)),
  );

  app.delete(
    '/queues/:id',
    {
      schema: {
        tags,
        summary: 'Delete a queue with no open conversations',
        params: idParams,
        response: { 204: z.null() },
      },
      config: { role: 'admin' },
    },
    async (request, reply) => {
      await center.queues.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
