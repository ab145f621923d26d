import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely-store.ts';
import { eventually } from '../support/browser.ts';
import { type MessagingWorld, startMessagingWorld, WHATSAPP_FROM } from './messaging-harness.ts';

/** WhatsApp in Switchboard's own desktop, through Twilio's Messages API (the local Twilio, the real SDK). */
describe('WhatsApp channel', () => {
  let world: MessagingWorld;

  beforeAll(async () => {
    world = await startMessagingWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  const center = () => world.server.sb.center;
  const refusalOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: Error) => error.message,
    );

  it('answers, hands off, carries the agent’s reply, and marks it delivered', async () => {
    const address = 'whatsapp:+15557770001';
    await world.write(address, 'I forgot my password and it no longer works', { profileName: 'Layla' });
    const [answer] = await world.waitSent(address, 1);
    expect(answer).toMatchObject({ to: address, from: WHATSAPP_FROM, statusCallback: world.statusUrl });
    expect(answer!.body).toContain('Reset your password');
    expect(answer!.body).toContain('Reply AGENT: Talk to a person');

    const contact = await center().store.contacts.findByIdentity('whatsapp', '+15557770001');
    expect(contact?.name).toBe('Layla');

    await world.write(address, 'AGENT');
    await world.waitBody(address, 'case #');
    const eve = await world.server.agent('eve@example.com', { name: 'Eve' });
    const conversationId = await world.acceptNextOffer(eve);
    const conversation = await center().conversations.get(conversationId);
    expect(conversation.channel).toBe('whatsapp');
    await center().conversations.reply(eve.id, conversationId, { text: 'Hi Layla, Eve here.' });
    const reply = await world.waitBody(address, 'Eve here');
    expect(reply).toMatchObject({ to: address, from: WHATSAPP_FROM, body: 'Hi Layla, Eve here.' });
    await world.fake.deliveryStatus(reply.sid, 'delivered');
    await world.fake.deliveryStatus(reply.sid, 'read');
    const shown = await eventually('the reply read', async () =>
      (await center().conversations.transcript(conversationId)).find(
        (m) => m.text === 'Hi Layla, Eve here.' && m.delivery?.channelStatus?.status === 'read',
      ),
    );
    expect(shown.delivery?.channelStatus?.errorCode).toBeNull();
  });

  it('refuses an agent reply outside the 24-hour window, with the reason', async () => {
    const address = 'whatsapp:+15557770002';
    await world.write(address, 'I want to talk to a person');
    await world.waitSent(address, 1);
    const fay = await world.server.agent('fay@example.com', { name: 'Fay' });
    const conversationId = await world.acceptNextOffer(fay);
    // Inside the window: sent.
    await center().conversations.reply(fay.id, conversationId, { text: 'Fay here, one moment.' });
    await world.waitBody(address, 'Fay here');

    // The contact's last message, 25 hours ago.
    const db = (center().store as KyselyStore).db;
    const earlier = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await db
      .updateTable('messages')
      .set({ created_at: earlier })
      .where('conversation_id', '=', conversationId)
      .where('author_kind', '=', 'contact')
      .execute();
    const sent = world.sentTo(address).length;
    const refusal = await refusalOf(
      center().conversations.reply(fay.id, conversationId, { text: 'Are you still there?' }),
    );
    expect(refusal).toBe(
      `WhatsApp allows replies only within 24 hours of the contact's last message (${earlier}); the contact has to write again before you can answer.`,
    );
    expect(world.sentTo(address)).toHaveLength(sent);
    const stored = await center().conversations.transcript(conversationId);
    expect(stored.some((m) => m.text === 'Are you still there?')).toBe(false);

    // The contact writes again: the window opens again.
    await world.write(address, 'Yes, still here');
    await eventually('the message stored', async () =>
      (await center().conversations.transcript(conversationId)).some((m) => m.text === 'Yes, still here'),
    );
    await center().conversations.reply(fay.id, conversationId, { text: 'Great, here is the answer.' });
    await world.waitBody(address, 'here is the answer');
  });

  it('is the same contact as on SMS when the number matches', async () => {
    await world.write('+15557770003', 'I forgot my password');
    await world.waitSent('+15557770003', 1);
    const onSms = await center().store.contacts.findByIdentity('sms', '+15557770003');
    await world.write('whatsapp:+15557770003', 'Hello again, on WhatsApp', { profileName: 'Omar' });
    await world.waitSent('whatsapp:+15557770003', 1);
    const onWhatsapp = await center().store.contacts.findByIdentity('whatsapp', '+15557770003');
    expect(onWhatsapp?.id).toBe(onSms?.id);
    // The WhatsApp profile name names the contact; a later SMS (which has none) keeps it.
    await world.write('+15557770003', 'and SMS once more');
    await eventually('the SMS stored', async () => {
      const conversations = await center().store.conversations.list({ contactId: onSms!.id });
      const messages = await Promise.all(
        conversations.map((c) => center().store.messages.listByConversation(c.id)),
      );
      return messages.flat().some((m) => m.text === 'and SMS once more');
    });
    const contact = await center().contacts.get(onSms!.id);
    expect(contact.name).toBe('Omar');
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        { channel: 'sms', externalId: '+15557770003' },
        { channel: 'whatsapp', externalId: '+15557770003' },
      ]),
    );
    // One conversation per channel, both the one person's.
    const conversations = await center().store.conversations.list({ contactId: contact.id });
    expect(conversations.map((c) => c.channel).sort()).toEqual(['sms', 'whatsapp']);
  });

  it('answers HELP itself, honours STOP (the opt-out is per channel) and START, and keeps media', async () => {
    const address = 'whatsapp:+15557770004';
    await world.write(address, 'HELP');
    const help = await world.waitBody(address, 'reply AGENT to talk to a person');
    expect(help.body).toContain('STOP');
    await world.write(address, 'unsubscribe');
    const conversation = await eventually('the WhatsApp conversation', async () => {
      const contact = await center().store.contacts.findByIdentity('whatsapp', '+15557770004');
      return contact && (await center().store.conversations.list({ contactId: contact.id }))[0];
    });
    const sent = world.sentTo(address).length;
    await world.write(address, 'How do I reset my password?');
    const transcript = await eventually('the question stored', async () => {
      const messages = await center().conversations.transcript(conversation.id);
      return messages.some((m) => m.text === 'How do I reset my password?') && messages;
    });
    // The keywords are in the transcript for agents; nothing was sent to the opted-out number.
    expect(transcript.filter((m) => m.authorKind === 'contact').map((m) => m.text)).toEqual([
      'HELP',
      'unsubscribe',
      'How do I reset my password?',
    ]);
    await eventually('the bot answer refused', async () =>
      (await center().conversations.transcript(conversation.id)).find(
        (m) => m.authorKind === 'bot' && m.delivery?.status === 'failed',
      ),
    );
    expect(world.sentTo(address)).toHaveLength(sent);
    // The same number on SMS did not opt out.
    await world.write('+15557770004', 'How do I reset my password?');
    await world.waitBody('+15557770004', 'Reset your password');

    await world.write(address, 'START');
    await world.write(address, 'Here is my screenshot', {
      mediaUrls: ['https://media.example.com/shot.jpg'],
    });
    await world.waitSent(address, sent + 1);
    const withMedia = (await center().conversations.transcript(conversation.id)).find(
      (m) => m.text === 'Here is my screenshot',
    );
    expect(withMedia?.attachments).toEqual([
      { url: 'https://media.example.com/shot.jpg', name: 'WhatsApp media 1.jpg', contentType: 'image/jpeg' },
    ]);
  });
});
