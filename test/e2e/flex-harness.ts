import type { Conversation } from '../../src/core/model.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/free-port.ts';
import { TwilioFake } from '../support/twilio-fake/twilio-fake.ts';
import { type DiscordWorld, startDiscordWorld } from './discord-harness.ts';

export interface FlexWorld extends DiscordWorld {
  twilio: TwilioFake;
  /** The member's Switchboard conversation, newest first. */
  conversationOf(user: ApiUser): Promise<Conversation>;
  /** `/helpme` with a question, then "Talk to a person" on the virtual agent's answer; resolves with the case note. */
  handOff(user: ApiUser, question: string): Promise<string>;
  /** The member's Switchboard conversation once its hand-off to Flex is linked to a Twilio conversation. */
  bridged(user: ApiUser): Promise<Conversation & { bridge: { ref: string } }>;
}

/**
 * The real Switchboard with Discord (the emulator) and the Flex bridge on a local Twilio (the real SDK),
 * SWITCHBOARD_HANDOFF_TARGET=flex: the default flow hands conversations to Flex.
 */
export async function startFlexWorld(env: Record<string, string> = {}): Promise<FlexWorld> {
  const twilio = await TwilioFake.start();
  const port = await freePort();
  const world = await startDiscordWorld({
    env: {
      ...twilio.env(),
      SWITCHBOARD_HANDOFF_TARGET: 'flex',
      PORT: String(port),
      SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
      // Retries after a Twilio failure come soon, so that delivery resumes within a test.
      SWITCHBOARD_OUTBOX_MAX_RETRY_DELAY_SECONDS: '1',
      ...env,
    },
  }).catch(async (error: unknown) => {
    await twilio.close();
    throw error;
  });
  const center = world.switchboard.center;
  const conversationOf = async (user: ApiUser) => {
    const contact = await center.store.contacts.findByIdentity('discord', user.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    return conversation!;
  };
  return {
    ...world,
    twilio,
    conversationOf,
    async handOff(user, question) {
      const general = world.guild.channels.general!;
      const before = world.botDms(user).length;
      world.discord.invokeSlashCommand(user, world.guild, general, 'helpme', { question });
      const answer = await world.waitForDms(
        user,
        (d) => d.slice(before).find((m) => JSON.stringify(m.components ?? []).includes('sb:handoff')),
        'the virtual agent answer with "Talk to a person"',
      );
      world.discord.clickButton(user, answer.id, 'sb:handoff');
      const told = await world.waitForDms(
        user,
        (d) => d.slice(before).find((m) => /case #\d+/.test(m.content)),
        'the case number',
      );
      return told.content;
    },
    async bridged(user) {
      return eventually('the conversation linked to a Twilio conversation', async () => {
        const conversation = await conversationOf(user);
        return conversation.bridge?.ref ? (conversation as Conversation & { bridge: { ref: string } }) : null;
      });
    },
    async close() {
      await world.close();
      await twilio.close();
    },
  };
}
