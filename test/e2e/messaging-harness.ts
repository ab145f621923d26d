import type { Agent } from '../../src/core/model.ts';
import { eventually, type RunningSwitchboard, startSwitchboard } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type FakeSentMessage, TwilioFake } from '../support/twilio-fake/twilio-fake.ts';

export const SMS_FROM = '+15005550006';
export const WHATSAPP_FROM = 'whatsapp:+15005550007';

export interface MessagingWorld {
  fake: TwilioFake;
  server: RunningSwitchboard;
  /** `${public URL}/webhooks/twilio/messages`: the number's "A message comes in" webhook. */
  messagesUrl: string;
  statusUrl: string;
  /** A contact writes to the SMS number (or, with `whatsapp:` in `from`, to the WhatsApp sender). */
  write(
    from: string,
    body: string,
    options?: { mediaUrls?: string[]; profileName?: string },
  ): ReturnType<TwilioFake['inboundMessage']>;
  /** What the Messages API was asked to send to `to`, in order. */
  sentTo(to: string): FakeSentMessage[];
  /** Waits until `to` has been sent `count` messages, and returns them. */
  waitSent(to: string, count: number): Promise<FakeSentMessage[]>;
  /** Waits until `to` has been sent a message whose body contains `text`, and returns it. */
  waitBody(to: string, text: string): Promise<FakeSentMessage>;
  /** An agent, present, who accepts the contact's next offer; returns the agent. */
  acceptNextOffer(agent: Agent): Promise<string>;
  stop(): Promise<void>;
}

/** A real Switchboard with SMS and WhatsApp on the local Twilio (the real SDK through TWILIO_API_URL). */
export async function startMessagingWorld(env: Record<string, string> = {}): Promise<MessagingWorld> {
  const fake = await TwilioFake.start();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const server = await startSwitchboard({
    PORT: String(port),
    SWITCHBOARD_PUBLIC_URL: publicUrl,
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_API_URL: fake.url,
    TWILIO_SMS_FROM: SMS_FROM,
    TWILIO_WHATSAPP_FROM: WHATSAPP_FROM,
    SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS: '1',
    ...env,
  });
  const messagesUrl = `${publicUrl}/webhooks/twilio/messages`;
  const sentTo = (to: string) => fake.sentMessages().filter((m) => m.to === to);
  return {
    fake,
    server,
    messagesUrl,
    statusUrl: `${publicUrl}/webhooks/twilio/status`,
    write: (from, body, options = {}) =>
      fake.inboundMessage({
        from,
        to: from.startsWith('whatsapp:') ? WHATSAPP_FROM : SMS_FROM,
        body,
        webhookUrl: messagesUrl,
        ...options,
      }),
    sentTo,
    waitSent: (to, count) =>
      eventually(`${count} messages sent to ${to}`, () => {
        const sent = sentTo(to);
        return sent.length >= count ? sent : null;
      }),
    waitBody: (to, text) =>
      eventually(`a message to ${to} saying "${text}"`, () => sentTo(to).find((m) => m.body.includes(text))),
    async acceptNextOffer(agent) {
      const { center } = server.sb;
      // Agents of earlier journeys step away: the offer is this agent's.
      for (const other of await center.store.agents.list())
        if (other.id !== agent.id && other.presence !== 'offline')
          await center.agents.setPresence(other.id, 'offline');
      await center.presence.heartbeat(agent.id, true);
      await center.agents.setPresence(agent.id, 'available');
      const reservation = await eventually('an offer to the agent', async () => {
        await center.router.offer();
        return (await center.store.reservations.list({ agentId: agent.id, status: 'pending' }))[0];
      });
      await center.router.accept(reservation.id, agent.id);
      return reservation.conversationId;
    },
    async stop() {
      await server.stop();
      await fake.close();
    },
  };
}
