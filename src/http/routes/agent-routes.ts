import { z } from 'zod';
import { publicAgent } from '../../core/agents/agent-service.ts';
import { forbidden } from '../../core/errors.ts';
import { hasRole, principalOf } from '../auth/authentication.ts';
import {
  agentListQuery,
  agentSchema,
  agentStatusBody,
  createAgentBody,
  idParams,
  presenceBody,
  updateAgentBody,
} from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['agents'];

/** Agents: everyone sees colleagues (to transfer to them); admins manage them; presence is one's own. */
export function agentRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/agents',
    {
      schema: {
        tags,
        summary: 'List agents (removed agents only with includeRemoved=true)',
        querystring: agentListQuery,
        response: { 200: z.object({ agents: z.array(agentSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const all = await center.agents.list();
      const includeRemoved = request.query.includeRemoved === 'true';
      return { agents: all.filter((a) => includeRemoved || a.status !== 'removed').map(publicAgent) };
    },
  );

  app.post(
    '/agents',
    {
      schema: { tags, summary: 'Create an agent', body: createAgentBody, response: { 201: agentSchema } },
      config: { role: 'admin' },
    },
    async (request, reply) =>
      reply.code(201).send(publicAgent(await center.agents.create(stripUndefined(request.body)))),
  );

  app.get(
    '/agents/:id',
    {
      schema: { tags, summary: 'Get an agent', params: idParams, response: { 200: agentSchema } },
      config: { role: 'agent' },
    },
    async (request) => publicAgent(await center.agents.get(request.params.id)),
  );

  app.patch(
    '/agents/:id',
    {
      schema: {
        tags,
        summary:
          "Change an agent: name, role, skills, capacity, password (a new password ends the agent's sessions and API tokens)",
        params: idParams,
        body: updateAgentBody,
        response: { 200: agentSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      // Keeps at least one admin able to undo mistakes: nobody demotes themself.
      if (id === principal.agent.id && request.body.role && request.body.role !== principal.agent.role) {
        throw forbidden('you cannot change your own role');
      }
      const { password, ...profile } = stripUndefined(request.body);
      if (password !== undefined) await center.access.setPassword(id, password);
      if (Object.keys(profile).length === 0) return publicAgent(await center.agents.get(id));
      return publicAgent(await center.agents.update(id, profile));
    },
  );

  app.put(
    '/agents/:id/status',
    {
      schema: {
        tags,
        summary:
          'Deactivate, reactivate or remove an agent (removal is soft: history keeps them); ends their sessions, API tokens and WebSockets',
        params: idParams,
        body: agentStatusBody,
        response: { 200: agentSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const principal = principalOf(request);
      const agent = await center.access.setStatus(principal, request.params.id, request.body.status);
      request.log.info(
        { agentId: agent.id, status: agent.status, by: principal.agent.id },
        'agent status changed',
      );
      return publicAgent(agent);
    },
  );

  app.put(
    '/agents/:id/presence',
    {
      schema: {
        tags,
        summary: 'Set presence (available, away, offline); agents set their own',
        params: idParams,
        body: presenceBody,
        response: { 200: agentSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      if (id !== principal.agent.id && !hasRole(principal.agent, 'supervisor')) {
        throw forbidden("only supervisors set other agents' presence");
      }
      return publicAgent(await center.agents.setPresence(id, request.body.presence));
    },
  );
}

/** Optional body fields arrive as absent, never `undefined`; this satisfies `exactOptionalPropertyTypes`. */
export function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
