import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../src/http/auth/scrypt-password-hasher.ts';
import { type Api, sessionCookie, startApi, TEST_PASSWORD } from './api-harness.ts';

describe('ScryptPasswordHasher', () => {
  const hasher = new ScryptPasswordHasher({ cost: 1024 });
  it('verifies the password it hashed, salted, and nothing else', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{128}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify('correct horse battery', a)).toBe(true);
    expect(await hasher.verify('correct horse batterx', a)).toBe(false);
    expect(await hasher.verify('anything', 'not-a-hash')).toBe(false);
    expect(await hasher.verify('anything', 'scrypt$16384$8$1$00000000000000000000000000000000$00')).toBe(
      false,
    );
  });
});

describe('sign-in, sessions and API tokens', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => api.close());

  it('signs in with a session cookie and never returns the password hash', async () => {
    await api.tc.agent('ana@example.com');
    const res = await api.call('POST', '/api/v1/auth/login', {
      email: 'Ana@Example.com ',
      password: TEST_PASSWORD,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.agent.email).toBe('ana@example.com');
    expect(JSON.stringify(body)).not.toContain('passwordHash');
    expect(JSON.stringify(body)).not.toContain('scrypt');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i);
    // Only the token's hash is stored.
    const token = sessionCookie(res).split('=')[1]!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    const me = await api.call('GET', '/api/v1/auth/me', undefined, { cookie: sessionCookie(res) });
    expect(me.status).toBe(200);
    expect((await me.json()).agent.email).toBe('ana@example.com');
  });

  it('marks the cookie Secure when configured', async () => {
    const secure = await startApi({ config: { cookieSecure: true } });
    try {
      await secure.tc.agent('ana@example.com');
      const res = await secure.call('POST', '/api/v1/auth/login', {
        email: 'ana@example.com',
        password: TEST_PASSWORD,
      });
      expect(res.headers.getSetCookie().find((c) => c.startsWith('sb_session='))).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    await api.tc.agent('ana@example.com');
    const wrong = await api.call('POST', '/api/v1/auth/login', {
      email: 'ana@example.com',
      password: 'wrong password',
    });
    const unknown = await api.call('POST', '/api/v1/auth/login', {
      email: 'bob@example.com',
      password: TEST_PASSWORD,
    });
    const malformed = await api.call('POST', '/api/v1/auth/login', {
      email: 'not an email',
      password: TEST_PASSWORD,
    });
    for (const res of [wrong, unknown, malformed]) {
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(await res.json()).toEqual({
        error: { code: 'unauthorized', message: 'wrong email or password' },
      });
    }
    expect((await api.call('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('limits sign-in attempts per address and email with a 429', async () => {
    await api.tc.agent('ana@example.com');
    const attempt = (email: string, password = 'wrong password') =>
      api.call('POST', '/api/v1/auth/login', { email, password });
    for (let i = 0; i < 10; i++) expect((await attempt('ana@example.com')).status).toBe(401);
    const limited = await attempt('ana@example.com', TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await limited.json()).error.code).toBe('rate_limited');
    // Another account from the same address is not locked out by it.
    await api.tc.agent('bob@example.com');
    expect((await attempt('bob@example.com', TEST_PASSWORD)).status).toBe(200);
  });

  it('limits sign-in attempts per address too: one password tried across many accounts is slowed', async () => {
    const strict = await startApi({
      config: { loginRateLimit: { max: 10, maxPerAddress: 5, windowMs: 60_000 } },
    });
    try {
      await strict.tc.agent('victim@example.com');
      const attempt = (email: string, password: string) =>
        strict.call('POST', '/api/v1/auth/login', { email, password });
      // Five different accounts, one guess each: never more than one try per address and email.
      for (let i = 0; i < 5; i++)
        expect((await attempt(`user${i}@example.com`, 'Summer2026!')).status).toBe(401);
      const limited = await attempt('victim@example.com', TEST_PASSWORD);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited.json()).error).toMatchObject({ code: 'rate_limited' });
    } finally {
      await strict.close();
    }
  });

  it('signs out: the session no longer works', async () => {
    const ana = await api.signIn('ana@example.com');
    const out = await ana.call('POST', '/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/sb_session=;/);
    const me = await ana.call('GET', '/api/v1/auth/me');
    expect(me.status).toBe(401);
  });

  it('ends a session when it expires', async () => {
    const ana = await api.signIn('ana@example.com');
    api.tc.clock.advance(12 * 60 * 60 * 1000 + 1);
    const me = await ana.call('GET', '/api/v1/auth/me');
    expect(me.status).toBe(401);
    expect((await me.json()).error.message).toMatch(/expired/);
  });

  it('creates, uses, lists and revokes API tokens; the token is shown once and never stored', async () => {
    const ana = await api.signIn('ana@example.com');
    const created = await ana.call('POST', '/api/v1/auth/tokens', { name: 'ci' });
    expect(created.status).toBe(201);
    const { token, apiToken } = await created.json();
    expect(token).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toEqual({
      id: expect.any(String),
      name: 'ci',
      agentId: ana.agent.id,
      createdAt: expect.any(String),
      expiresAt: null,
    });
    const stored = await api.tc.store.apiTokens.listByAgent(ana.agent.id);
    expect(stored[0]!.tokenHash).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    const me = await api.call('GET', '/api/v1/auth/me', undefined, bearer);
    expect(await me.json()).toMatchObject({ agent: { id: ana.agent.id }, authenticatedBy: 'token' });
    // Bearer requests are not cross-site-forgeable: no CSRF header needed.
    const presence = await api.call(
      'PUT',
      `/api/v1/agents/${ana.agent.id}/presence`,
      { presence: 'away' },
      bearer,
    );
    expect(presence.status).toBe(200);
    // A token cannot mint more tokens.
    expect((await api.call('POST', '/api/v1/auth/tokens', { name: 'more' }, bearer)).status).toBe(403);

    const list = await ana.call('GET', '/api/v1/auth/tokens');
    const listed = await list.json();
    expect(listed.tokens).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain('tokenHash');

    expect((await ana.call('DELETE', `/api/v1/auth/tokens/${apiToken.id}`)).status).toBe(204);
    const after = await api.call('GET', '/api/v1/auth/me', undefined, bearer);
    expect(after.status).toBe(401);
    expect((await after.json()).error.message).toMatch(/revoked/);
  });

  it('refuses malformed and unknown bearer tokens', async () => {
    for (const authorization of ['Bearer nope', 'Basic YWJjOmRlZg==', `Bearer sb_${'x'.repeat(43)}`]) {
      const res = await api.call('GET', '/api/v1/agents', undefined, { authorization });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
  });

  it("keeps agents out of other agents' tokens; admins may revoke them", async () => {
    const ana = await api.signIn('ana@example.com');
    const bob = await api.signIn('bob@example.com');
    const admin = await api.signIn('root@example.com', 'admin');
    const { apiToken } = await (await ana.call('POST', '/api/v1/auth/tokens', { name: 'ana' })).json();
    expect((await bob.call('GET', `/api/v1/auth/tokens?agentId=${ana.agent.id}`)).status).toBe(403);
    expect((await bob.call('DELETE', `/api/v1/auth/tokens/${apiToken.id}`)).status).toBe(404);
    const seen = await (await admin.call('GET', `/api/v1/auth/tokens?agentId=${ana.agent.id}`)).json();
    expect(seen.tokens.map((t: { id: string }) => t.id)).toEqual([apiToken.id]);
    expect((await admin.call('DELETE', `/api/v1/auth/tokens/${apiToken.id}`)).status).toBe(204);
  });
});
