import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, launchBrowser, newPage, screenshot, signIn } from '../support/browser.ts';
import { type MessagingWorld, SMS_FROM, startMessagingWorld } from './messaging-harness.ts';

/** SMS in Switchboard's own desktop: the real Twilio SDK against the local Twilio, the real server. */
describe('SMS channel', () => {
  let world: MessagingWorld;
  let browser: Browser;

  beforeAll(async () => {
    [world, browser] = await Promise.all([startMessagingWorld(), launchBrowser()]);
  }, 120_000);

  afterEach(() => world.fake.heal());

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  const center = () => world.server.sb.center;
  const conversationOf = async (number: string, channel = 'sms') => {
    const contact = await center().store.contacts.findByIdentity(channel, number);
    if (!contact) return undefined;
    return (await center().store.conversations.list({ contactId: contact.id, channel }))[0];
  };
  const transcript = async (number: string) => {
    const conversation = await conversationOf(number);
    return conversation ? center().conversations.transcript(conversation.id) : [];
  };

  it('answers with the virtual agent, hands off, and the agent’s replies show Twilio’s delivery status live', async () => {
    const number = '+15551230001';
    await world.write(number, 'I forgot my password and it no longer works');
    const [answer] = await world.waitSent(number, 1);
    expect(answer).toMatchObject({ to: number, from: SMS_FROM, statusCallback: world.statusUrl });
    expect(answer!.body).toContain('Reset your password: http://127.0.0.1:');
    expect(answer!.body).toContain('Reply AGENT: Talk to a person');
    expect(answer!.body).toContain('Reply SOLVED: This solved it');

    // The reply word stands for the "Talk to a person" button.
    await world.write(number, 'agent');
    const [, handoff] = await world.waitSent(number, 2);
    const kase = await eventually('a case for the hand-off', async () => {
      const conversation = await conversationOf(number);
      return conversation?.caseId ? center().store.cases.get(conversation.caseId) : undefined;
    });
    expect(handoff!.body).toContain(`case #${kase.number}`);

    const ana = await world.server.agent('ana@example.com', { name: 'Ana' });
    const { context, page, watch } = await newPage(browser);
    await signIn(page, world.server.url, 'ana@example.com');
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);
    await page.getByRole('img', { name: 'SMS' }).first().waitFor();
    const messages = page.getByRole('list', { name: 'Transcript' });
    await messages.getByText('I forgot my password and it no longer works').waitFor();

    await page.getByLabel('Reply').fill('Hi, Ana here. I have sent you a reset link.');
    await page.getByLabel('Reply').press('Enter');
    const reply = await world.waitBody(number, 'Ana here');
    expect(reply).toMatchObject({
      to: number,
      from: SMS_FROM,
      body: 'Hi, Ana here. I have sent you a reset link.',
      statusCallback: world.statusUrl,
    });
    const agentMessage = messages.locator('[data-author="agent"]').filter({ hasText: 'Ana here' });
    // Shown as the carrier reports it, without a reload.
    expect((await world.fake.deliveryStatus(reply!.sid, 'sent')).status).toBe(200);
    await agentMessage.getByRole('status', { name: 'Channel status' }).getByText('Sent').waitFor();
    await world.fake.deliveryStatus(reply!.sid, 'delivered');
    await agentMessage.getByRole('status', { name: 'Channel status' }).getByText('Delivered').waitFor();
    // A late "sent" does not undo "delivered".
    await world.fake.deliveryStatus(reply!.sid, 'sent');
    await page.reload();
    await agentMessage.getByRole('status', { name: 'Channel status' }).getByText('Delivered').waitFor();

    await page.getByLabel('Reply').fill('Did it arrive?');
    await page.getByLabel('Reply').press('Enter');
    const second = await world.waitBody(number, 'Did it arrive?');
    await world.fake.deliveryStatus(second!.sid, 'failed', { errorCode: 30003 });
    await messages
      .locator('[data-author="agent"]')
      .filter({ hasText: 'Did it arrive?' })
      .getByRole('status', { name: 'Channel status' })
      .getByText('Failed (error 30003)')
      .waitFor();
    await screenshot(page, 'sms-delivery-status');

    // The contact answers; the agent sees it.
    await world.write(number, 'Got the first one, thanks');
    await messages.getByText('Got the first one, thanks').waitFor();
    expect(watch.errors).toEqual([]);
    await context.close();
    expect(ana.id).toBeTruthy();
  }, 120_000);

  it('honours STOP: nothing more is sent, the agent is refused with the reason; START restores', async () => {
    const number = '+15551230002';
    await world.write(number, 'I want to talk to a person');
    await world.waitSent(number, 1);
    const bo = await world.server.agent('bo@example.com', { name: 'Bo' });
    const conversationId = await world.acceptNextOffer(bo);
    await center().conversations.reply(bo.id, conversationId, { text: 'Hello from Bo' });
    await world.waitBody(number, 'Hello from Bo');

    const stop = await world.write(number, 'Stop');
    expect(stop.delivery.status).toBe(200);
    const sentBefore = world.sentTo(number).length;
    // Stored for the agent to see, not answered by anyone.
    await eventually('STOP in the transcript', async () =>
      (await transcript(number)).some((m) => m.authorKind === 'contact' && m.text === 'Stop'),
    );
    const refusal = await center()
      .conversations.reply(bo.id, conversationId, { text: 'Are you still there?' })
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(refusal).toMatch(/opted out of SMS \(they replied STOP\)/);
    // A reply through the API is a 400 with that reason.
    const login = await fetch(`${world.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bo@example.com', password: 'correct horse battery' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const viaApi = await fetch(`${world.server.url}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ text: 'Are you still there?' }),
    });
    expect(viaApi.status).toBe(400);
    expect(((await viaApi.json()) as { error: { message: string } }).error.message).toMatch(
      /opted out of SMS/,
    );

    // Something already queued for the number (a closing message) is refused for good, with the reason.
    await center().conversations.close(bo.id, conversationId);
    const refused = await eventually('the closing message refused', async () =>
      (await center().conversations.transcript(conversationId)).find((m) => m.delivery?.status === 'failed'),
    );
    expect(refused.delivery?.lastError).toMatch(/opted out of SMS \(replied STOP\)/);
    expect(world.sentTo(number)).toHaveLength(sentBefore);

    // START opts back in: the flow answers again.
    await world.write(number, 'START');
    await world.write(number, 'How do I reset my password?');
    await world.waitBody(number, 'Reset your password');
  }, 60_000);

  it('keeps a redelivered message once, and turns MMS media into attachments', async () => {
    const number = '+15551230003';
    const first = await world.write(number, 'Here is a photo of the error', {
      mediaUrls: ['https://media.example.com/error.png', 'https://media.example.com/log.pdf'],
    });
    expect(first.delivery.status).toBe(200);
    expect(first.delivery.body).toContain('<Response/>');
    await world.waitSent(number, 1);
    const again = await world.fake.redeliver(first.delivery);
    expect(again.status).toBe(200);
    const stored = (await transcript(number)).filter((m) => m.authorKind === 'contact');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.attachments).toEqual([
      { url: 'https://media.example.com/error.png', name: 'MMS media 1.png', contentType: 'image/png' },
      { url: 'https://media.example.com/log.pdf', name: 'MMS media 2.pdf', contentType: 'application/pdf' },
    ]);
    // Answered once.
    expect(world.sentTo(number)).toHaveLength(1);
  });

  it('refuses forged, missing and other-body signatures on both webhooks, storing nothing', async () => {
    const number = '+15551230004';
    const params = {
      MessageSid: `SM${'a'.repeat(32)}`,
      AccountSid: world.fake.accountSid,
      From: number,
      To: SMS_FROM,
      Body: 'forged hello',
      NumMedia: '0',
    };
    const forged = await world.fake.post(world.messagesUrl, params, { token: 'f'.repeat(32) });
    const missing = await world.fake.post(world.messagesUrl, params, { signature: null });
    const otherBody = await world.fake.post(world.messagesUrl, params, {
      signature: world.fake.sign(world.messagesUrl, { ...params, Body: 'something else' }),
    });
    expect([forged.status, missing.status, otherBody.status]).toEqual([403, 403, 403]);
    expect(await center().store.contacts.findByIdentity('sms', number)).toBeUndefined();

    // A status callback with a forged signature does not mark anything delivered.
    const real = '+15551230005';
    await world.write(real, 'I forgot my password');
    const [answer] = await world.waitSent(real, 1);
    const status = { MessageSid: answer!.sid, MessageStatus: 'delivered', To: real, From: SMS_FROM };
    expect((await world.fake.post(world.statusUrl, status, { token: 'f'.repeat(32) })).status).toBe(403);
    expect((await world.fake.post(world.statusUrl, status, { signature: null })).status).toBe(403);
    expect(
      (
        await world.fake.post(world.statusUrl, status, {
          signature: world.fake.sign(world.statusUrl, { ...status, MessageStatus: 'failed' }),
        })
      ).status,
    ).toBe(403);
    const bot = (await transcript(real)).find((m) => m.authorKind === 'bot');
    expect(bot?.delivery?.channelStatus ?? null).toBeNull();
    // Signed but malformed: a clear 400; a signed status for a sid we never sent: 200, nothing changes.
    const bad = await world.fake.post(world.messagesUrl, { ...params, MessageSid: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('MessageSid');
    const unknown = await world.fake.post(world.statusUrl, { ...status, MessageSid: `SM${'b'.repeat(32)}` });
    expect(unknown.status).toBe(200);
  });

  it('refuses an agent reply longer than an SMS carries, with the limit', async () => {
    const number = '+15551230006';
    await world.write(number, 'I want to talk to a person');
    await world.waitSent(number, 1);
    const cy = await world.server.agent('cy@example.com', { name: 'Cy' });
    const conversationId = await world.acceptNextOffer(cy);
    const refusal = await center()
      .conversations.reply(cy.id, conversationId, { text: 'x'.repeat(1601) })
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(refusal).toBe(
      'A SMS message carries at most 1600 characters; this reply has 1601. Shorten it or send it in parts.',
    );
    expect(world.sentTo(number)).toHaveLength(1);
  });

  it('keeps replies while Twilio answers 401, 429 and 5xx, shows the reason, and delivers each once after', async () => {
    const number = '+15551230007';
    await world.write(number, 'I want to talk to a person');
    await world.waitSent(number, 1);
    const di = await world.server.agent('di@example.com', { name: 'Di' });
    const conversationId = await world.acceptNextOffer(di);
    const messagesPath = /\/Messages\.json$/;
    const health = async () =>
      (await (await adminApi(world, '/channels')).json()) as {
        channels: { channel: string; status: string; detail: string | null }[];
      };

    for (const status of [401, 429, 503] as const) {
      world.fake.fail({ status, path: messagesPath });
      const before = world.sentTo(number).length;
      await center().conversations.reply(di.id, conversationId, { text: `while Twilio answers ${status}` });
      const sms = await eventually(`the SMS channel failing with ${status}`, async () =>
        (await health()).channels.find((c) => c.channel === 'sms' && c.status === 'error'),
      );
      expect(sms.detail).toContain(`Twilio answered ${status}`);
      if (status === 401) expect(sms.detail).toContain('check TWILIO_ACCOUNT_SID and the credentials');
      expect(world.sentTo(number)).toHaveLength(before);
      world.fake.heal();
      await world.waitBody(number, `while Twilio answers ${status}`);
      expect(world.sentTo(number).filter((m) => m.body === `while Twilio answers ${status}`)).toHaveLength(1);
      await eventually('the SMS channel connected again', async () =>
        (await health()).channels.find((c) => c.channel === 'sms' && c.status === 'connected'),
      );
    }
  }, 60_000);
});

/** A request to the API as the first admin. */
async function adminApi(world: MessagingWorld, path: string): Promise<Response> {
  const login = await fetch(`${world.server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@localhost', password: 'admin password 1' }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  return fetch(`${world.server.url}/api/v1${path}`, { headers: { cookie } });
}
