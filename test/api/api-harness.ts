import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Agent, AgentRole } from '../../src/core/model.ts';
import { type BuildAppOptions, buildApp } from '../../src/http/app.ts';
import type { HttpConfig } from '../../src/http/http-config.ts';
import { createTestCenter, TEST_PASSWORD, type TestCenter } from '../support/test-center.ts';

export { TEST_PASSWORD };

/** A signed-in caller: its cookie (or token) and a `fetch` that sends it. */
export interface Caller {
  agent: Agent;
  cookie: string;
  /** JSON request with the session cookie and the CSRF header (as the desktop sends). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export interface Api {
  base: string;
  app: FastifyInstance;
  tc: TestCenter;
  /** Plain fetch against the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** JSON request without credentials. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Creates an agent with this role and signs in. */
  signIn(
    email: string,
    role?: AgentRole,
    extra?: { skills?: string[]; presence?: 'available' },
  ): Promise<Caller>;
  close(): Promise<void>;
}

/** The real HTTP server on 127.0.0.1 over a whole test contact center (in-memory SQLite). */
export async function startApi(
  options: { config?: Partial<HttpConfig>; build?: Partial<Omit<BuildAppOptions, 'center'>> } = {},
): Promise<Api> {
  const tc = await createTestCenter();
  const app = buildApp({
    center: tc.center,
    // Unexpected failures (500s) show up in the test output; nothing else is logged.
    logger: pino({ level: 'error' }),
    connectorsHealth: () => ({ test: tc.connector.health() }),
    ...options.build,
    config: { ...options.config },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const doFetch = (path: string, init?: RequestInit) => fetch(base + path, init);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    doFetch(path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    base,
    app,
    tc,
    fetch: doFetch,
    call,
    async signIn(email, role = 'agent', extra = {}) {
      const agent = await tc.agent(email, { role, ...extra });
      const res = await call('POST', '/api/v1/auth/login', { email, password: TEST_PASSWORD });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const cookie = sessionCookie(res);
      return {
        agent,
        cookie,
        call: (method, path, body, headers = {}) =>
          call(method, path, body, { cookie, 'x-switchboard-csrf': '1', ...headers }),
      };
    },
    async close() {
      await app.close();
      await tc.close();
    },
  };
}

/** `sb_session=…` from a sign-in response. */
export function sessionCookie(res: Response): string {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
  if (!header) throw new Error('no session cookie');
  return header.split(';')[0]!;
}
