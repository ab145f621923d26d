import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type DomainErrorKind } from '../core/errors.ts';
import { issuesOf, RequestValidationError } from './zod-type-provider.ts';

/** The one error body of the API. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An HTTP-level refusal that is not a domain rule (CSRF, rate limit, missing credentials). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Domain error kinds to HTTP status: the only place this mapping exists. */
export const statusOfKind: Record<DomainErrorKind, number> = {
  not_found: 404,
  invalid: 400,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  rate_limited: 429,
  unavailable: 503,
};

/** Fastify's own 4xx errors, named in the API's words. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid',
  FST_ERR_VALIDATION: 'invalid',
};

const codeOfStatus = (status: number): string =>
  ({
    400: 'invalid',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    414: 'uri_too_long',
    415: 'unsupported_media_type',
    429: 'rate_limited',
  })[status] ?? 'bad_request';

export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; log: boolean } {
  const reply = (status: number, code: string, message: string, details?: Record<string, unknown>) => ({
    status,
    body: { error: details ? { code, message, details } : { code, message } },
    log: false,
  });
  if (err instanceof DomainError) return reply(statusOfKind[err.kind], err.kind, err.message, err.details);
  if (err instanceof HttpError) return reply(err.statusCode, err.code, err.message, err.details);
  if (err instanceof RequestValidationError) {
    return reply(400, 'invalid', `invalid request: ${err.message}`, { issues: err.issues });
  }
  const fe = err as Partial<FastifyError> & { serialization?: unknown };
  // A handler that parsed input itself with zod; a response that failed its schema is our bug (500 below).
  if (err instanceof z.ZodError && fe.serialization === undefined) {
    const issues = issuesOf(err, 'body');
    return reply(
      400,
      'invalid',
      `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500 && fe.serialization === undefined) {
    if (err instanceof SyntaxError) return reply(400, 'invalid_json', `malformed JSON body: ${err.message}`);
    const code = (fe.code && fastifyCodes[fe.code]) ?? codeOfStatus(status);
    return reply(status, code, fe.message || 'bad request');
  }
  // Anything else is ours: log it, tell the caller nothing about the internals.
  return { ...reply(500, 'internal', 'internal server error'), log: true };
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, log } = toErrorResponse(err);
  if (log) {
    request.log.error({ err }, 'request failed');
    body.error.details = { requestId: request.id };
  } else if (status >= 400) {
    request.log.info({ status, code: body.error.code }, body.error.message);
  }
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0];
  void reply.code(404).send({
    error: { code: 'not_found', message: `no route ${request.method} ${path}` },
  } satisfies ErrorBody);
}
