import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Identification, Principal } from '../../core/agents/access-service.ts';
import type { Agent, AgentRole } from '../../core/model.ts';
import { HttpError } from '../error-handler.ts';
import type { HttpCenter } from '../http-center.ts';
import { csrfHeaderName, type HttpConfig, sessionCookieName } from '../http-config.ts';

/** Who may call a route: `public` (anyone), or the least role that may. */
export type RouteRole = 'public' | AgentRole;

/** The signed-in agent of a request, and how they proved it (resolved by the core's AccessService). */
export type { Principal };

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: RouteRole;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const rank: Record<RouteRole, number> = { public: 0, agent: 1, supervisor: 2, admin: 3 };

export const hasRole = (agent: Pick<Agent, 'role'>, role: RouteRole): boolean =>
  rank[agent.role] >= rank[role];
export const isSupervisor = (principal: Principal): boolean => hasRole(principal.agent, 'supervisor');

/** The signed-in principal of a route that requires one (the role hook has already refused anonymous calls). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpError(401, 'unauthorized', 'sign in or send an API token');
  return request.principal;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthenticationOptions {
  center: HttpCenter;
  config: HttpConfig;
  /** URL prefixes of routes registered by plugins we do not control (API docs), which are public. */
  publicPrefixes: string[];
}

/**
 * Installs authentication and authorisation on the root instance. Must run before any route is declared:
 * a route that does not declare `config.role` is refused at startup, so nothing is open by omission.
 */
export function installAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  const { center, config, publicPrefixes } = options;
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.role) return;
    if (publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...route.config, role: 'public' };
      return;
    }
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    throw new Error(
      `route ${methods} ${route.url} declares no role: set config.role ('public', 'agent', ...)`,
    );
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    // Fail closed: a route that slipped past the startup check needs an admin.
    const role = request.routeOptions.config.role ?? 'admin';
    const outcome = await identify(request, center);
    if (outcome.kind === 'refused' && outcome.clear) void reply.clearCookie(sessionCookieName, { path: '/' });
    request.principal = outcome.kind === 'ok' ? outcome.principal : null;
    // A WebSocket handshake carries cookies cross-site too (cross-site WebSocket hijacking).
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (request.principal?.via === 'session' && (unsafeMethods.has(request.method) || upgrade)) {
      checkCsrf(request, config);
    }
    if (role === 'public') return;
    if (!request.principal) {
      const reason = 'reason' in outcome ? outcome.reason : 'sign in or send an API token';
      throw new HttpError(401, 'unauthorized', reason);
    }
    if (!hasRole(request.principal.agent, role)) {
      throw new HttpError(403, 'forbidden', `this needs the ${role} role`);
    }
  });
}

/** Whether a principal's session (unexpired) or API token, and their account, still stand; open WebSockets are checked with it. */
export const credentialStands = (center: HttpCenter, principal: Principal): Promise<boolean> =>
  center.access.stands(principal);

/** The bearer API token or the session cookie of a request, resolved by the core. */
async function identify(
  request: FastifyRequest,
  center: HttpCenter,
): Promise<Identification | { kind: 'none' }> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) return { kind: 'refused', reason: 'malformed Authorization header', clear: false };
    return center.access.identifyApiToken(token);
  }
  // Parsed here: this hook runs before the cookie plugin's own (it is installed before any plugin).
  const cookie = request.headers.cookie
    ? fastifyCookie.parse(request.headers.cookie)[sessionCookieName]
    : undefined;
  if (!cookie) return { kind: 'none' };
  return center.access.identifySession(cookie);
}

/**
 * A cookie rides along on cross-site requests; a custom header or a same-origin `Origin` does not.
 * A cross-site form cannot set the header, and a cross-site script would need a CORS preflight we never grant.
 */
function checkCsrf(request: FastifyRequest, config: HttpConfig): void {
  if (request.headers[csrfHeaderName] === '1') return;
  const origin = request.headers.origin;
  if (origin && origin !== 'null') {
    if (config.allowedOrigins.includes(origin)) return;
    try {
      if (new URL(origin).host === request.host) return;
    } catch {
      // An unparsable Origin is refused below.
    }
  }
  throw new HttpError(
    403,
    'csrf',
    `cross-site request refused: send the ${csrfHeaderName}: 1 header or a same-origin Origin header`,
  );
}
