import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaSignature } from '../../src/channels/messenger/messenger-webhook.ts';
import type { Agent } from '../../src/core/model.ts';
import { AGENT_PASSWORD, eventually, type RunningSwitchboard, startSwitchboard } from '../support/browser.ts';
import { type FakeUser, MessengerGraphFake } from '../support/messenger-graph-fake.ts';

const APP_SECRET = 'messenger-app-secret-0123456789';
const PAGE_TOKEN = 'EAAG-page-access-token-0123456789';
const VERIFY_TOKEN = 'verify-me-please';
const hourMs = 3_600_000;

interface World {
  graph: MessengerGraphFake;
  server: RunningSwitchboard;
  agent: Agent;
  /** The agent's desktop session: JSON calls with its cookie and the CSRF header. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  admin(method: string, path: string): Promise<Response>;
  close(): Promise<void>;
}

async function signIn(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        cookie,
        'x-switchboard-csrf': '1',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
}

async function startWorld(
  env: Record<string, string> = {},
  beforeStart: (graph: MessengerGraphFake) => void = () => {},
): Promise<World> {
  const graph = await MessengerGraphFake.start({ appSecret: APP_SECRET, pageAccessToken: PAGE_TOKEN });
  beforeStart(graph);
  const server = await startSwitchboard({
    MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
    MESSENGER_APP_SECRET: APP_SECRET,
    MESSENGER_VERIFY_TOKEN: VERIFY_TOKEN,
    MESSENGER_API_URL: graph.url,
    SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS: '1',
    ...env,
  });
  graph.webhookUrl = `${server.url}/webhooks/messenger`;
  const agent = await server.agent('ana@example.com', { name: 'Ana', capacity: 20 });
  const call = await signIn(server.url, 'ana@example.com', AGENT_PASSWORD);
  expect((await call('PUT', `/api/v1/agents/${agent.id}/presence`, { presence: 'available' })).status).toBe(
    200,
  );
  await server.agent('root@example.com', { role: 'admin' });
  const admin = await signIn(server.url, 'root@example.com', AGENT_PASSWORD);
  return {
    graph,
    server,
    agent,
    call,
    admin,
    async close() {
      await server.stop();
      await graph.close();
    },
  };
}

/** The member asks for a person; the agent accepts the offer in the desktop API. Returns the conversation id. */
async function handedToAgent(w: World, user: FakeUser, timestamp?: number): Promise<string> {
  const first = await w.graph.sendMessage(user.psid, 'My parcel never arrived', {
    ...(timestamp ? { timestamp } : {}),
  });
  expect(first.status).toBe(200);
  const tapped = await w.graph.tapQuickReply(user.psid, 'Talk to a person', 'handoff', timestamp);
  expect(tapped.status).toBe(200);
  const store = w.server.sb.center.store;
  const contact = await store.contacts.findByIdentity('messenger', user.psid);
  const [conversation] = await store.conversations.list({ contactId: contact!.id });
  const offer = await eventually('an offer to Ana', async () => {
    const res = await w.call('GET', `/api/v1/reservations?status=pending&agentId=${w.agent.id}`);
    const { reservations } = (await res.json()) as { reservations: { id: string; conversationId: string }[] };
    return reservations.find((r) => r.conversationId === conversation!.id);
  });
  const accepted = await w.call('POST', `/api/v1/reservations/${offer.id}/accept`);
  expect(accepted.status).toBe(200);
  return conversation!.id;
}

const channelHealth = async (w: World) => {
  const { channels } = (await (await w.admin('GET', '/api/v1/channels')).json()) as {
    channels: { channel: string; status: string; detail: string | null }[];
  };
  return channels.find((c) => c.channel === 'messenger');
};

describe('Facebook Messenger channel', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  }, 120_000);
  afterAll(() => w?.close());

  it('answers the webhook verification challenge with the verify token only', async () => {
    const verify = (query: string) => fetch(`${w.server.url}/webhooks/messenger?${query}`);
    const ok = await verify(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await verify('hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1');
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('1"');
    expect(
      (await verify(`hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status,
    ).toBe(403);
    expect((await verify('hub.challenge=1')).status).toBe(403);
  });

  it('member → virtual agent with quick replies → "Talk to a person" → case → agent reply through the Send API', async () => {
    const maria = w.graph.addUser('Maria', 'Lopez');
    const hello = await w.graph.sendMessage(maria.psid, 'Where is my order?');
    expect(hello.status).toBe(200);
    // The virtual agent answers within the standard window, its buttons as quick replies.
    const answer = await eventually('the bot answer', () =>
      w.graph.sentTo(maria.psid).find((call) => call.message.quick_replies?.length),
    );
    expect(answer.messaging_type).toBe('RESPONSE');
    expect(answer.message.quick_replies).toContainEqual({
      content_type: 'text',
      title: 'Talk to a person',
      payload: 'handoff',
    });
    const store = w.server.sb.center.store;
    const contact = await store.contacts.findByIdentity('messenger', maria.psid);
    expect(contact?.name).toBe('Maria Lopez');
    expect(contact?.avatarUrl).toBe(maria.profile_pic);

    // The member taps the quick reply: its payload is the hand-off.
    const tapped = await w.graph.tapQuickReply(maria.psid, 'Talk to a person', 'handoff');
    expect(tapped.status).toBe(200);
    const caseText = await eventually('the case number', () =>
      w.graph.textsTo(maria.psid).find((text) => /case #\d+/.test(text)),
    );
    const [conversation] = await store.conversations.list({ contactId: contact!.id });
    expect(conversation?.channel).toBe('messenger');
    expect(conversation?.caseId).not.toBeNull();
    const number = /case #(\d+)/.exec(caseText)?.[1];
    expect((await store.cases.get(conversation!.caseId!))?.number).toBe(Number(number));

    // Ana accepts the offer in the desktop API and answers.
    const offer = await eventually('an offer to Ana', async () => {
      const res = await w.call('GET', `/api/v1/reservations?status=pending&agentId=${w.agent.id}`);
      const { reservations } = (await res.json()) as {
        reservations: { id: string; conversationId: string }[];
      };
      return reservations.find((r) => r.conversationId === conversation!.id);
    });
    expect((await w.call('POST', `/api/v1/reservations/${offer.id}/accept`)).status).toBe(200);
    const reply = await w.call('POST', `/api/v1/conversations/${conversation!.id}/messages`, {
      text: 'Hello Maria, I am looking at your order now.',
    });
    expect(reply.status).toBe(201);
    const sent = await eventually('the agent reply on Messenger', () =>
      w.graph.sentTo(maria.psid).find((call) => call.message.text?.includes('looking at your order')),
    );
    expect(sent.message.text).toBe('Ana: Hello Maria, I am looking at your order now.');
    expect(sent.messaging_type).toBe('RESPONSE');
    expect(sent.tag).toBeNull();

    // The transcript holds the member's words (the quick reply as what they tapped).
    const transcript = await store.messages.listByConversation(conversation!.id);
    expect(transcript.filter((m) => m.authorKind === 'contact').map((m) => m.text)).toEqual([
      'Where is my order?',
      'Talk to a person',
    ]);
    // The profile was asked once for both messages; the token never travelled in a URL.
    expect(w.graph.profileCalls(maria.psid)).toBe(1);
    expect(w.graph.requests.every((r) => r.bearer && !r.tokenInUrl)).toBe(true);
  });

  it('takes postbacks as buttons and attachments as links of the member message', async () => {
    const pia = w.graph.addUser('Pia', 'Postback');
    expect((await w.graph.postback(pia.psid, 'Get started', 'start')).status).toBe(200);
    // The Get Started button greets (the flow's `start`), as the bot greets on Discord.
    await eventually('the greeting', () =>
      w.graph.textsTo(pia.psid).some((t) => t.startsWith('Hi! I can answer questions')),
    );
    const photo = 'https://cdn.example/photos/broken-box.jpg';
    const sent = await w.graph.sendMessage(pia.psid, '', {
      attachments: [{ type: 'image', payload: { url: photo } }],
    });
    expect(sent.status).toBe(200);
    const store = w.server.sb.center.store;
    const stored = await store.messages.findByExternalId('messenger', sent.mid);
    expect(stored?.attachments).toEqual([{ url: photo, name: 'broken-box.jpg', contentType: 'image/*' }]);
    // A button whose title says nothing of a person: its payload hands off.
    expect((await w.graph.postback(pia.psid, 'Yes please', 'handoff')).status).toBe(200);
    await eventually('the case number', () => w.graph.textsTo(pia.psid).find((t) => /case #\d+/.test(t)));
  });

  it('refuses forged, missing and other-body signatures with 403 and stores nothing', async () => {
    const eve = w.graph.addUser('Eve', 'Forger');
    const mid = 'm_forged_1';
    const body = w.graph.envelope([
      {
        sender: { id: eve.psid },
        recipient: { id: w.graph.pageId },
        timestamp: Date.now(),
        message: { mid, text: 'agent' },
      },
    ]);
    const forged = await w.graph.post(body, { signature: `sha256=${'ab'.repeat(32)}` });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('X-Hub-Signature-256');
    expect((await w.graph.post(body, { signature: null })).status).toBe(403);
    expect((await w.graph.post(body, { signature: 'sha1=abc' })).status).toBe(403);
    // Signed, but over another body.
    const other = await w.graph.post(JSON.stringify(body), {
      signature: metaSignature(APP_SECRET, JSON.stringify({ ...body, object: 'page ' })),
    });
    expect(other.status).toBe(403);
    const store = w.server.sb.center.store;
    expect(await store.messages.findByExternalId('messenger', mid)).toBeUndefined();
    expect(await store.contacts.findByIdentity('messenger', eve.psid)).toBeUndefined();
    expect(w.graph.profileCalls(eve.psid)).toBe(0);
  });

  it('answers a signed but malformed body with 400 and a message', async () => {
    const notJson = await w.graph.post('{"object": "page", ');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toContain('not JSON');
    const wrongObject = await w.graph.post({ object: 'instagram', entry: [] });
    expect(wrongObject.status).toBe(400);
    expect(wrongObject.body).toContain('object');
    const badEntry = await w.graph.post({ object: 'page', entry: [{ id: '1', messaging: [{ sender: 7 }] }] });
    expect(badEntry.status).toBe(400);
    expect(badEntry.body).toContain('entry.0.messaging.0.sender');
  });

  it('stores a redelivered mid once and answers it once; echoes and reads are ignored', async () => {
    const tom = w.graph.addUser('Tom', 'Twice');
    const first = await w.graph.sendMessage(tom.psid, 'How do I reset my password?', { mid: 'm_twice_1' });
    const again = await w.graph.sendMessage(tom.psid, 'How do I reset my password?', { mid: 'm_twice_1' });
    expect([first.status, again.status]).toEqual([200, 200]);
    const store = w.server.sb.center.store;
    const contact = await store.contacts.findByIdentity('messenger', tom.psid);
    const [conversation] = await store.conversations.list({ contactId: contact!.id });
    await eventually('the outbox drained', async () => {
      const items = await store.outbox.listByConversation(conversation!.id);
      return items.length > 0 && items.every((item) => item.status === 'sent');
    });
    const messages = await store.messages.listByConversation(conversation!.id);
    expect(messages.filter((m) => m.authorKind === 'contact')).toHaveLength(1);
    expect(messages.filter((m) => m.authorKind === 'bot')).toHaveLength(1);
    expect(w.graph.sentTo(tom.psid)).toHaveLength(1);

    // The page's own message coming back, and a read receipt: nothing stored.
    const echo = await w.graph.echo(tom.psid, 'echoed text');
    expect(echo.status).toBe(200);
    expect(await store.messages.findByExternalId('messenger', echo.mid)).toBeUndefined();
    expect(await store.contacts.findByIdentity('messenger', w.graph.pageId)).toBeUndefined();
    const read = await w.graph.post(
      w.graph.envelope([
        {
          sender: { id: tom.psid },
          recipient: { id: w.graph.pageId },
          timestamp: Date.now(),
          read: { watermark: Date.now() },
        },
      ]),
    );
    expect(read.status).toBe(200);
    expect(await store.messages.listByConversation(conversation!.id)).toHaveLength(messages.length);
  });

  it('takes the message when the profile call fails, and names the member once the profile answers', async () => {
    const nia = w.graph.addUser('Nia', 'Noprofile');
    w.graph.failNext('profile', 1, { status: 500 });
    expect((await w.graph.sendMessage(nia.psid, 'Hello?')).status).toBe(200);
    const store = w.server.sb.center.store;
    const contact = await store.contacts.findByIdentity('messenger', nia.psid);
    expect(contact?.name).toBe(`Messenger user ${nia.psid.slice(-4)}`);
    expect((await w.graph.sendMessage(nia.psid, 'Anyone there?')).status).toBe(200);
    expect((await store.contacts.findByIdentity('messenger', nia.psid))?.name).toBe('Nia Noprofile');
  });

  it("refuses an agent reply outside Messenger's 24-hour window, and sends it once the member writes again", async () => {
    const olga = w.graph.addUser('Olga', 'Late');
    const conversationId = await handedToAgent(w, olga, Date.now() - 25 * hourMs);
    const refused = await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Sorry for the wait!',
    });
    expect(refused.status).toBe(400);
    const { message } = ((await refused.json()) as { error: { message: string } }).error;
    expect(message).toContain('within 24 hours');
    expect(message).toContain('25 hours');
    const store = w.server.sb.center.store;
    const stored = await store.messages.listByConversation(conversationId);
    expect(stored.some((m) => m.text === 'Sorry for the wait!')).toBe(false);
    expect(w.graph.textsTo(olga.psid).some((t) => t.includes('Sorry for the wait'))).toBe(false);

    expect((await w.graph.sendMessage(olga.psid, 'Still waiting...')).status).toBe(200);
    const again = await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Sorry for the wait!',
    });
    expect(again.status).toBe(201);
    await eventually('the reply on Messenger', () =>
      w.graph.textsTo(olga.psid).includes('Ana: Sorry for the wait!'),
    );
  });

  it('Graph answering 190 (token revoked) and 5xx: the reason on the channels page, nothing lost, delivery resumes', async () => {
    const paul = w.graph.addUser('Paul', 'Patient');
    const conversationId = await handedToAgent(w, paul);
    expect(await channelHealth(w)).toEqual({
      channel: 'messenger',
      status: 'connected',
      detail: `page ${w.graph.pageName}`,
    });
    w.graph.tokenRevoked = true;
    const texts = ['First while the token is revoked', 'Second while the token is revoked'];
    for (const text of texts)
      expect(
        (await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text })).status,
      ).toBe(201);
    const failing = await eventually('the channels page shows the token refused', async () => {
      const health = await channelHealth(w);
      return health?.status === 'error' ? health : null;
    });
    expect(failing.detail).toContain('access token');
    expect(failing.detail).toContain('190');
    const store = w.server.sb.center.store;
    await eventually('the reason on the waiting message', async () =>
      (await store.outbox.listByConversation(conversationId)).some(
        (item) => item.status === 'pending' && item.lastError?.includes('190'),
      ),
    );
    w.graph.tokenRevoked = false;
    await eventually('both replies delivered', () =>
      texts.every((text) => w.graph.textsTo(paul.psid).includes(`Ana: ${text}`)),
    );
    expect(
      w.graph
        .textsTo(paul.psid)
        .filter((t) => t.includes('while the token is revoked'))
        .map((t) => t.replace('Ana: ', '')),
    ).toEqual(texts);
    await eventually(
      'the channel connected again',
      async () => (await channelHealth(w))?.status === 'connected',
    );

    // Meta down (5xx) for two calls: the reply arrives once.
    w.graph.failNext('send', 2, { status: 503 });
    const during = 'During the Meta outage';
    expect(
      (await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: during })).status,
    ).toBe(201);
    await eventually('the reply after the outage', () =>
      w.graph.textsTo(paul.psid).includes(`Ana: ${during}`),
    );
    await eventually('the outbox drained', async () =>
      (await store.outbox.listByConversation(conversationId)).every((item) => item.status === 'sent'),
    );
    expect(w.graph.textsTo(paul.psid).filter((t) => t === `Ana: ${during}`)).toHaveLength(1);
    expect(w.graph.requests.filter((r) => r.path === '/me/messages' && r.status === 503)).toHaveLength(2);
  });

  it('splits a long reply at 2,000 characters, and shows a blocked member as a failed delivery with the reason', async () => {
    const lena = w.graph.addUser('Lena', 'Long');
    const conversationId = await handedToAgent(w, lena);
    const text = Array.from({ length: 150 }, (_, i) => `Step ${i + 1} of the long answer.`).join('\n');
    expect((await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text })).status).toBe(
      201,
    );
    const parts = await eventually('every part', () => {
      const sent = w.graph.textsTo(lena.psid).filter((t) => t.includes('of the long answer.'));
      return sent.join('\n').includes('Step 150 of') ? sent : null;
    });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n').replace('Ana: ', '')).toBe(text);

    w.graph.blockPage(lena.psid);
    expect(
      (await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'Are you there?' }))
        .status,
    ).toBe(201);
    const store = w.server.sb.center.store;
    const failed = await eventually('the failed delivery', async () =>
      (await store.outbox.listByConversation(conversationId)).find((item) => item.status === 'failed'),
    );
    expect(failed.message.text).toBe('Are you there?');
    expect(failed.lastError).toContain('not available on Messenger');
    // One member's refusal says nothing about the channel.
    expect((await channelHealth(w))?.status).toBe('connected');
  });
});

describe('Facebook Messenger with the human agent tag', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ MESSENGER_HUMAN_AGENT_TAG: 'true' });
  }, 120_000);
  afterAll(() => w?.close());

  it('sends an agent reply 3 days after the member wrote with the HUMAN_AGENT tag, and refuses one after 7 days', async () => {
    const hugo = w.graph.addUser('Hugo', 'Tagged');
    const conversationId = await handedToAgent(w, hugo, Date.now() - 3 * 24 * hourMs);
    const reply = await w.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Back to you after the weekend.',
    });
    expect(reply.status).toBe(201);
    const sent = await eventually('the tagged reply', () =>
      w.graph.sentTo(hugo.psid).find((call) => call.message.text === 'Ana: Back to you after the weekend.'),
    );
    expect(sent.messaging_type).toBe('MESSAGE_TAG');
    expect(sent.tag).toBe('HUMAN_AGENT');

    const ivy = w.graph.addUser('Ivy', 'Eightdays');
    const old = await handedToAgent(w, ivy, Date.now() - 8 * 24 * hourMs);
    const refused = await w.call('POST', `/api/v1/conversations/${old}/messages`, { text: 'Hello?' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('7 days');
  });
});

describe('Facebook Messenger with a token Meta does not take for the page', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({}, (graph) =>
      graph.failNext('me', 1, {
        status: 400,
        code: 100,
        message: '(#100) Tried accessing nonexisting field (name) on node type (User)',
      }),
    );
  }, 120_000);
  afterAll(() => w?.close());

  it("shows the start-up check's refusal on the channels page until a call succeeds", async () => {
    const health = await eventually('the refusal on the channels page', async () => {
      const found = await channelHealth(w);
      return found?.status === 'error' ? found : null;
    });
    expect(health.detail).toContain('nonexisting field');
    const rita = w.graph.addUser('Rita', 'Retry');
    expect((await w.graph.sendMessage(rita.psid, 'Hello')).status).toBe(200);
    await eventually(
      'connected once Meta answers',
      async () => (await channelHealth(w))?.status === 'connected',
    );
  });
});
