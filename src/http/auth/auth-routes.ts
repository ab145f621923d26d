import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SignedIn } from '../../core/agents/access-service.ts';
import { publicAgent } from '../../core/agents/agent-service.ts';
import { DomainError } from '../../core/errors.ts';
import type { ApiToken } from '../../core/model.ts';
import { HttpError } from '../error-handler.ts';
import { type HttpConfig, sessionCookieName } from '../http-config.ts';
import type { ApiInstance, RouteDeps } from '../routes/api-instance.ts';
import {
  agentSchema,
  apiTokenSchema,
  changePasswordBody,
  createTokenBody,
  idParams,
  loginBody,
  timestamp,
  tokenListQuery,
} from '../schemas.ts';
import { hasRole, principalOf } from './authentication.ts';
import { LoginThrottle } from './login-throttle.ts';

const publicToken = ({ tokenHash: _hidden, ...token }: ApiToken) => token;

function setSessionCookie(reply: FastifyReply, config: HttpConfig, signedIn: SignedIn): void {
  void reply.setCookie(sessionCookieName, signedIn.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    path: '/',
    maxAge: Math.floor(config.sessionTtlMs / 1000),
  });
}

/** Sign-in with a session cookie for the desktop; API tokens for integrations. The AccessService does the work. */
export function authRoutes(app: ApiInstance, { center, config }: RouteDeps): void {
  // Per client address, whatever the email: one password tried across many accounts is slowed too.
  const perAddress = new LoginThrottle(config.loginRateLimit.maxPerAddress, config.loginRateLimit.windowMs);
  const throttleAddress = async (request: FastifyRequest, reply: FastifyReply) => {
    const waitMs = perAddress.hit(request.ip);
    if (waitMs === 0) return;
    const seconds = Math.ceil(waitMs / 1000);
    request.log.warn({ ip: request.ip }, 'sign-in attempts from this address throttled');
    void reply.header('retry-after', String(seconds));
    throw new HttpError(429, 'rate_limited', `too many sign-in attempts; try again in ${seconds} seconds`);
  };

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the sb_session cookie',
        body: loginBody,
        response: { 200: z.object({ agent: agentSchema, expiresAt: timestamp }) },
      },
      // Per address (any email), checked before the body is even read…
      onRequest: throttleAddress,
      config: {
        role: 'public',
        rateLimit: {
          max: config.loginRateLimit.max,
          timeWindow: config.loginRateLimit.windowMs,
          // …and per address and email after parsing: one address cannot lock out a whole office.
          hook: 'preHandler',
          keyGenerator: (request) => {
            const email = (request.body as { email?: unknown } | undefined)?.email;
            return `${request.ip}|${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
          },
        },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const previous = request.principal;
      const signedIn = await center.access.signIn(email, password, {
        ttlMs: config.sessionTtlMs,
        ...(previous?.via === 'session' ? { replacing: previous.credentialId } : {}),
      });
      setSessionCookie(reply, config, signedIn);
      request.log.info({ agentId: signedIn.agent.id }, 'agent signed in');
      return { agent: publicAgent(signedIn.agent), expiresAt: signedIn.session.expiresAt };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Sign out; ends the session', response: { 204: z.null() } },
      config: { role: 'public' },
    },
    async (request, reply) => {
      if (request.principal) await center.access.signOut(request.principal);
      void reply.clearCookie(sessionCookieName, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in agent',
        response: {
          200: z.object({
            agent: agentSchema,
            authenticatedBy: z.enum(['session', 'token']),
            signedInAt: timestamp,
          }),
        },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        agent: publicAgent(principal.agent),
        authenticatedBy: principal.via,
        signedInAt: principal.signedInAt,
      };
    },
  );

  app.put(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password; every session and API token of yours ends, and this session is renewed',
        body: changePasswordBody,
        response: { 200: z.object({ agent: agentSchema, expiresAt: timestamp }) },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const signedIn = await center.access.changePassword(
        principalOf(request),
        request.body.currentPassword,
        request.body.password,
      );
      setSessionCookie(reply, config, signedIn);
      request.log.info({ agentId: signedIn.agent.id }, 'agent changed their password; other sign-ins ended');
      return { agent: publicAgent(signedIn.agent), expiresAt: signedIn.session.expiresAt };
    },
  );

  app.post(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Create an API token for yourself (from a session signed in within the last 10 minutes); the token is shown only in this response',
        body: createTokenBody,
        response: { 201: z.object({ token: z.string(), apiToken: apiTokenSchema }) },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const { name, expiresInDays } = request.body;
      const minted = await center.access.mintToken(principalOf(request), {
        name,
        expiresInDays: expiresInDays ?? null,
      });
      return reply.code(201).send({ token: minted.token, apiToken: publicToken(minted.apiToken) });
    },
  );

  app.get(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: "Your API tokens (admins: another agent's with ?agentId=)",
        querystring: tokenListQuery,
        response: { 200: z.object({ tokens: z.array(apiTokenSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const agentId = request.query.agentId ?? principal.agent.id;
      if (agentId !== principal.agent.id && !hasRole(principal.agent, 'admin')) {
        throw new HttpError(403, 'forbidden', "only admins see other agents' API tokens");
      }
      return { tokens: (await center.access.listTokens(agentId)).map(publicToken) };
    },
  );

  app.delete(
    '/auth/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API token (yours; admins: anyone’s)',
        params: idParams,
        response: { 204: z.null() },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const token = await center.access.getToken(id).catch((err: unknown) => {
        if (err instanceof DomainError && err.kind === 'not_found') return undefined;
        throw err;
      });
      // Someone else's token is "not found" to an agent: its existence is not theirs to know.
      if (!token || (token.agentId !== principal.agent.id && !hasRole(principal.agent, 'admin')))
        throw new DomainError('not_found', `API token ${id} not found`);
      await center.access.revokeToken(token.id);
      return reply.code(204).send(null);
    },
  );
}
