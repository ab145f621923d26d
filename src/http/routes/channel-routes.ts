import { z } from 'zod';
import { channelHealthSchema } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

/** Channels and their connectors' health, for the admin page (operators also read `/healthz`). */
export function channelRoutes(app: ApiInstance, { connectorsHealth }: RouteDeps): void {
  app.get(
    '/channels',
    {
      schema: {
        tags: ['channels'],
        summary: "Each channel's connector state: connected, connecting, disabled or error, with the reason",
        querystring: z.strictObject({}),
        response: { 200: z.object({ channels: z.array(channelHealthSchema) }) },
      },
      config: { role: 'admin' },
    },
    async () => ({
      channels: Object.entries(connectorsHealth())
        .map(([channel, health]) => ({ channel, status: health.status, detail: health.detail }))
        .sort((a, b) => a.channel.localeCompare(b.channel)),
    }),
  );
}
