import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, type Caller, sessionCookie, startApi, TEST_PASSWORD } from './api-harness.ts';
import { connectRealtime } from './realtime-client.ts';

const NEW_PASSWORD = 'a brand new passphrase';

/**
 * Item: a password change, a deactivation or a removal ends the agent's sessions, WebSockets and API
 * tokens at once (over real HTTP and a real WebSocket; the heartbeat stays at its 30 s default, so a
 * socket that closes did so because its credential ended, not because a periodic check found it).
 */
describe('ending an agent’s access', () => {
  let api: Api;
  let admin: Caller;
  beforeEach(async () => {
    api = await startApi();
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterEach(async () => api.close());

  const signInAgain = (email: string, password = TEST_PASSWORD) =>
    api.call('POST', '/api/v1/auth/login', { email, password });

  /** A second desktop session, an API token, and a WebSocket for each. */
  async function everyCredentialOf(ana: Caller) {
    const laptop = sessionCookie(await signInAgain(ana.agent.email));
    const minted = await ana.call('POST', '/api/v1/auth/tokens', { name: 'ci' });
    expect(minted.status).toBe(201);
    const bearer = { authorization: `Bearer ${(await minted.json()).token}` };
    const sockets = [
      await connectRealtime(api.base, { cookie: ana.cookie }),
      await connectRealtime(api.base, { cookie: laptop }),
      await connectRealtime(api.base, bearer),
    ];
    for (const ws of sockets) await ws.waitFor((e) => e.type === 'hello', 'hello');
    return { laptop, bearer, sockets };
  }

  const me = (headers: Record<string, string>) => api.call('GET', '/api/v1/auth/me', undefined, headers);

  it('a password change ends every other session, token and socket; this desktop gets a fresh session', async () => {
    const ana = await api.signIn('ana@example.com');
    const { laptop, bearer, sockets } = await everyCredentialOf(ana);

    const wrong = await ana.call('PUT', '/api/v1/auth/password', {
      currentPassword: 'not my password',
      password: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect((await me(bearer)).status).toBe(200);

    const changed = await ana.call('PUT', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
    });
    expect(changed.status).toBe(200);
    const renewed = sessionCookie(changed);
    expect(renewed).not.toBe(ana.cookie);

    for (const ws of sockets) expect(await ws.closed).toMatchObject({ code: 4001 });
    expect((await me({ cookie: ana.cookie })).status).toBe(401);
    expect((await me({ cookie: laptop })).status).toBe(401);
    expect((await me(bearer)).status).toBe(401);
    expect((await api.tc.store.apiTokens.listByAgent(ana.agent.id)).length).toBe(0);
    // The desktop that changed it stays signed in, and its new socket works.
    expect((await me({ cookie: renewed })).status).toBe(200);
    const fresh = await connectRealtime(api.base, { cookie: renewed });
    await fresh.waitFor((e) => e.type === 'hello', 'hello');
    fresh.close();
    expect((await signInAgain('ana@example.com')).status).toBe(401);
    expect((await signInAgain('ana@example.com', NEW_PASSWORD)).status).toBe(200);
  });

  it('an admin setting a password ends the agent’s sessions, tokens and sockets', async () => {
    const ana = await api.signIn('ana@example.com');
    const { bearer, sockets } = await everyCredentialOf(ana);
    const reset = await admin.call('PATCH', `/api/v1/agents/${ana.agent.id}`, { password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    for (const ws of sockets) expect(await ws.closed).toMatchObject({ code: 4001 });
    expect((await me({ cookie: ana.cookie })).status).toBe(401);
    expect((await me(bearer)).status).toBe(401);
    // The admin's own session is untouched.
    expect((await admin.call('GET', '/api/v1/auth/me')).status).toBe(200);
  });

  it('deactivation ends everything, refuses sign-in and offers; reactivation lets the agent back in', async () => {
    const ana = await api.signIn('ana@example.com', 'agent', { presence: 'available' });
    const { bearer, sockets } = await everyCredentialOf(ana);
    expect(
      (await ana.call('PUT', `/api/v1/agents/${ana.agent.id}/status`, { status: 'deactivated' })).status,
    ).toBe(403);
    expect(
      (await admin.call('PUT', `/api/v1/agents/${admin.agent.id}/status`, { status: 'deactivated' })).status,
    ).toBe(403);

    const res = await admin.call('PUT', `/api/v1/agents/${ana.agent.id}/status`, { status: 'deactivated' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'deactivated', presence: 'offline' });
    for (const ws of sockets) expect(await ws.closed).toMatchObject({ code: 4001 });
    expect((await me({ cookie: ana.cookie })).status).toBe(401);
    expect((await me(bearer)).status).toBe(401);

    const refused = await signInAgain('ana@example.com');
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toMatch(/deactivated/);
    expect(refused.headers.getSetCookie()).toEqual([]);
    // Still listed (with the status) so that an admin can reactivate them.
    const listed = (await (await admin.call('GET', '/api/v1/agents')).json()).agents;
    expect(listed.find((a: { id: string }) => a.id === ana.agent.id)).toMatchObject({
      status: 'deactivated',
    });
    // Nobody can put a deactivated agent back on the phones without reactivating them.
    expect(
      (await admin.call('PUT', `/api/v1/agents/${ana.agent.id}/presence`, { presence: 'available' })).status,
    ).toBe(409);

    const back = await admin.call('PUT', `/api/v1/agents/${ana.agent.id}/status`, { status: 'active' });
    expect(back.status).toBe(200);
    expect((await signInAgain('ana@example.com')).status).toBe(200);
  });

  it('a deactivated agent is offered nothing, even when still marked available', async () => {
    const ana = await api.tc.agent('ana@example.com', { presence: 'available' });
    api.tc.clock.advance(60_000);
    const bob = await api.tc.agent('bob@example.com', { presence: 'available' });
    // Ana has waited longest, so she would be first; another instance's stale view leaves her available.
    await api.tc.store.agents.update({
      ...(await api.tc.store.agents.get(ana.id))!,
      status: 'deactivated',
    });
    await api.tc.connector.receive({ text: 'I want to talk to a human', from: 'member-1' });
    const offers = await api.tc.store.reservations.list({});
    expect(offers.map((r) => r.agentId)).toEqual([bob.id]);
  });

  it("deactivation withdraws the agent's pending offer and offers the conversation to someone who is there", async () => {
    const ana = await api.tc.agent('ana@example.com', { presence: 'available' });
    api.tc.clock.advance(60_000);
    await api.tc.connector.receive({ text: 'I want to talk to a human', from: 'member-2' });
    const [offer] = await api.tc.store.reservations.list({ agentId: ana.id, status: 'pending' });
    expect(offer).toBeDefined();
    const bob = await api.tc.agent('bob@example.com', { presence: 'available' });
    expect(
      (await admin.call('PUT', `/api/v1/agents/${ana.id}/status`, { status: 'deactivated' })).status,
    ).toBe(200);
    expect((await api.tc.store.reservations.get(offer!.id))?.status).toBe('canceled');
    const next = await api.tc.store.reservations.list({
      conversationId: offer!.conversationId,
      status: 'pending',
    });
    expect(next.map((r) => r.agentId)).toEqual([bob.id]);
  });

  it('removal is soft: no sign-in, left out of the list, still known by id with their history', async () => {
    const ana = await api.signIn('ana@example.com');
    const ws = await connectRealtime(api.base, { cookie: ana.cookie });
    const res = await admin.call('PUT', `/api/v1/agents/${ana.agent.id}/status`, { status: 'removed' });
    expect(res.status).toBe(200);
    expect(await ws.closed).toMatchObject({ code: 4001 });
    const refused = await signInAgain('ana@example.com');
    expect(refused.status).toBe(401);
    // A removed account answers like one that never existed.
    expect((await refused.json()).error.message).toBe('wrong email or password');
    const ids = (await (await admin.call('GET', '/api/v1/agents')).json()).agents.map(
      (a: { id: string }) => a.id,
    );
    expect(ids).not.toContain(ana.agent.id);
    const all = await (await admin.call('GET', '/api/v1/agents?includeRemoved=true')).json();
    expect(all.agents.map((a: { id: string }) => a.id)).toContain(ana.agent.id);
    const kept = await admin.call('GET', `/api/v1/agents/${ana.agent.id}`);
    expect(await kept.json()).toMatchObject({ name: 'ana', status: 'removed' });
  });
});

describe('API tokens: expiry, listing, revocation, recent sign-in', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => api.close());

  it('a token with an expiry stops working when it expires', async () => {
    const ana = await api.signIn('ana@example.com');
    const res = await ana.call('POST', '/api/v1/auth/tokens', { name: 'nightly', expiresInDays: 1 });
    expect(res.status).toBe(201);
    const { token, apiToken } = await res.json();
    expect(apiToken.expiresAt).toBe('2026-03-02T09:00:00.000Z');
    const bearer = { authorization: `Bearer ${token}` };
    expect((await ana.call('POST', '/api/v1/auth/tokens', { name: 'x', expiresInDays: 0 })).status).toBe(400);
    expect((await api.call('GET', '/api/v1/auth/me', undefined, bearer)).status).toBe(200);
    api.tc.clock.advance(24 * 60 * 60 * 1000);
    const expired = await api.call('GET', '/api/v1/auth/me', undefined, bearer);
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.message).toMatch(/expired/);
  });

  it('minting needs a sign-in from the last 10 minutes', async () => {
    const ana = await api.signIn('ana@example.com');
    api.tc.clock.advance(10 * 60 * 1000 + 1);
    const stale = await ana.call('POST', '/api/v1/auth/tokens', { name: 'ci' });
    expect(stale.status).toBe(403);
    expect((await stale.json()).error).toMatchObject({
      code: 'forbidden',
      details: { reason: 'reauthenticate' },
    });
    expect(await api.tc.store.apiTokens.listByAgent(ana.agent.id)).toEqual([]);
    // Signing in again (from the same desktop) makes it recent.
    const again = await ana.call('POST', '/api/v1/auth/login', {
      email: 'ana@example.com',
      password: TEST_PASSWORD,
    });
    const fresh = {
      cookie: sessionCookie(again),
      'x-switchboard-csrf': '1',
      'content-type': 'application/json',
    };
    const minted = await api.fetch('/api/v1/auth/tokens', {
      method: 'POST',
      headers: fresh,
      body: JSON.stringify({ name: 'ci' }),
    });
    expect(minted.status).toBe(201);
    // The replaced session ended.
    expect((await ana.call('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('revoking a token closes its open WebSocket at once', async () => {
    const ana = await api.signIn('ana@example.com');
    const { token, apiToken } = await (
      await ana.call('POST', '/api/v1/auth/tokens', { name: 'wall' })
    ).json();
    const ws = await connectRealtime(api.base, { authorization: `Bearer ${token}` });
    await ws.waitFor((e) => e.type === 'hello', 'hello');
    const listed = await (await ana.call('GET', '/api/v1/auth/tokens')).json();
    expect(listed.tokens).toEqual([
      expect.objectContaining({ id: apiToken.id, name: 'wall', expiresAt: null }),
    ]);
    expect((await ana.call('DELETE', `/api/v1/auth/tokens/${apiToken.id}`)).status).toBe(204);
    expect(await ws.closed).toMatchObject({ code: 4001 });
  });
});
