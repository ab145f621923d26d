import { Events, type Message } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { buttonsOf, useDiscordWorld } from './discord-harness.ts';

/** Journeys 1 and 2 of issue 3: /helpme, the virtual agent in DMs, idempotent receive, buttons. */
describe('Discord: /helpme and the virtual agent in DMs', () => {
  const w = useDiscordWorld();

  it('is healthy once connected', () => {
    expect(w.connector.health()).toMatchObject({
      status: 'connected',
      detail: null,
      shards: [{ id: 0, status: 'connected', owner: w.connector.owner }],
    });
  });

  it('/helpme with a question: ephemeral note, DM greeting, then an answer with article embeds and two buttons', async () => {
    const member = w.member({ username: 'mina' });
    const general = w.guild.channels.general!;
    const interaction = w.discord.invokeSlashCommand(member, w.guild, general, 'helpme', {
      question: 'How do I reset my password?',
    });

    const note = await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(interaction)
          .find((r) => r.kind === 'original-edit' && r.content?.includes('direct message')),
      10_000,
      'the ephemeral note',
    );
    expect(w.discord.interactionResponses(interaction)[0]).toMatchObject({
      kind: 'callback',
      ephemeral: true,
    });
    expect(note.content).toBe("I've sent you a direct message.");

    const dms = await w.waitForDms(member, (d) => (d.length >= 2 ? d : null), 'greeting and answer');
    expect(dms[0]?.content).toMatch(/hello|hi|welcome/i);
    const answer = dms[1]!;
    expect(answer.embeds.length).toBeGreaterThan(0);
    const embed = answer.embeds[0] as { title?: string; url?: string; description?: string };
    expect(embed.title).toMatch(/password/i);
    expect(embed.url).toMatch(/^http:\/\/switchboard\.test\/kb\//);
    expect(embed.description?.length).toBeGreaterThan(0);
    expect(buttonsOf(answer)).toEqual([['sb:resolved', 'sb:handoff']]);
    expect(JSON.stringify(answer.components)).toContain('This solved it');
    expect(JSON.stringify(answer.components)).toContain('Talk to a person');

    // The conversation is stored with the DM as its address, the question in the transcript.
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    expect(conversation?.address).toMatchObject({ userId: member.id, channelId: answer.channel_id });
    const transcript = await w.switchboard.center.conversations.transcript(conversation!.id);
    expect(transcript[0]).toMatchObject({ authorKind: 'contact', text: 'How do I reset my password?' });

    // "This solved it": the row is disabled at once and the virtual agent is glad.
    const click = w.discord.clickButton(member, answer.id, 'sb:resolved');
    await w.waitForDms(member, (d) => d.length >= 3, 'glad it helped');
    expect(w.discord.interactionResponses(click)[0]).toMatchObject({ kind: 'callback', callbackType: 7 });
    const updated = w.discord.message(answer.id)!;
    expect(JSON.stringify(updated.components)).toContain('"disabled":true');
    expect(w.botDms(member)[2]?.content).toMatch(/glad/i);
  });

  it('every DM reaches Switchboard once, even when Discord delivers it twice', async () => {
    const member = w.member({ username: 'omar' });
    // What discord.js hands the connector: each MESSAGE_CREATE it emits for this member.
    const emitted: string[] = [];
    const client = w.connector.discord!;
    const listener = (message: Message) => {
      if (message.author.id === member.id) emitted.push(message.id);
    };
    client.on(Events.MessageCreate, listener);
    try {
      const dm = w.discord.sendDm(member, 'Where is my order?');
      await w.waitForDms(member, (d) => d.length >= 1, 'the answer to the first DM');

      // discord.js itself drops a copy of a message it still caches; once its cache let the message go
      // (the per-channel limit, sweepers), a copy reaches Switchboard. Let it go now.
      const dmChannel = client.channels.cache.get(dm.channel_id);
      expect(dmChannel?.isDMBased()).toBe(true);
      if (dmChannel?.isDMBased()) dmChannel.messages.cache.delete(dm.id);
      // Discord delivers the same event again under a new sequence number; discord.js passes it on.
      const [copy] = w.discord.redeliverMessage(dm);
      const dispatches = w.discord
        .gatewayLog()
        .filter((e) => e.direction === 'out' && e.t === 'MESSAGE_CREATE');
      expect(dispatches.some((e) => e.s === copy)).toBe(true);
      await w.discord.waitFor(
        () => emitted.filter((id) => id === dm.id).length === 2,
        10_000,
        'discord.js emitting the copy',
      );

      // The member writes again; once that is answered, the copy (emitted before it) has been handled too.
      const next = w.discord.sendDm(member, 'And when will it arrive?');
      await w.waitForDms(member, (d) => d.length >= 2, 'the answer to the second DM');
      const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', member.id);
      const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
      const transcript = await w.switchboard.center.conversations.transcript(conversation!.id);
      expect(transcript.filter((m) => m.authorKind === 'contact').map((m) => m.externalId)).toEqual([
        dm.id,
        next.id,
      ]);
      // One answer per message: the copy was not answered again.
      expect(transcript.filter((m) => m.authorKind === 'bot')).toHaveLength(2);
      expect(w.botDms(member)).toHaveLength(2);
    } finally {
      client.off(Events.MessageCreate, listener);
    }
  });

  it('when the virtual agent is not sure, it says so and offers a person', async () => {
    const member = w.member({ username: 'sam' });
    w.discord.sendDm(member, 'zxqv plorb wibble');
    const [reply] = await w.waitForDms(member, (d) => (d.length >= 1 ? d : null), 'the unsure reply');
    expect(buttonsOf(reply)).toEqual([['sb:handoff']]);
  });

  /** Posts, as the bot, a DM carrying a button (as an older Switchboard version might have left). */
  async function staleButton(user: { id: string }, customId: string) {
    const headers = { authorization: `Bot ${w.discord.token}`, 'content-type': 'application/json' };
    const api = `${w.discord.url}/api/v10`;
    const dm = await (
      await fetch(`${api}/users/@me/channels`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ recipient_id: user.id }),
      })
    ).json();
    const components = [{ type: 1, components: [{ type: 2, style: 2, label: 'Old', custom_id: customId }] }];
    return (
      await fetch(`${api}/channels/${dm.id}/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ content: 'an old message', components }),
      })
    ).json() as Promise<{ id: string }>;
  }

  it('an unknown button id gets a clear ephemeral reply', async () => {
    const member = w.member({ username: 'kai' });
    const old = await staleButton(member, 'sb:old-thing');
    const click = w.discord.clickButton(member, old.id, 'sb:old-thing');
    const reply = await w.discord.waitFor(() => w.discord.interactionResponses(click)[0], 10_000, 'reply');
    expect(reply).toMatchObject({ ephemeral: true, content: 'This button is no longer active.' });
  });

  it('a refused action (rating with nothing to rate) is shown as a short ephemeral message', async () => {
    const member = w.member({ username: 'early' });
    const old = await staleButton(member, 'sb:rate:3');
    const click = w.discord.clickButton(member, old.id, 'sb:rate:3');
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(click).find((r) => r.kind === 'followup'),
      10_000,
      'the error reply',
    );
    expect(reply).toMatchObject({
      ephemeral: true,
      content: "That didn't work: there is no closed conversation to rate.",
    });
  });
});
