import { statsQuery, statsSchema } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

/** The supervisor's figures, computed on the server from every conversation in the window. */
export function statsRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/stats',
    {
      schema: {
        tags: ['supervision'],
        summary: 'Volume, first-response and resolution medians, CSAT, hourly volume, queues and agents',
        description:
          'Figures since `since` (default: the start of the current UTC day; at most 31 days ago). ' +
          'Volume counts conversations created in the window; first response is the median of ' +
          '`firstAgentReplyAt − queuedAt` (or `assignedAt` when handed to an agent directly) for ' +
          'conversations first answered in the window; resolution is the median of `closedAt − createdAt` ' +
          'for conversations an agent handled and closed in the window; CSAT averages the ratings given ' +
          'in the window. Hourly buckets start at `since`, so a desktop that sends its local midnight ' +
          'gets its local hours.',
        querystring: statsQuery,
        response: { 200: statsSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) => center.stats.figures(request.query.since, request.query.server),
  );
}
