import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTwilioClient,
  isSignedByTwilio,
  type TwilioClient,
} from '../../../src/channels/twilio/twilio-client.ts';
import type { TwilioConfig } from '../../../src/config.ts';
import { eventually } from '../eventually.ts';
import { TwilioFake } from './twilio-fake.ts';

/** A stand-in for Switchboard's webhook endpoints: records each request and whether its signature holds. */
interface Received {
  path: string;
  params: Record<string, string>;
  signed: boolean;
  idempotencyToken: string | undefined;
  contentType: string | undefined;
}

async function startReceiver(authToken: string) {
  const received: Received[] = [];
  let answer = 200;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf-8')));
      const signature = request.headers['x-twilio-signature'];
      received.push({
        path: request.url ?? '',
        params,
        signed: isSignedByTwilio(
          authToken,
          typeof signature === 'string' ? signature : undefined,
          `${url}${request.url}`,
          params,
        ),
        idempotencyToken: request.headers['i-twilio-idempotency-token'] as string | undefined,
        contentType: request.headers['content-type'],
      });
      response.writeHead(answer, { 'content-type': 'text/xml' }).end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answerWith(status: number) {
      answer = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function configFor(fake: TwilioFake, overrides: Partial<TwilioConfig> = {}): TwilioConfig {
  return {
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    apiKey: null,
    apiUrl: fake.url,
    conversationsServiceSid: null,
    flex: null,
    sms: null,
    whatsappFrom: null,
    ...overrides,
  };
}

/** What the SDK threw, for asserting Twilio's error shape. */
async function restError(
  promise: Promise<unknown>,
): Promise<{ status: number; code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof twilio.RestException)
      return { status: error.status, code: error.code ?? 0, message: error.message };
    throw error;
  }
  throw new Error('the request succeeded');
}

const apiKey = { sid: `SK${'ab'.repeat(16)}`, secret: 'the-api-key-secret-for-tests' };

