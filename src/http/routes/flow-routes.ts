import { z } from 'zod';
import { flowProblemSchema, flowSchema, saveFlowBody } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['flows'];

/** Flows: the routing program. Supervisors read them; admins change the active one. */
export function flowRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/flows',
    {
      schema: { tags, summary: 'List flows', response: { 200: z.object({ flows: z.array(flowSchema) }) } },
      config: { role: 'supervisor' },
    },
    async () => ({ flows: await center.flows.list() }),
  );

  app.get(
    '/flows/active',
    {
      schema: {
        tags,
        summary: 'The flow every message runs through (the built-in default until one is saved)',
        response: { 200: flowSchema },
      },
      config: { role: 'supervisor' },
    },
    async () => center.flows.getActive(),
  );

  app.post(
    '/flows/validate',
    {
      schema: {
        tags,
        summary: 'Check a flow definition without saving it',
        body: saveFlowBody,
        response: { 200: z.object({ valid: z.boolean(), problems: z.array(flowProblemSchema) }) },
      },
      config: { role: 'supervisor' },
    },
    async (request) => {
      const problems = center.flows.validate(request.body.definition);
      return { valid: problems.length === 0, problems };
    },
  );

  app.put(
    '/flows/active',
    {
      schema: {
        tags,
        summary:
          'Validate and save a flow as the active one; an invalid flow is refused with every problem listed',
        body: saveFlowBody,
        response: { 200: flowSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { name, definition } = request.body;
      return center.flows.saveActive({ ...(name !== undefined ? { name } : {}), definition });
    },
  );
}
