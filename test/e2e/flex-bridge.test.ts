import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botIdentity, memberIdentity } from '../../src/channels/flex/flex-connector.ts';
import { eventually } from '../support/eventually.ts';
import { type FlexWorld, startFlexWorld } from './flex-harness.ts';

describe('Flex bridge: Discord conversations handed to Twilio Flex', () => {
  let w: FlexWorld;
  beforeAll(async () => {
    w = await startFlexWorld();
  });
  afterAll(() => w?.close());

  it('/helpme → virtual agent → "Talk to a person" → case #N → Flex holds the transcript and routes it; the Flex agent joins, answers, hears the member and closes', async () => {
    const center = w.switchboard.center;
    const member = w.member({ username: 'flex-member' });
    const told = await w.handOff(member, 'How do I reset my password?');
    const number = Number(/case #(\d+)/.exec(told)?.[1]);
    expect(told).toBe(`I have opened case #${number} for you and I am transferring you to a person.`);

    const conversation = await w.bridged(member);
    const sid = conversation.bridge.ref;
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const identity = memberIdentity(contact!.id);
    expect(identity).not.toContain('flex-member');
    const twilioConversation = await eventually('the Interaction', () =>
      w.twilio.interactions().length > 0 ? w.twilio.conversation(sid) : null,
    );
    expect(twilioConversation.attributes).toMatchObject({
      channel: 'discord',
      discordChannelId: conversation.address.channelId,
      caseNumber: number,
    });
    expect(twilioConversation.participants.map((p) => p.identity)).toEqual([identity]);
    expect(twilioConversation.webhooks).toEqual([
      expect.objectContaining({
        target: 'webhook',
        url: `${w.base.replace('localhost', '127.0.0.1')}/webhooks/twilio/conversations`,
        filters: expect.arrayContaining([
          'onMessageAdded',
          'onConversationStateUpdated',
          'onParticipantAdded',
        ]),
      }),
    ]);
    // The transcript, in order, with the member's words authored by their identity and the bot's by the bot.
    const transcript = await center.conversations.transcript(conversation.id);
    const handedOver = transcript.filter((m) => m.createdAt <= conversation.bridge.since && m.text.trim());
    expect(twilioConversation.messages.map((m) => [m.author, m.body])).toEqual(
      handedOver.map((m) => [
        m.authorKind === 'contact' ? identity : botIdentity,
        expect.stringContaining(m.text),
      ]),
    );
    expect(twilioConversation.messages[0]).toMatchObject({
      author: identity,
      body: 'How do I reset my password?',
    });
    const [interaction] = w.twilio.interactions();
    expect(interaction!.channel).toEqual({
      type: 'chat',
      initiated_by: 'customer',
      properties: { media_channel_sid: sid },
    });
    expect(interaction!.routing).toMatchObject({
      properties: {
        workspace_sid: w.twilio.workspaceSid,
        workflow_sid: w.twilio.workflowSid,
        task_channel_unique_name: 'chat',
        attributes: {
          customerName: 'flex-member',
          channelType: 'chat',
          channel: 'discord',
          caseNumber: number,
          summary: expect.stringContaining('How do I reset my password?'),
        },
      },
    });
    expect(JSON.stringify(interaction!.routing)).toMatch(/virtual agent suggested: .*password/i);

    // Desktop agents are never offered it.
    expect(await center.store.reservations.list({ conversationId: conversation.id })).toEqual([]);

    await w.twilio.flexAgentJoins(sid, 'dana@acme.example');
    await w.waitForDms(
      member,
      (d) => d.find((m) => m.content === 'dana@acme.example joined the conversation.'),
      'joined',
    );

    const sent = await w.twilio.flexAgentSends(sid, 'Hi, I can help with the password.');
    expect(sent.deliveries.map((d) => d.status)).toEqual([200]);
    await w.waitForDms(
      member,
      (d) => d.find((m) => m.content === '**dana@acme.example**\nHi, I can help with the password.'),
      'the Flex agent reply',
    );

    w.discord.sendDm(member, 'Thanks, the reset email never arrives');
    const echoed = await eventually('the member message in Twilio', () =>
      w.twilio.conversation(sid).messages.find((m) => m.body === 'Thanks, the reset email never arrives'),
    );
    expect(echoed).toMatchObject({ author: identity, webhookEnabled: true });
    expect(echoed.attributes).toMatchObject({ origin: 'switchboard' });
    // Our own copy came back on the webhook and was not sent to the member.
    expect(w.botDms(member).filter((m) => m.content.includes('reset email never arrives'))).toEqual([]);

    await w.twilio.flexAgentCloses(sid);
    await w.waitForDms(
      member,
      (d) => d.find((m) => m.content.startsWith('This conversation with our team is now closed')),
      'told of the close',
    );
    const closed = await center.conversations.get(conversation.id);
    expect(closed.state).toBe('closed');
    const detail = await center.cases.detail(closed.caseId!);
    expect(detail.case.status).toBe('solved');
    expect(detail.timeline.map((e) => e.data.text)).toContain(`Closed in Flex (conversation ${sid}).`);

    const before = w.botDms(member).length;
    w.discord.sendDm(member, 'How do I change my email address?');
    await w.waitForDms(member, (d) => d.length > before, 'the bot answers the next message');
    const next = await w.conversationOf(member);
    expect(next.id).not.toBe(conversation.id);
    expect(next.state).toBe('bot');
    expect(w.twilio.interactions()).toHaveLength(1);
  });
});
