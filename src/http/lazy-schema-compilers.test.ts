import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-schema-compilers.ts';

/** A route with JSON schemas for its parameters, query, body and response, on a server of its own. */
async function server(compilersFactory?: ReturnType<typeof lazySchemaCompilers>) {
  const app = Fastify({
    logger: false,
    ...(compilersFactory ? { schemaController: { compilersFactory } } : {}),
  });
  app.post(
    '/items/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        querystring: { type: 'object', properties: { notify: { type: 'boolean', default: false } } },
        body: {
          type: 'object',
          properties: { title: { type: 'string', minLength: 1 } },
          required: ['title'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'integer' }, title: { type: 'string' }, notify: { type: 'boolean' } },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: number };
      const { notify } = request.query as { notify: boolean };
      const { title } = request.body as { title: string };
      return { id, title, notify, secret: 'not in the schema' };
    },
  );
  await app.ready();
  return app;
}

async function answers(app: Awaited<ReturnType<typeof server>>) {
  const calls = [
    { url: '/items/7', payload: { title: 'First' } },
    { url: '/items/7?notify=true', payload: { title: 'Second' } },
    { url: '/items/seven', payload: { title: 'Third' } },
    { url: '/items/7', payload: { title: '' } },
    { url: '/items/7', payload: { name: 'No title' } },
    { url: '/items/7', payload: { title: 'Extra', extra: 1 } },
  ];
  const out: { status: number; body: unknown }[] = [];
  for (const call of calls) {
    const reply = await app.inject({ method: 'POST', ...call });
    out.push({ status: reply.statusCode, body: reply.json() });
  }
  return out;
}

describe('JSON schemas compiled on a route’s first request', () => {
  it('validate, coerce, default and serialise as the compilers Fastify builds at start-up do', async () => {
    const eager = await server();
    const lazy = await server(lazySchemaCompilers());
    try {
      const expected = await answers(eager);
      const got = await answers(lazy);
      expect(got).toEqual(expected);
      // What they are, so that the comparison is not between two equal failures.
      expect(got[0]).toEqual({ status: 200, body: { id: 7, title: 'First', notify: false } });
      expect(got[1]).toEqual({ status: 200, body: { id: 7, title: 'Second', notify: true } });
      expect(got[2]).toMatchObject({ status: 400, body: { message: 'params/id must be integer' } });
      expect(got[3]).toMatchObject({
        status: 400,
        body: { message: 'body/title must NOT have fewer than 1 characters' },
      });
      expect(got[4]).toMatchObject({
        status: 400,
        body: { message: "body must have required property 'title'" },
      });
      // Fastify's Ajv removes what a schema with `additionalProperties: false` does not declare.
      expect(got[5]).toEqual({ status: 200, body: { id: 7, title: 'Extra', notify: false } });
    } finally {
      await eager.close();
      await lazy.close();
    }
  });

  it('answer the same on later requests, from the schema compiled on the first', async () => {
    const app = await server(lazySchemaCompilers());
    try {
      const first = await answers(app);
      expect(await answers(app)).toEqual(first);
    } finally {
      await app.close();
    }
  });
});
