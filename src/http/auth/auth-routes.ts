import { z } from 'zod';
import { publicAgent } from '../../core/agents/agent-service.ts';
import { DomainError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { ApiToken } from '../../core/model.ts';
import { HttpError } from '../error-handler.ts';
import { sessionCookieName } from '../http-config.ts';
import type { ApiInstance, RouteDeps } from '../routes/api-instance.ts';
import {
  agentSchema,
  apiTokenSchema,
  createTokenBody,
  idParams,
  loginBody,
  timestamp,
  tokenListQuery,
} from '../schemas.ts';
import { hasRole, principalOf } from './authentication.ts';
import { hashToken, newApiToken, newSessionToken } from './tokens.ts';

const publicToken = ({ tokenHash: _hidden, ...token }: ApiToken) => token;

/** Sign-in with a session cookie for the desktop; API tokens for integrations. */
export function authRoutes(app: ApiInstance, { center, config, realtime }: RouteDeps): void {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the sb_session cookie',
        body: loginBody,
        response: { 200: z.object({ agent: agentSchema, expiresAt: timestamp }) },
      },
      config: {
        role: 'public',
        rateLimit: {
          max: config.loginRateLimit.max,
          timeWindow: config.loginRateLimit.windowMs,
          // After parsing, so that the key includes the email: one address cannot lock out a whole office.
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
      let agent: Awaited<ReturnType<typeof center.agents.authenticate>>;
      try {
        agent = await center.agents.authenticate(email, password);
      } catch (err) {
        // A malformed email is just a failed sign-in: the same answer as a wrong password.
        if (!(err instanceof DomainError && err.kind === 'invalid')) throw err;
      }
      if (!agent) throw new HttpError(401, 'unauthorized', 'wrong email or password');
      const previous = request.principal;
      if (previous?.via === 'session') await center.store.sessions.delete(previous.credentialId);
      const token = newSessionToken();
      const now = center.clock.now();
      const expiresAt = new Date(now.getTime() + config.sessionTtlMs).toISOString();
      await center.store.sessions.create({
        id: newId(),
        tokenHash: hashToken(token),
        agentId: agent.id,
        expiresAt,
        createdAt: now.toISOString(),
      });
      void reply.setCookie(sessionCookieName, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        path: '/',
        maxAge: Math.floor(config.sessionTtlMs / 1000),
      });
      request.log.info({ agentId: agent.id }, 'agent signed in');
      return { agent: publicAgent(agent), expiresAt };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Sign out; ends the session', response: { 204: z.null() } },
      config: { role: 'public' },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.via === 'session') {
        await center.store.sessions.delete(principal.credentialId);
        realtime.closeCredential(principal.credentialId);
      }
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
        response: { 200: z.object({ agent: agentSchema, authenticatedBy: z.enum(['session', 'token']) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      return { agent: publicAgent(principal.agent), authenticatedBy: principal.via };
    },
  );

  app.post(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for yourself; the token is shown only in this response',
        body: createTokenBody,
        response: { 201: z.object({ token: z.string(), apiToken: apiTokenSchema }) },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // A leaked token must not be able to mint more: tokens come from a signed-in desktop session.
      if (principal.via !== 'session')
        throw new HttpError(403, 'forbidden', 'API tokens are created from a signed-in session');
      const token = newApiToken();
      const apiToken: ApiToken = {
        id: newId(),
        name: request.body.name,
        tokenHash: hashToken(token),
        agentId: principal.agent.id,
        createdAt: center.clock.now().toISOString(),
      };
      await center.store.apiTokens.create(apiToken);
      return reply.code(201).send({ token, apiToken: publicToken(apiToken) });
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
      return { tokens: (await center.store.apiTokens.listByAgent(agentId)).map(publicToken) };
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
      let found = (await center.store.apiTokens.listByAgent(principal.agent.id)).find((t) => t.id === id);
      if (!found && hasRole(principal.agent, 'admin')) {
        for (const agent of await center.store.agents.list()) {
          found = (await center.store.apiTokens.listByAgent(agent.id)).find((t) => t.id === id);
          if (found) break;
        }
      }
      if (!found) throw new DomainError('not_found', `API token ${id} not found`);
      await center.store.apiTokens.delete(found.id);
      realtime.closeCredential(found.id);
      return reply.code(204).send(null);
    },
  );
}
