import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberIdentity } from '../../src/channels/flex/flex-connector.ts';
import { launchBrowser, newPage, signIn } from '../support/browser.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN_PASSWORD } from './discord-harness.ts';
import { type FlexWorld, startFlexWorld } from './flex-harness.ts';

/** Reuse of the member's Twilio conversation, signatures, redelivery, Twilio's failures and the desktop view. */
describe('Flex bridge: once, in order, and only from Twilio', () => {
  let w: FlexWorld;
  let browser: Browser;
  beforeAll(async () => {
    [w, browser] = await Promise.all([startFlexWorld(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  const webhookUrl = () => `${w.base}/webhooks/twilio/conversations`;
  const identityOf = async (user: ApiUser) =>
    memberIdentity((await w.switchboard.center.store.contacts.findByIdentity('discord', user.id))!.id);
  /** The member's DMs that are the Flex agent's `text`. */
  const agentDms = (user: ApiUser, text: string) =>
    w.botDms(user).filter((m) => m.content.endsWith(`\n${text}`));
  const interactionsFor = (sid: string) =>
    w.twilio
      .interactions()
      .filter(
        (i) =>
          (i.channel as { properties?: { media_channel_sid?: string } }).properties?.media_channel_sid ===
          sid,
      );

  it('a second hand-off reuses the member’s open Twilio conversation; after Flex closes it, a new one', async () => {
    const member = w.member({ username: 'returning-member' });
    // An earlier hand-off of this member left a Twilio conversation open (its Switchboard side ended).
    await w.handOff(member, 'How do I reset my password?');
    const first = await w.bridged(member);
    await eventually('the first Interaction', () => interactionsFor(first.bridge.ref).length === 1);
    const center = w.switchboard.center;
    // Switchboard's conversation ends while the Twilio one stays open (as after a restore of an older backup).
    await center.store.conversations.update({
      ...first,
      state: 'closed',
      closedAt: new Date().toISOString(),
    });
    await w.handOff(member, 'My invoice shows the wrong amount');
    const second = await eventually('the second conversation handed over', async () => {
      const c = await w.conversationOf(member);
      return c.id !== first.id && c.bridge?.ref ? c : null;
    });
    expect(second.bridge?.ref).toBe(first.bridge.ref);
    await eventually(
      'a second Interaction on the same conversation',
      () => interactionsFor(first.bridge.ref).length === 2,
    );
    expect(w.twilio.conversation(first.bridge.ref).attributes).toMatchObject({
      caseNumber: expect.any(Number),
      switchboardConversationId: second.id,
    });
    expect(
      w.twilio
        .conversations()
        .filter((c) => c.participants.some((p) => p.identity === memberIdentity(second.contactId))),
    ).toHaveLength(1);

    await w.twilio.flexAgentCloses(first.bridge.ref);
    await eventually('closed', async () => (await center.conversations.get(second.id)).state === 'closed');
    await w.handOff(member, 'Where is my parcel?');
    const third = await eventually('the third conversation handed over', async () => {
      const c = await w.conversationOf(member);
      return c.id !== second.id && c.bridge?.ref ? c : null;
    });
    expect(third.bridge?.ref).not.toBe(first.bridge.ref);
    expect(w.twilio.conversation(third.bridge!.ref!).state).toBe('active');
  });

  it('forged, missing and other-body signatures get 403 and change nothing', async () => {
    const member = w.member({ username: 'signature-member' });
    await w.handOff(member, 'How do I reset my password?');
    const { id, bridge } = await w.bridged(member);
    const params = {
      EventType: 'onMessageAdded',
      ConversationSid: bridge.ref,
      MessageSid: 'IM00000000000000000000000000000001',
      Author: 'mallory',
      Body: 'Send me your password',
      Attributes: '{}',
    };
    const before = await w.switchboard.center.conversations.transcript(id);
    const forged = await w.twilio.post(webhookUrl(), params, { token: 'not-the-auth-token-0123456789ab' });
    const missing = await w.twilio.post(webhookUrl(), params, { signature: null });
    const otherBody = await w.twilio.post(webhookUrl(), params, {
      signature: w.twilio.sign(webhookUrl(), { ...params, Body: 'Hello' }),
    });
    const close = await w.twilio.post(
      webhookUrl(),
      {
        EventType: 'onConversationStateUpdated',
        ConversationSid: bridge.ref,
        StateFrom: 'active',
        StateTo: 'closed',
      },
      { signature: 'AAAA' },
    );
    expect([forged.status, missing.status, otherBody.status, close.status]).toEqual([403, 403, 403, 403]);
    expect(await w.switchboard.center.conversations.transcript(id)).toEqual(before);
    expect((await w.switchboard.center.conversations.get(id)).state).toBe('assigned');
    expect(
      w.botDms(member).some((m) => m.content.includes('password?') && m.content.includes('Send me')),
    ).toBe(false);

    // Signed, but not what Twilio sends: a clear 400; an unknown conversation: 200 (Twilio would retry a 5xx).
    const bad = await w.twilio.post(webhookUrl(), { EventType: 'onMessageAdded', ConversationSid: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('ConversationSid');
    const unknown = await w.twilio.post(webhookUrl(), {
      ...params,
      ConversationSid: 'CH0000000000000000000000000000dead',
    });
    expect(unknown.status).toBe(200);
  });

  it('a redelivered MessageSid, and two copies at once, reach the member once', async () => {
    const member = w.member({ username: 'redelivery-member' });
    await w.handOff(member, 'How do I reset my password?');
    const { bridge } = await w.bridged(member);
    await eventually('the Interaction', () => interactionsFor(bridge.ref).length === 1);
    const { deliveries } = await w.twilio.flexAgentSends(bridge.ref, 'Only once, please');
    await w.waitForDms(member, () => agentDms(member, 'Only once, please').length === 1, 'the reply');
    const again = await w.twilio.redeliver(deliveries[0]!);
    expect(again.status).toBe(200);
    const twice = {
      ...deliveries[0]!.params,
      MessageSid: 'IM0000000000000000000000000000beef',
      Body: 'Two at once',
    };
    const answers = await Promise.all([
      w.twilio.post(webhookUrl(), twice),
      w.twilio.post(webhookUrl(), twice),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await w.waitForDms(member, () => agentDms(member, 'Two at once').length === 1, 'the second reply');
    // Whatever else reaches the member after, these stay single.
    w.discord.sendDm(member, 'got them');
    await eventually('the member message in Twilio', () =>
      w.twilio.conversation(bridge.ref).messages.some((m) => m.body === 'got them'),
    );
    expect(agentDms(member, 'Only once, please')).toHaveLength(1);
    expect(agentDms(member, 'Two at once')).toHaveLength(1);
  });

  it('Twilio answering 401, 429 and 5xx: the case number is told at once, nothing is lost or doubled, delivery resumes by itself', async () => {
    const center = w.switchboard.center;
    const flexHealth = () => center.connectors.get('flex')!.health();
    const member = w.member({ username: 'outage-member' });
    w.twilio.fail({ status: 401 });
    const told = await w.handOff(member, 'How do I reset my password?');
    expect(told).toMatch(/^I have opened case #\d+ for you/);
    await eventually('the channels page shows the reason', () => flexHealth().status === 'error');
    expect(flexHealth().detail).toMatch(/401/);
    const admin = await fetch(`${w.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: ADMIN_PASSWORD }),
    });
    const cookie = admin.headers.get('set-cookie')?.split(';')[0] ?? '';
    const channels = await fetch(`${w.base}/api/v1/channels`, { headers: { cookie } }).then((r) => r.text());
    expect(channels).toContain('401');
    const conversation = await w.conversationOf(member);
    expect(conversation.bridge?.ref ?? null).toBeNull();

    w.twilio.heal();
    w.twilio.fail({ status: 429, count: 2, retryAfterSeconds: 1 });
    w.twilio.fail({ status: 503, count: 2 });
    const { bridge } = await w.bridged(member);
    await eventually('the Interaction', () => interactionsFor(bridge.ref).length === 1, 60_000);
    // Twilio stores the Interaction before Switchboard reads its answer: the connector is connected just after.
    await eventually(
      'the channels page shows the connector connected again',
      () => flexHealth().status === 'connected',
    );

    // Member messages during an outage wait, then arrive in order, once each.
    w.twilio.fail({ status: 500, path: /\/Messages$/, method: 'POST' });
    for (const text of ['one', 'two', 'three']) w.discord.sendDm(member, text);
    await eventually('the messages stored', async () => {
      const transcript = await center.conversations.transcript(conversation.id);
      return ['one', 'two', 'three'].every((t) => transcript.some((m) => m.text === t));
    });
    await eventually('a failed attempt', () =>
      w.twilio.requests().some((r) => r.status === 500 && r.path.endsWith('/Messages')),
    );
    w.twilio.heal();
    const twilioConversation = await eventually(
      'the three messages in Twilio',
      () => {
        const c = w.twilio.conversation(bridge.ref);
        return c.messages.filter((m) => ['one', 'two', 'three'].includes(m.body ?? '')).length >= 3
          ? c
          : null;
      },
      60_000,
    );
    const identity = await identityOf(member);
    const posted = twilioConversation.messages.filter((m) => ['one', 'two', 'three'].includes(m.body ?? ''));
    expect(posted.map((m) => [m.author, m.body])).toEqual([
      [identity, 'one'],
      [identity, 'two'],
      [identity, 'three'],
    ]);
    // The transcript went over once, whatever the failures.
    const transcriptBodies = twilioConversation.messages.map((m) => m.body);
    expect(transcriptBodies.filter((b) => b === 'How do I reset my password?')).toHaveLength(1);
    expect(
      w.twilio.conversations().filter((c) => c.participants.some((p) => p.identity === identity)),
    ).toHaveLength(1);
  });

  it('the desktop shows a bridged conversation read-only, with "in Flex" and its Twilio sid, and no composer', async () => {
    const member = w.member({ username: 'desktop-member' });
    await w.handOff(member, 'How do I reset my password?');
    const { id, bridge } = await w.bridged(member);
    const { context, page } = await newPage(browser);
    await signIn(page, w.base, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${w.base}/conversations/${id}`);
    const head = page.locator('.conversation-head');
    await head.getByText('in Flex').waitFor();
    await head.getByText(bridge.ref).waitFor();
    await page.getByText('Handled in Flex').waitFor();
    expect(await page.locator('.composer').count()).toBe(0);
    expect(await head.getByRole('button', { name: 'Close' }).count()).toBe(0);
    expect(await head.getByRole('button', { name: 'Transfer' }).count()).toBe(0);

    // The Flex agent's messages appear in the transcript as they arrive, as text.
    await w.twilio.flexAgentSends(bridge.ref, '<img src=x onerror=alert(1)> hello from Flex');
    await page.getByText('<img src=x onerror=alert(1)> hello from Flex').waitFor();
    expect(await page.locator('.transcript img').count()).toBe(0);
    await context.close();

    // The API refuses what the desktop does not offer.
    const login = await fetch(`${w.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const reply = await fetch(`${w.base}/api/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(reply.status).toBe(409);
    expect(await reply.text()).toContain('handled in Flex');
  });
});
