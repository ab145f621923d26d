import { z } from 'zod';
import {
  articleListQuery,
  articleSchema,
  articleSearchQuery,
  articleSearchResultSchema,
  createArticleBody,
  idParams,
  updateArticleBody,
} from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['knowledge base'];

/** Knowledge-base articles: agents read them (to link them in replies); supervisors and admins write them. */
export function articleRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/articles',
    {
      schema: {
        tags,
        summary: 'List articles',
        querystring: articleListQuery,
        response: { 200: z.object({ articles: z.array(articleSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => ({ articles: await center.articles.list(stripUndefined(request.query)) }),
  );

  app.get(
    '/articles/search',
    {
      schema: {
        tags,
        summary: 'Search the published articles as the virtual agent does, best first, with excerpts',
        querystring: articleSearchQuery,
        response: { 200: z.object({ results: z.array(articleSearchResultSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => ({ results: await center.articles.search(request.query.q, request.query.limit) }),
  );

  app.post(
    '/articles',
    {
      schema: {
        tags,
        summary: 'Create an article',
        body: createArticleBody,
        response: { 201: articleSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) =>
      reply.code(201).send(await center.articles.create(stripUndefined(request.body))),
  );

  app.get(
    '/articles/:id',
    {
      schema: { tags, summary: 'Get an article', params: idParams, response: { 200: articleSchema } },
      config: { role: 'agent' },
    },
    async (request) => center.articles.get(request.params.id),
  );

  app.patch(
    '/articles/:id',
    {
      schema: {
        tags,
        summary: 'Change an article',
        params: idParams,
        body: updateArticleBody,
        response: { 200: articleSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) => center.articles.update(request.params.id, stripUndefined(request.body)),
  );

  app.delete(
    '/articles/:id',
    {
      schema: { tags, summary: 'Delete an article', params: idParams, response: { 204: z.null() } },
      config: { role: 'supervisor' },
    },
    async (request, reply) => {
      await center.articles.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
