import type { FastifyInstance } from 'fastify';
import type { DiscordConnector } from './discord-connector.ts';

const tags = ['discord'];

/**
 * `GET /api/v1/discord/servers`: the servers the bot is in, for the desktop's server list and its filters by
 * server. Every signed-in agent may read it (they filter their inbox by server); an empty list without the
 * Discord channel.
 */
export function discordServerRoutes(app: FastifyInstance, connector: DiscordConnector | null): void {
  app.get(
    '/api/v1/discord/servers',
    {
      schema: {
        tags,
        summary: 'The Discord servers the bot is in: id, name, member count and whether /setup was run',
        response: {
          200: {
            type: 'object',
            properties: {
              servers: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    name: { type: 'string' },
                    memberCount: { type: ['integer', 'null'] },
                    setUp: { type: 'boolean' },
                  },
                  required: ['id', 'name', 'memberCount', 'setUp'],
                },
              },
            },
            required: ['servers'],
          },
        },
      },
      config: { role: 'agent' },
    },
    async () => ({ servers: connector ? await connector.serverDetails() : [] }),
  );
}