describe('the local Twilio, spoken to by the real twilio SDK', () => {
  let fake: TwilioFake;
  let client: TwilioClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    fake = await TwilioFake.start({ apiKeys: [apiKey] });
    client = createTwilioClient(configFor(fake));
    receiver = await startReceiver(fake.authToken);
  });
  afterEach(async () => {
    fake.heal();
    await fake.settled();
    receiver.answerWith(200);
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  async function conversationWithWebhook(
    filters: string[] = ['onMessageAdded', 'onConversationStateUpdated'],
  ) {
    const conversation = await client.conversations.v1.conversations.create({
      friendlyName: 'Discord member',
      attributes: JSON.stringify({ channel: 'discord', caseNumber: 1042 }),
    });
    await client.conversations.v1
      .conversations(conversation.sid)
      .participants.create({ identity: 'member-7' });
    const webhook = await client.conversations.v1.conversations(conversation.sid).webhooks.create({
      target: 'webhook',
      'configuration.url': `${receiver.url}/webhooks/twilio/conversations`,
      'configuration.method': 'post',
      'configuration.filters': filters,
    });
    return { conversation, webhook };
  }

  it('creates, fetches and updates a conversation in Twilio shape, with attributes kept as JSON text', async () => {
    const created = await client.conversations.v1.conversations.create({
      friendlyName: 'Case #7',
      uniqueName: `case-${Date.now()}`,
      attributes: JSON.stringify({ channel: 'discord', discordChannelId: '42' }),
    });
    expect(created.sid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(fake.accountSid);
    expect(created.chatServiceSid).toBe(fake.defaultServiceSid);
    expect(created.state).toBe('active');
    expect(JSON.parse(created.attributes)).toEqual({ channel: 'discord', discordChannelId: '42' });
    expect(created.url).toBe(`https://conversations.twilio.com/v1/Conversations/${created.sid}`);

    const fetched = await client.conversations.v1.conversations(created.sid).fetch();
    expect(fetched.friendlyName).toBe('Case #7');
    const updated = await client.conversations.v1.conversations(created.sid).update({ state: 'closed' });
    expect(updated.state).toBe('closed');
    expect(fake.conversation(created.sid)).toMatchObject({
      state: 'closed',
      attributes: { channel: 'discord', discordChannelId: '42' },
    });

    // Closed is final, as on Twilio.
    expect(
      await restError(client.conversations.v1.conversations(created.sid).messages.create({ body: 'late' })),
    ).toMatchObject({ status: 400, code: 50377 });
    expect(
      await restError(client.conversations.v1.conversations(`CH${'0'.repeat(32)}`).fetch()),
    ).toMatchObject({
      status: 404,
      code: 20404,
    });
  });

  it('adds, lists, fetches and removes participants; an identity already there is a 409 with code 50433', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const participants = client.conversations.v1.conversations(conversation.sid).participants;
    const member = await participants.create({ identity: 'member-1', attributes: '{"kind":"member"}' });
    expect(member.sid).toMatch(/^MB[0-9a-f]{32}$/);
    expect(member.identity).toBe('member-1');
    const sms = await participants.create({
      'messagingBinding.address': '+15551230001',
      'messagingBinding.proxyAddress': '+15559990000',
    });
    expect(sms.messagingBinding).toMatchObject({
      type: 'sms',
      address: '+15551230001',
      proxy_address: '+15559990000',
    });

    expect(await restError(participants.create({ identity: 'member-1' }))).toMatchObject({
      status: 409,
      code: 50433,
    });
    expect(await restError(participants.create({}))).toMatchObject({ status: 400 });

    expect((await participants.list()).map((p) => p.identity)).toEqual(['member-1', null]);
    expect(
      (await client.conversations.v1.conversations(conversation.sid).participants(member.sid).fetch())
        .attributes,
    ).toBe('{"kind":"member"}');
    await client.conversations.v1.conversations(conversation.sid).participants(sms.sid).remove();
    expect(fake.conversation(conversation.sid).participants.map((p) => p.identity)).toEqual(['member-1']);
  });

  it('lists messages in order across next_page_url pages, with increasing indexes', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const messages = client.conversations.v1.conversations(conversation.sid).messages;
    for (const body of ['one', 'two', 'three', 'four', 'five'])
      await messages.create({ author: 'member-2', body, attributes: '{"origin":"switchboard"}' });

    const all = await messages.list({ pageSize: 2 });
    expect(all.map((m) => [m.index, m.body])).toEqual([
      [0, 'one'],
      [1, 'two'],
      [2, 'three'],
      [3, 'four'],
      [4, 'five'],
    ]);
    expect(all[0]?.sid).toMatch(/^IM[0-9a-f]{32}$/);
    expect(JSON.parse(all[0]?.attributes ?? '')).toEqual({ origin: 'switchboard' });
    // Three pages: the SDK followed next_page_url twice (through TWILIO_API_URL).
    const pages = fake
      .requests()
      .filter((r) => r.method === 'GET' && r.path.endsWith(`${conversation.sid}/Messages`));
    expect(pages.map((r) => r.params.PageToken)).toEqual([undefined, 'PT2', 'PT4']);

    const first = await messages.page({ pageSize: 2 });
    expect(first.nextPageUrl).toContain('https://conversations.twilio.com/v1/Conversations/');
    const last = await messages.list({ order: 'desc', limit: 1 });
    expect(last[0]?.body).toBe('five');
    expect((await messages(all[2]?.sid ?? '').fetch()).body).toBe('three');
  });

  it('finds a member’s conversations by identity (ParticipantConversations), closed ones included with their state', async () => {
    const identity = `member-${Date.now()}`;
    const closed = await client.conversations.v1.conversations.create({ attributes: '{"caseNumber":1}' });
    await client.conversations.v1.conversations(closed.sid).participants.create({ identity });
    await client.conversations.v1.conversations(closed.sid).update({ state: 'closed' });
    const open = await client.conversations.v1.conversations.create({ attributes: '{"caseNumber":2}' });
    await client.conversations.v1.conversations(open.sid).participants.create({ identity });
    await client.conversations.v1.conversations.create({});

    const found = await client.conversations.v1.participantConversations.list({ identity });
    expect(found.map((c) => [c.conversationSid, c.conversationState, c.participantIdentity])).toEqual([
      [closed.sid, 'closed', identity],
      [open.sid, 'active', identity],
    ]);
    expect(JSON.parse(found[1]?.conversationAttributes ?? '')).toEqual({ caseNumber: 2 });
    expect(await client.conversations.v1.participantConversations.list({ identity: 'nobody' })).toEqual([]);
  });

  it('serves the service-scoped paths for a configured Conversations service', async () => {
    const serviceSid = `IS${'12'.repeat(16)}`;
    const scoped = client.conversations.v1.services(serviceSid);
    const conversation = await scoped.conversations.create({ friendlyName: 'scoped' });
    expect(conversation.chatServiceSid).toBe(serviceSid);
    await scoped.conversations(conversation.sid).participants.create({ identity: 'scoped-member' });
    await scoped.conversations(conversation.sid).messages.create({ author: 'scoped-member', body: 'hi' });
    expect(
      (await scoped.participantConversations.list({ identity: 'scoped-member' })).map(
        (c) => c.conversationSid,
      ),
    ).toEqual([conversation.sid]);
    // Not in the default service.
    expect(await restError(client.conversations.v1.conversations(conversation.sid).fetch())).toMatchObject({
      status: 404,
    });
  });

  it('sends scoped webhooks signed as Twilio does, only for subscribed events, and for REST messages only with X-Twilio-Webhook-Enabled', async () => {
    const { conversation, webhook } = await conversationWithWebhook();
    expect(webhook.sid).toMatch(/^WH[0-9a-f]{32}$/);
    expect(webhook.configuration).toMatchObject({
      url: `${receiver.url}/webhooks/twilio/conversations`,
      method: 'POST',
      filters: ['onMessageAdded', 'onConversationStateUpdated'],
    });
    const messages = client.conversations.v1.conversations(conversation.sid).messages;
    const before = receiver.received.length;

    await messages.create({ author: 'member-7', body: 'quiet copy' });
    const echoed = await messages.create({
      author: 'member-7',
      body: 'our copy',
      xTwilioWebhookEnabled: 'true',
    });
    await fake.settled();
    const events = receiver.received.slice(before);
    expect(events.map((e) => e.params.Body)).toEqual(['our copy']);
    expect(events[0]).toMatchObject({
      path: '/webhooks/twilio/conversations',
      signed: true,
      contentType: 'application/x-www-form-urlencoded',
      params: {
        EventType: 'onMessageAdded',
        ConversationSid: conversation.sid,
        ChatServiceSid: fake.defaultServiceSid,
        AccountSid: fake.accountSid,
        MessageSid: echoed.sid,
        Index: '1',
        Author: 'member-7',
        Source: 'API',
        ParticipantSid: fake.conversation(conversation.sid).participants[0]?.sid,
      },
    });
    expect(events[0]?.idempotencyToken).toBeTruthy();

    // Not subscribed: adding a participant fires nothing.
    await client.conversations.v1
      .conversations(conversation.sid)
      .participants.create({ identity: 'someone', xTwilioWebhookEnabled: 'true' });
    await fake.settled();
    expect(receiver.received.length).toBe(before + 1);

    await client.conversations.v1.conversations(conversation.sid).webhooks(webhook.sid).remove();
    expect(await client.conversations.v1.conversations(conversation.sid).webhooks.list()).toEqual([]);
  });

  it('the Flex agent joins, writes and closes: each control resolves with Switchboard’s answers', async () => {
    const { conversation } = await conversationWithWebhook([
      'onMessageAdded',
      'onConversationStateUpdated',
      'onParticipantAdded',
    ]);
    const joined = await fake.flexAgentJoins(conversation.sid, 'agent.lee');
    expect(joined.map((d) => [d.params.EventType, d.params.Identity, d.status])).toEqual([
      ['onParticipantAdded', 'agent.lee', 200],
    ]);

    receiver.answerWith(500);
    const sent = await fake.flexAgentSends(conversation.sid, 'Hello, I am Lee from support');
    expect(sent.messageSid).toMatch(/^IM/);
    expect(sent.deliveries).toEqual([
      expect.objectContaining({
        status: 500,
        body: '<Response/>',
        params: expect.objectContaining({
          EventType: 'onMessageAdded',
          Author: 'agent.lee',
          Body: 'Hello, I am Lee from support',
          Source: 'SDK',
          MessageSid: sent.messageSid,
        }),
      }),
    ]);
    receiver.answerWith(200);
    const again = await fake.redeliver(sent.deliveries[0]!);
    expect(again.status).toBe(200);
    const copies = receiver.received.filter((r) => r.params.MessageSid === sent.messageSid);
    expect(copies).toHaveLength(2);
    expect(copies[1]?.idempotencyToken).toBe(copies[0]?.idempotencyToken);
    expect(copies.every((c) => c.signed)).toBe(true);

    const closed = await fake.flexAgentCloses(conversation.sid);
    expect(closed.map((d) => d.params)).toEqual([
      expect.objectContaining({
        EventType: 'onConversationStateUpdated',
        StateFrom: 'active',
        StateTo: 'closed',
        ConversationSid: conversation.sid,
      }),
    ]);
    expect((await client.conversations.v1.conversations(conversation.sid).fetch()).state).toBe('closed');
    expect(fake.conversation(conversation.sid).messages.at(-1)).toMatchObject({
      source: 'SDK',
      author: 'agent.lee',
    });
  });

  it('refuses misspelt or badly encoded parameters with a 400, so a connector using the wrong names fails loudly', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const wrongName = await restError(
      client
        .request({
          method: 'post',
          uri: `https://conversations.twilio.com/v1/Conversations/${conversation.sid}/Messages`,
          data: { Author: 'member', Text: 'hello' },
        })
        .then((response) => {
          if (response.statusCode >= 400) throw new twilio.RestException(response);
        }),
    );
    expect(wrongName).toMatchObject({ status: 400 });
    expect(wrongName.message).toContain('Text');

    // Filters joined with commas instead of one parameter each.
    expect(
      await restError(
        client.conversations.v1.conversations(conversation.sid).webhooks.create({
          target: 'webhook',
          'configuration.url': `${receiver.url}/hook`,
          'configuration.filters': ['onMessageAdded,onConversationStateUpdated'],
        }),
      ),
    ).toMatchObject({ status: 400 });
    expect(
      await restError(client.conversations.v1.conversations.create({ attributes: 'not json' })),
    ).toMatchObject({ status: 400 });
    expect(fake.conversation(conversation.sid).webhooks).toEqual([]);
  });

  it('creates a Flex Interaction for a conversation with the routing as posted, and refuses a foreign workspace', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const channel = {
      type: 'chat',
      initiated_by: 'customer',
      properties: { media_channel_sid: conversation.sid },
    };
    const routing = {
      properties: {
        workspace_sid: fake.workspaceSid,
        workflow_sid: fake.workflowSid,
        task_channel_unique_name: 'chat',
        attributes: { customerName: 'member-7', channelType: 'chat', channel: 'discord', caseNumber: 1042 },
      },
    };
    const interaction = await client.flexApi.v1.interaction.create({ channel, routing });
    expect(interaction.sid).toMatch(/^KD[0-9a-f]{32}$/);
    expect(interaction.channel).toMatchObject({ ...channel, sid: expect.stringMatching(/^UO/) });
    expect(interaction.routing).toMatchObject({
      properties: { ...routing.properties, sid: expect.stringMatching(/^WT/) },
    });
    expect((await client.flexApi.v1.interaction(interaction.sid).fetch()).sid).toBe(interaction.sid);
    expect(fake.interactions().find((i) => i.sid === interaction.sid)).toMatchObject({ channel, routing });

    const foreign = { properties: { ...routing.properties, workspace_sid: `WS${'9'.repeat(32)}` } };
    expect(
      await restError(client.flexApi.v1.interaction.create({ channel, routing: foreign })),
    ).toMatchObject({
      status: 400,
    });
    const missing = { ...channel, properties: { media_channel_sid: `CH${'9'.repeat(32)}` } };
    expect(
      await restError(client.flexApi.v1.interaction.create({ channel: missing, routing })),
    ).toMatchObject({
      status: 400,
    });
  });

  it('sends an SMS through the Messages API and reports its delivery to the StatusCallback, signed', async () => {
    const message = await client.messages.create({
      to: '+15551234567',
      from: '+15559876543',
      body: 'Your case #1042 is open',
      statusCallback: `${receiver.url}/webhooks/twilio/status`,
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(fake.sentMessages().find((m) => m.sid === message.sid)).toMatchObject({
      to: '+15551234567',
      from: '+15559876543',
      body: 'Your case #1042 is open',
      statusCallback: `${receiver.url}/webhooks/twilio/status`,
    });

    const delivered = await fake.deliveryStatus(message.sid, 'delivered');
    expect(delivered.status).toBe(200);
    expect(receiver.received.at(-1)).toMatchObject({
      path: '/webhooks/twilio/status',
      signed: true,
      params: {
        MessageSid: message.sid,
        MessageStatus: 'delivered',
        To: '+15551234567',
        AccountSid: fake.accountSid,
      },
    });
    expect((await client.messages(message.sid).fetch()).status).toBe('delivered');

    const failed = await client.messages.create({
      to: 'whatsapp:+15551234567',
      from: 'whatsapp:+15559876543',
      body: 'hi',
      mediaUrl: ['https://example.test/a.png', 'https://example.test/b.png'],
      statusCallback: `${receiver.url}/webhooks/twilio/status`,
    });
    expect(fake.sentMessages().find((m) => m.sid === failed.sid)?.mediaUrls).toHaveLength(2);
    await fake.deliveryStatus(failed.sid, 'undelivered', { errorCode: 63016 });
    expect(receiver.received.at(-1)?.params).toMatchObject({
      MessageStatus: 'undelivered',
      ErrorCode: '63016',
    });
    expect((await client.messages(failed.sid).fetch()).errorCode).toBe(63016);
  });

  it('refuses SMS without a recipient, without content, across channels, or to an opted-out number', async () => {
    const from = '+15559876543';
    expect(await restError(client.messages.create({ to: '', from, body: 'x' }))).toMatchObject({
      code: 21604,
    });
    expect(await restError(client.messages.create({ to: '+15551112222', from }))).toMatchObject({
      code: 21602,
    });
    expect(
      await restError(client.messages.create({ to: 'whatsapp:+15551112222', from, body: 'x' })),
    ).toMatchObject({ code: 21910 });
    expect(
      await restError(client.messages.create({ to: '+15551112222', from, body: 'x'.repeat(1601) })),
    ).toMatchObject({ code: 21617 });
    fake.optOut('+15551112222');
    expect(await restError(client.messages.create({ to: '+15551112222', from, body: 'x' }))).toMatchObject({
      status: 400,
      code: 21610,
    });
    fake.optIn('+15551112222');
    const sent = await client.messages.create({
      to: '+15551112222',
      messagingServiceSid: `MG${'3'.repeat(32)}`,
      body: 'x',
    });
    expect(sent.status).toBe('accepted');
  });

  it('posts an inbound SMS and WhatsApp message with Twilio’s parameters, and STOP opts the sender out', async () => {
    const { messageSid, delivery } = await fake.inboundMessage({
      to: '+15559876543',
      from: '+15551239999',
      body: 'My order is late',
      mediaUrls: ['https://media.example.test/photo.jpg'],
      webhookUrl: `${receiver.url}/webhooks/twilio/messages`,
    });
    expect(delivery.status).toBe(200);
    expect(receiver.received.at(-1)).toMatchObject({
      signed: true,
      params: {
        MessageSid: messageSid,
        SmsSid: messageSid,
        AccountSid: fake.accountSid,
        From: '+15551239999',
        To: '+15559876543',
        Body: 'My order is late',
        NumMedia: '1',
        MediaUrl0: 'https://media.example.test/photo.jpg',
        MediaContentType0: 'image/jpeg',
      },
    });

    await fake.inboundMessage({
      to: 'whatsapp:+15559876543',
      from: 'whatsapp:+15551239999',
      body: 'hola',
      profileName: 'Ana',
      webhookUrl: `${receiver.url}/webhooks/twilio/messages`,
    });
    expect(receiver.received.at(-1)?.params).toMatchObject({ ProfileName: 'Ana', WaId: '15551239999' });

    await fake.inboundMessage({
      to: '+15559876543',
      from: '+15551239999',
      body: 'stop',
      webhookUrl: `${receiver.url}/webhooks/twilio/messages`,
    });
    expect(receiver.received.at(-1)?.params.OptOutType).toBe('STOP');
    expect(
      await restError(client.messages.create({ to: '+15551239999', from: '+15559876543', body: 'x' })),
    ).toMatchObject({ code: 21610 });
  });

  it('signs exactly as twilio.validateRequest expects, and a wrong token or a missing signature is told apart', async () => {
    const url = `${receiver.url}/webhooks/twilio/messages?x=1`;
    const params = { Body: 'hi there', From: '+15551234567', AccountSid: fake.accountSid, a: 'z' };
    const signature = fake.sign(url, params);
    expect(twilio.validateRequest(fake.authToken, signature, url, params)).toBe(true);
    expect(twilio.validateRequest('another-auth-token-0000000000000', signature, url, params)).toBe(false);
    expect(twilio.validateRequest(fake.authToken, signature, url, { ...params, Body: 'changed' })).toBe(
      false,
    );

    await fake.post(url, params, { token: 'another-auth-token-0000000000000' });
    expect(receiver.received.at(-1)?.signed).toBe(false);
    await fake.post(url, params, { signature: null });
    expect(receiver.received.at(-1)?.signed).toBe(false);
    await fake.post(url, params);
    expect(receiver.received.at(-1)?.signed).toBe(true);
  });

  it('checks Basic auth: the auth token or an API key pair; anything else is 401 with code 20003', async () => {
    const wrong = createTwilioClient(configFor(fake, { authToken: 'not-the-auth-token-000000000000' }));
    expect(await restError(wrong.conversations.v1.conversations.create({}))).toMatchObject({
      status: 401,
      code: 20003,
    });
    const withKey = createTwilioClient(configFor(fake, { apiKey }));
    const created = await withKey.conversations.v1.conversations.create({ friendlyName: 'via key' });
    expect(created.friendlyName).toBe('via key');
    expect(fake.requests().at(-1)?.credential).toBe('api-key');
    const wrongKey = createTwilioClient(
      configFor(fake, { apiKey: { ...apiKey, secret: 'wrong-secret-0000000000' } }),
    );
    expect(
      await restError(wrongKey.messages.create({ to: '+15551234567', from: '+15559876543', body: 'x' })),
    ).toMatchObject({ status: 401 });
    expect(fake.conversations().some((c) => c.friendlyName === 'via key')).toBe(true);
  });

  it('answers injected faults (429 with Retry-After, 503, 401) for the matching requests, then heals', async () => {
    fake.fail({ status: 429, count: 1, retryAfterSeconds: 2 });
    expect(await restError(client.conversations.v1.conversations.create({}))).toMatchObject({
      status: 429,
      code: 20429,
    });
    expect((await client.conversations.v1.conversations.create({})).sid).toMatch(/^CH/);

    fake.fail({ status: 503, path: /\/Messages\.json$/ });
    expect(
      await restError(client.messages.create({ to: '+15551234567', from: '+15559876543', body: 'x' })),
    ).toMatchObject({ status: 503 });
    expect((await client.conversations.v1.conversations.create({})).sid).toMatch(/^CH/);
    fake.heal();
    expect(
      (await client.messages.create({ to: '+15551234567', from: '+15559876543', body: 'x' })).sid,
    ).toMatch(/^SM/);

    fake.fail({ status: 401 });
    expect(await restError(client.conversations.v1.conversations.list())).toMatchObject({
      status: 401,
      code: 20003,
    });
    fake.heal();

    // Twilio's rate limit says when to come back.
    fake.fail({ status: 429, count: 1, retryAfterSeconds: 3 });
    const auth = Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64');
    const limited = await fetch(`${fake.url}/conversations/v1/Conversations`, {
      headers: { authorization: `Basic ${auth}` },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({
      code: 20429,
      status: 429,
      more_info: expect.stringContaining('20429'),
    });
  });

  it('calls a GET webhook with the parameters in the query, signed over the full URL', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conversation.sid).webhooks.create({
      target: 'webhook',
      'configuration.url': `${receiver.url}/hook?tenant=1`,
      'configuration.method': 'get',
      'configuration.filters': ['onMessageAdded'],
    });
    const { deliveries } = await fake.flexAgentSends(conversation.sid, 'by query');
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    const got = receiver.received.at(-1);
    expect(got?.path).toMatch(/^\/hook\?tenant=1&.*Body=by\+query/);
    expect(got?.signed).toBe(true);
  });

  it('lists conversations by state, and refuses the other missing or malformed Messages API parameters', async () => {
    const open = await client.conversations.v1.conversations.create({ friendlyName: 'listed' });
    const inactive = await client.conversations.v1.conversations.create({ state: 'inactive' });
    const listed = await client.conversations.v1.conversations.list({ state: 'inactive' });
    expect(listed.map((c) => c.sid)).toContain(inactive.sid);
    expect(listed.map((c) => c.sid)).not.toContain(open.sid);

    expect(await restError(client.messages.create({ to: '+15551112222', body: 'x' }))).toMatchObject({
      code: 21603,
    });
    expect(
      await restError(
        client.messages.create({
          to: '+15551112222',
          from: '+15559876543',
          mediaUrl: ['ftp://nowhere/a.png'],
        }),
      ),
    ).toMatchObject({ code: 21620 });
    expect(
      await restError(client.messages.create({ to: '555', from: '+15559876543', body: 'x' })),
    ).toMatchObject({
      code: 21211,
    });
  });

  it('records a delivery to a Switchboard that is not listening as status 0, not as a thrown error', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conversation.sid).webhooks.create({
      target: 'webhook',
      'configuration.url': 'http://127.0.0.1:9/nowhere',
      'configuration.filters': ['onMessageAdded'],
    });
    const { deliveries } = await fake.flexAgentSends(conversation.sid, 'anyone?');
    expect(deliveries).toEqual([expect.objectContaining({ status: 0 })]);
    await eventually('the delivery in the log', () =>
      fake.webhookDeliveries().some((d) => d.params.Body === 'anyone?'),
    );
  });
});
