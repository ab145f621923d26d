import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  type AnnouncementService,
  composeSchema,
  linkCasesSchema,
  sourceInputSchema,
  sourcePatchSchema,
  WebhookAuthError,
} from '../../announcements/announcement-service.ts';
import type { AnnouncementSource } from '../../core/announcements/announcement.ts';
import { HttpError } from '../error-handler.ts';

const tags = ['announcements'];
const webhookResponse = {
  type: 'object',
  properties: { id: { type: 'string' }, status: { type: 'string' }, duplicate: { type: 'boolean' } },
} as const;
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id'],
} as const;

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new HttpError(
      400,
      'invalid',
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return result.data;
}

/** A source as listed: the webhook secret is shown once, on creation, never again; an X token never. */
const publicSource = ({ secret, ...source }: AnnouncementSource) => ({
  ...source,
  hasSecret: secret !== null,
});

/**
 * Announcements: admins manage sources and compose posts (`/api/v1/announcement-sources`,
 * `/api/v1/announcements/posts`); websites and status pages push through the signed webhook
 * `POST /api/v1/announcements`. Declared through `registerRoutes`, so the webhook can read its raw body.
 */
export function announcementRoutes(app: FastifyInstance, service: AnnouncementService): void {
  // The webhook: its own scope, whose JSON parser keeps the raw text the signature is computed over.
  void app.register(async (hook) => {
    hook.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, done) => done(null, body),
    );
    hook.post(
      '/api/v1/announcements',
      {
        schema: {
          tags,
          summary:
            'Push an announcement (signed webhook). Headers: X-Switchboard-Source = the source id; ' +
            'X-Switchboard-Timestamp = Unix seconds; X-Switchboard-Signature = "sha256=" + hex ' +
            'HMAC-SHA256(source secret, "<timestamp>.<raw body>"). Timestamps more than 5 minutes away ' +
            'and replayed signatures get 401 and post nothing. Body: {"id"?, "title", "url"?, "summary"?, ' +
            '"imageUrl"?}; a repeated "id" is not posted again.',
          body: { type: 'string' },
          response: { 200: webhookResponse, 201: webhookResponse },
        },
        // Unauthenticated until the signature is checked: bounded like the other public endpoints.
        config: { role: 'public', rateLimit: { max: 120, timeWindow: 60_000 } },
      },
      async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        try {
          const { announcement, duplicate } = await service.receiveWebhook(request.headers, raw);
          return reply
            .code(duplicate ? 200 : 201)
            .send({ id: announcement.id, status: announcement.status, duplicate });
        } catch (error) {
          if (error instanceof WebhookAuthError) {
            request.log.warn({ reason: error.message }, 'announcement webhook refused');
            throw new HttpError(401, 'unauthorized', error.message);
          }
          throw error;
        }
      },
    );
  });

  const admin = { config: { role: 'admin' as const } };

  app.get(
    '/api/v1/announcement-sources',
    { ...admin, schema: { tags, summary: 'List announcement sources with their last error and next try' } },
    async () => ({ sources: (await service.listSources()).map(publicSource) }),
  );
  app.post(
    '/api/v1/announcement-sources',
    {
      ...admin,
      schema: {
        tags,
        summary:
          'Create a feed (RSS, Atom, JSON Feed), X or webhook source; a webhook secret is returned only here. ' +
          'An X source takes "account" (@handle or user id), "token" (the X app\'s bearer token, never returned), ' +
          '"includeReplies" and "includeReposts" (default false)',
      },
    },
    async (request, reply) => {
      const { source, secret } = await service.createSource(parse(sourceInputSchema, request.body));
      return reply.code(201).send({ source: publicSource(source), secret });
    },
  );
  app.get(
    '/api/v1/announcement-sources/:id',
    { ...admin, schema: { tags, summary: 'Get an announcement source', params: idParams } },
    async (request) => publicSource(await service.getSource((request.params as { id: string }).id)),
  );
  app.patch(
    '/api/v1/announcement-sources/:id',
    { ...admin, schema: { tags, summary: 'Change an announcement source', params: idParams } },
    async (request) =>
      publicSource(
        await service.updateSource(
          (request.params as { id: string }).id,
          parse(sourcePatchSchema, request.body) as Parameters<AnnouncementService['updateSource']>[1],
        ),
      ),
  );
  app.delete(
    '/api/v1/announcement-sources/:id',
    { ...admin, schema: { tags, summary: 'Delete an announcement source', params: idParams } },
    async (request, reply) => {
      await service.deleteSource((request.params as { id: string }).id);
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/v1/announcement-sources/:id/poll',
    { ...admin, schema: { tags, summary: 'Poll a feed or X source now', params: idParams } },
    async (request) => publicSource(await service.pollNow((request.params as { id: string }).id)),
  );

  app.get(
    '/api/v1/announcements/servers',
    { ...admin, schema: { tags, summary: 'The Discord servers the bot is in, to post announcements to' } },
    async () => ({ servers: await service.servers() }),
  );
  app.get(
    '/api/v1/announcements/posts',
    { ...admin, schema: { tags, summary: 'Recent and scheduled announcements with their status' } },
    async () => ({ announcements: await service.list() }),
  );
  app.post(
    '/api/v1/announcements/preview',
    { ...admin, schema: { tags, summary: 'The Discord message a composed announcement would be' } },
    async (request) => ({ message: service.preview(parse(composeSchema, request.body)) }),
  );
  app.post(
    '/api/v1/announcements/posts',
    {
      ...admin,
      schema: {
        tags,
        summary:
          'Compose an announcement: posted now, or at `scheduledAt` (exactly once); `cases` (numbers) ' +
          'makes it a release note that closes them when posted',
      },
    },
    async (request, reply) => reply.code(201).send(await service.compose(parse(composeSchema, request.body))),
  );
  app.put(
    '/api/v1/announcements/posts/:id/cases',
    {
      ...admin,
      schema: {
        tags,
        summary:
          'Link bug reports and feature requests (by number) to a scheduled announcement, a release note: ' +
          'when it is posted they become solved, their members get one DM with its link and their posts ' +
          'show "fixed in". Replaces the earlier links; 409 once it has gone out',
        params: idParams,
      },
    },
    async (request) =>
      service.linkCases((request.params as { id: string }).id, parse(linkCasesSchema, request.body).cases),
  );
  app.post(
    '/api/v1/announcements/posts/:id/cancel',
    { ...admin, schema: { tags, summary: 'Cancel a scheduled announcement', params: idParams } },
    async (request) => service.cancel((request.params as { id: string }).id),
  );
}
