import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ADMIN_PASSWORD,
  AGENT_PASSWORD,
  eventually,
  launchBrowser,
  newPage,
  type RunningSwitchboard,
  signIn,
  startSwitchboard,
} from '../support/browser.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

/** A token of the right shape that the server never issued. */
const madeUpToken = () => `wct_${randomBytes(32).toString('base64url')}`;

/**
 * Issue 9 item 23, against a running server over real HTTP: visitor tokens are issued and known by the
 * server, messages are limited per visitor and per address, hand-offs from one address are capped, and
 * an admin can block a visitor from the desktop.
 */
describe('web chat: only visitors the server knows, and not too many hand-offs from one address', () => {
  let server: RunningSwitchboard;
  let browser: Browser;
  const visitors: WebchatVisitor[] = [];
  const visitor = async () => {
    const v = await WebchatVisitor.start(server.url);
    visitors.push(v);
    return v;
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startSwitchboard({ SWITCHBOARD_WEBCHAT_HANDOFFS_PER_HOUR: '2' }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const v of visitors) v.close();
    await browser?.close();
    await server?.stop();
  });

  it('refuses made-up tokens with a clear 401 and stores nothing about them', async () => {
    const forged = Array.from({ length: 30 }, () => WebchatVisitor.forged(server.url, madeUpToken()));
    const answers = await Promise.all(forged.map((v) => v.post('I want to talk to a human')));
    expect(answers.map((a) => a.status)).toEqual(forged.map(() => 401));
    expect((answers[0]!.body.error as { message: string }).message).toMatch(
      /unknown visitor token.*POST \/api\/v1\/webchat\/sessions/,
    );
    expect((await forged[0]!.history()).status).toBe(401);
    // The live connection refuses it too.
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/webchat/live`);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: madeUpToken() })));
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      socket.on('close', (c, r) => resolve([c, String(r)])),
    );
    expect([code, reason]).toEqual([4001, 'unknown visitor token']);

    const store = server.sb.center.store;
    expect(await store.conversations.list({ channel: 'webchat' })).toEqual([]);
    expect(await store.cases.list({})).toEqual([]);
    // A token the server issued works, and only its hash is stored.
    const real = await visitor();
    await real.send('hello');
    const stored = await store.webchatVisitors.get(real.visitorId);
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(real.token);
  });

  it('caps the chats from one address handed to a person per hour, even all at once', async () => {
    const six = await Promise.all(Array.from({ length: 6 }, () => visitor()));
    const answers = await Promise.all(six.map((v) => v.post('', { action: 'handoff' })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect((refused.body.error as { message: string }).message).toMatch(
      /too many chats from your address were handed to a person in the last hour/,
    );
    expect(await server.sb.center.store.cases.list({})).toHaveLength(2);
    // Those with a person can still write to them.
    const accepted = six.filter((_, i) => answers[i]!.status === 202);
    expect((await accepted[0]!.post('Are you there?')).status).toBe(202);
  });

  it('lets an admin block a visitor from the contact page; the visitor is told at once and refused', async () => {
    const store = server.sb.center.store;
    const [withPerson] = await eventually('a visitor with a person', async () => {
      const conversations = await store.conversations.list({ channel: 'webchat', state: 'queued' });
      return conversations.length > 0 ? conversations : undefined;
    });
    const visitorId = withPerson!.address.visitorId as string;
    const target = visitors.find((v) => v.visitorId === visitorId)!;

    // The visitor's own chat page, with the visitor's token, as the widget keeps it.
    const chat = await newPage(browser, { width: 420, height: 720 });
    await chat.context.addInitScript((token) => {
      localStorage.setItem('switchboard.webchat.token', token);
    }, target.token);
    await chat.page.goto(`${server.url}/chat`);
    await chat.page.locator('.status.on').waitFor();

    // Agents who are not admins cannot see or block visitors.
    await server.agent('ana@example.com');
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.com', password: AGENT_PASSWORD }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const asAna = await fetch(`${server.url}/api/v1/webchat/visitors/${visitorId}/block`, {
      method: 'PUT',
      headers: { cookie, 'x-switchboard-csrf': '1', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(asAna.status).toBe(403);

    const admin = await newPage(browser);
    await signIn(admin.page, server.url, 'admin@localhost', ADMIN_PASSWORD);
    await admin.page.goto(`${server.url}/contacts/${withPerson!.contactId}`);
    await admin.page.getByRole('button', { name: 'Block visitor' }).click();
    await admin.page.getByRole('button', { name: 'Unblock visitor' }).waitFor();

    // The visitor's chat says so at once, and the composer is closed.
    await chat.page.getByRole('alert').getByText('This chat has been closed by our team').waitFor();
    expect(await chat.page.getByLabel('Your message').isDisabled()).toBe(true);
    await eventually('the live connection ended', () => target.closedWith?.code === 4003);
    const refused = await target.post('let me in');
    expect(refused.status).toBe(403);
    expect((refused.body.error as { message: string }).message).toMatch(/closed by the team/);
    expect((await target.history()).blocked).toBe(true);
    expect((await store.webchatVisitors.get(visitorId))?.blockedAt).not.toBeNull();

    // Unblocked, the visitor may write again.
    await admin.page.getByRole('button', { name: 'Unblock visitor' }).click();
    await admin.page.getByRole('button', { name: 'Block visitor' }).waitFor();
    expect((await target.post('thank you')).status).toBe(202);
    for (const { watch } of [chat, admin]) expect(watch.errors).toEqual([]);
    await chat.context.close();
    await admin.context.close();
  }, 60_000);
});

describe('web chat: messages limited per visitor and per address', () => {
  let server: RunningSwitchboard;
  const visitors: WebchatVisitor[] = [];

  beforeAll(async () => {
    server = await startSwitchboard({
      SWITCHBOARD_WEBCHAT_MESSAGES_PER_MINUTE: '3',
      SWITCHBOARD_WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: '5',
    });
  }, 120_000);

  afterAll(async () => {
    for (const v of visitors) v.close();
    await server?.stop();
  });

  it('refuses a fast visitor, then every visitor from the same address, with a clear 429', async () => {
    const [x, y] = await Promise.all([WebchatVisitor.start(server.url), WebchatVisitor.start(server.url)]);
    visitors.push(x, y);
    const fromX = [];
    for (const text of ['one', 'two', 'three', 'four']) fromX.push(await x.post(text));
    expect(fromX.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    expect((fromX[3]!.body.error as { message: string }).message).toMatch(
      /too many messages from this visitor/,
    );
    // The address has sent 4 of its 5; another visitor from it gets one more.
    const fromY = [await y.post('five'), await y.post('six')];
    expect(fromY.map((a) => a.status)).toEqual([202, 429]);
    expect((fromY[1]!.body.error as { message: string }).message).toMatch(
      /too many messages from your address/,
    );
    const stored = await server.sb.center.store.conversations.list({ channel: 'webchat' });
    const texts = (
      await Promise.all(stored.map((c) => server.sb.center.store.messages.listByConversation(c.id)))
    )
      .flat()
      .filter((m) => m.authorKind === 'contact')
      .map((m) => m.text)
      .sort();
    expect(texts).toEqual(['five', 'one', 'three', 'two']);
  });
});
