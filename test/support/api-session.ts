import { expect } from 'vitest';

/** What an API call answered: the status and the JSON body (`{}` when empty). */
export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers of many shapes
  body: any;
}

/** A signed-in desktop session over HTTP: its cookie, and calls that carry it (and the CSRF header). */
export interface ApiSession {
  cookie: string;
  call(method: string, url: string, body?: unknown): Promise<ApiAnswer>;
}

/** Signs in at `base` (`http://127.0.0.1:…`) as a person of the desktop does; fails the test when refused. */
export async function signIn(base: string, email: string, password: string): Promise<ApiSession> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, `sign-in of ${email}`).toBe(200);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return {
    cookie,
    async call(method, url, body) {
      const response = await fetch(base + url, {
        method,
        headers: {
          cookie,
          'x-switchboard-csrf': '1',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
  };
}
