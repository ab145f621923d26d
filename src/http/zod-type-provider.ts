import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';

/**
 * Zod schemas as Fastify route schemas: one schema gives the handler's types, the request
 * validation and the OpenAPI document. A small local equivalent of `fastify-type-provider-zod`.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

export const isZodSchema = (value: unknown): value is z.ZodType => value instanceof z.ZodType;

export interface ValidationIssue {
  /** Where the problem is, e.g. `body.skills.0` or `querystring.limit`. */
  path: string;
  message: string;
}

/** A request part that failed its schema; the error handler turns it into a 400 naming the fields. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(
    readonly part: string,
    readonly issues: ValidationIssue[],
  ) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

const partNames: Record<string, string> = {
  querystring: 'query',
  body: 'body',
  params: 'params',
  headers: 'headers',
};

export function issuesOf(error: z.ZodError, part: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [partNames[part] ?? part, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
  }));
}

export const zodValidatorCompiler: FastifySchemaCompiler<unknown> =
  ({ schema, httpPart }) =>
  (data) => {
    if (!isZodSchema(schema)) return { value: data };
    // Fastify hands a missing body over as null; to a schema it is simply absent.
    const result = schema.safeParse(data === null ? undefined : data);
    if (result.success) return { value: result.data };
    return {
      error: new RequestValidationError(httpPart ?? 'body', issuesOf(result.error, httpPart ?? 'body')),
    };
  };

/**
 * Responses go through their schema, which drops fields it does not declare (e.g. `passwordHash`):
 * a second guard beside the explicit projections in the handlers.
 */
export const zodSerializerCompiler: FastifySerializerCompiler<unknown> =
  ({ schema }) =>
  (data) =>
    JSON.stringify(isZodSchema(schema) ? schema.parse(data) : data);

const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });

/**
 * `@fastify/swagger` transform: zod route schemas become JSON schemas (plain JSON schemas pass through),
 * and every route documents the one error body.
 */
export function zodSwaggerTransform(errorBody: z.ZodType) {
  const errorJson = { description: 'Error', ...toJsonSchema(errorBody, 'output') };
  return ({
    schema,
    url,
  }: {
    schema: unknown;
    url: string;
  }): { schema: Record<string, unknown>; url: string } => {
    if (!schema || typeof schema !== 'object') return { schema: {}, url };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      out[key] = isZodSchema(value) ? toJsonSchema(value, 'input') : value;
    }
    const response = (schema as { response?: Record<string, unknown> }).response ?? {};
    out.response = {
      ...Object.fromEntries(
        Object.entries(response).map(([code, s]) => [code, isZodSchema(s) ? toJsonSchema(s, 'output') : s]),
      ),
      '4xx': errorJson,
    };
    return { schema: out, url };
  };
}
