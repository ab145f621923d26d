import { z } from 'zod';
import { principalOf } from '../auth/authentication.ts';
import { idParams, proposalListQuery, proposalSchema } from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['knowledge base'];

/**
 * The knowledge base learning from use: members' questions proposed as example questions of the
 * article that answered them; an agent approves (the search index learns the phrasing at once) or rejects.
 */
export function proposalRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/articles/proposals',
    {
      schema: {
        tags,
        summary: 'Proposed example questions, oldest first (default: pending ones)',
        querystring: proposalListQuery,
        response: { 200: z.object({ proposals: z.array(proposalSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const { status, articleId } = stripUndefined(request.query);
      return {
        proposals: await center.store.proposals.list({
          status: status ?? 'pending',
          ...(articleId ? { articleId } : {}),
        }),
      };
    },
  );

  app.post(
    '/articles/proposals/:id/approve',
    {
      schema: {
        tags,
        summary: "Add the proposed question to the article's example questions",
        params: idParams,
        response: { 200: proposalSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.learning.approve(request.params.id, principalOf(request).agent.id),
  );

  app.post(
    '/articles/proposals/:id/reject',
    {
      schema: {
        tags,
        summary: 'Decline the proposed question',
        params: idParams,
        response: { 200: proposalSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.learning.reject(request.params.id, principalOf(request).agent.id),
  );
}
