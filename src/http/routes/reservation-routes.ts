import { z } from 'zod';
import { forbidden } from '../../core/errors.ts';
import { isSupervisor, principalOf } from '../auth/authentication.ts';
import { conversationSchema, idParams, reservationListQuery, reservationSchema } from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['reservations'];

/** Offers of queued conversations: agents see and answer their own; supervisors see all. */
export function reservationRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/reservations',
    {
      schema: {
        tags,
        summary: 'List reservations, oldest first (agents: their own)',
        querystring: reservationListQuery,
        response: { 200: z.object({ reservations: z.array(reservationSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const filter = stripUndefined(request.query);
      if (!isSupervisor(principal)) {
        if (filter.agentId !== undefined && filter.agentId !== principal.agent.id) {
          throw forbidden("only supervisors see other agents' reservations");
        }
        filter.agentId = principal.agent.id;
      }
      return { reservations: await center.store.reservations.list(filter) };
    },
  );

  app.post(
    '/reservations/:id/accept',
    {
      schema: {
        tags,
        summary: 'Accept a reservation offered to you; returns the now assigned conversation',
        params: idParams,
        response: { 200: conversationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.router.accept(request.params.id, principalOf(request).agent.id),
  );

  app.post(
    '/reservations/:id/reject',
    {
      schema: {
        tags,
        summary: 'Decline a reservation offered to you; it moves on to the next agent',
        params: idParams,
        response: { 200: reservationSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.router.reject(request.params.id, principalOf(request).agent.id),
  );
}
