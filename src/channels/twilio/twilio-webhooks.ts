import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/error-handler.ts';
import { isSignedByTwilio } from './twilio-client.ts';

export interface TwilioWebhookOptions {
  authToken: string;
  /** `SWITCHBOARD_PUBLIC_URL`: Twilio signs the URL it called, which is the public one, not ours. */
  publicUrl: string;
  log: { warn(context: Record<string, unknown>, message: string): void };
}

export interface TwilioWebhookRoute {
  /** e.g. `/webhooks/twilio/messages`. */
  path: string;
  summary: string;
  /** Called only for a request whose signature holds, with its form parameters. */
  handle(params: Record<string, string>, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/**
 * Twilio's webhooks, each in a scope of its own that parses Twilio's form bodies: a request whose
 * `X-Twilio-Signature` does not match the public URL and its parameters gets 403 and reaches no handler.
 */
export function twilioWebhookRoutes(
  app: FastifyInstance,
  options: TwilioWebhookOptions,
  routes: TwilioWebhookRoute[],
): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    for (const route of routes) {
      scope.post(
        route.path,
        {
          schema: {
            tags: ['webhooks'],
            summary: `${route.summary} (Twilio webhook, form-encoded, signed with X-Twilio-Signature)`,
          },
          // Unauthenticated until the signature is checked: bounded like the other public endpoints.
          config: { role: 'public', rateLimit: { max: 600, timeWindow: 60_000 } },
        },
        async (request, reply) => {
          const params = formParams(request.body);
          const url = `${options.publicUrl}${request.url}`;
          const signature = request.headers['x-twilio-signature'];
          if (
            !isSignedByTwilio(
              options.authToken,
              typeof signature === 'string' ? signature : undefined,
              url,
              params,
            )
          ) {
            options.log.warn(
              { path: route.path, signed: typeof signature === 'string', from: request.ip },
              'Twilio webhook refused: X-Twilio-Signature does not match (check TWILIO_AUTH_TOKEN and SWITCHBOARD_PUBLIC_URL)',
            );
            throw new HttpError(
              403,
              'forbidden',
              'the X-Twilio-Signature header does not match this request',
            );
          }
          return route.handle(params, request, reply);
        },
      );
    }
  });
}

/** Form parameters as strings; anything else (no body, JSON) is an empty set, which no signature matches. */
function formParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}
