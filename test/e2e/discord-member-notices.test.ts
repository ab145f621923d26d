import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Case } from '../../src/core/model.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import { useDiscordWorld } from './discord-harness.ts';

const DM_ROUTE = 'POST /channels/:channel_id/messages';

/**
 * Everything sent to a member goes through the outbox: a bug report's status change DM is written with the
 * change and delivered once by the dispatcher (retried through Discord failures, idempotent by nonce), and
 * the hint answering a file-only DM is a message of the conversation, sent once per Discord message.
 */
describe('Discord: notices and hints through the outbox', () => {
  let agent: Agent;
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Sam');
  });

  /** A member files a bug report with /bug; returns the case. */
  async function reportBug(reporter: ApiUser, title: string): Promise<Case> {
    w.discord.invokeSlashCommand(reporter, w.guild, w.guild.channels.general!, 'bug');
    await w.discord.waitFor(() => w.discord.shownModal(reporter, 'sb:bug'), 10_000, 'the /bug modal');
    const submit = w.discord.submitModal(reporter, 'sb:bug', {
      title,
      happened: 'It closes.',
      steps: '1. Open it',
      expected: 'It stays open',
      platform: 'Android 15 / 2.0.1',
    });
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      10_000,
      'the case number',
    );
    return w.switchboard.center.cases.getByNumber(Number(/#(\d+)/.exec(reply.content ?? '')?.[1]));
  }

  const statusDms = (reporter: ApiUser, kase: Case, status: string) =>
    w
      .botDms(reporter)
      .filter((m) => m.content.includes(`#${kase.number}`) && m.content.includes(`**${status}**`));

  /** Changes the status, then waits for its DM. */
  async function changeStatus(reporter: ApiUser, kase: Case, status: 'open' | 'pending' | 'solved') {
    await w.switchboard.center.cases.update(kase.id, { status }, { kind: 'agent', id: agent.id });
    await w.waitForDms(reporter, () => statusDms(reporter, kase, status).length > 0, `the ${status} DM`);
  }

  it('a status DM refused by Discord (5xx) meanwhile arrives once, after the failures, in order', async () => {
    const reporter = w.member({ username: 'rafa' });
    const kase = await reportBug(reporter, 'Crash on start');
    w.discord.failNext(DM_ROUTE, 3, 503);
    await w.switchboard.center.cases.update(kase.id, { status: 'open' }, { kind: 'agent', id: agent.id });
    await w.waitForDms(reporter, () => statusDms(reporter, kase, 'open').length > 0, 'the open DM');
    // The next notice goes after the first one (the member's notices keep their order): when it is there,
    // the first one has been delivered for good.
    await changeStatus(reporter, kase, 'solved');
    expect(statusDms(reporter, kase, 'open')).toHaveLength(1);
    expect(statusDms(reporter, kase, 'solved')).toHaveLength(1);
    const order = w.botDms(reporter).map((m) => m.content);
    expect(order.findIndex((c) => c.includes('**open**'))).toBeLessThan(
      order.findIndex((c) => c.includes('**solved**')),
    );
    expect(order.find((c) => c.includes('**open**'))).toBe(
      `Update on your bug report #${kase.number} "Crash on start": it is now **open**.`,
    );
  });

  it('a status DM whose answer was lost ("stored, then 500") is not posted twice by the retry', async () => {
    const reporter = w.member({ username: 'noor' });
    const kase = await reportBug(reporter, 'Sound stops');
    w.discord.failNext(DM_ROUTE, 1, 500, { afterStoring: true });
    await changeStatus(reporter, kase, 'pending');
    await changeStatus(reporter, kase, 'solved');
    expect(statusDms(reporter, kase, 'pending')).toHaveLength(1);
    expect(statusDms(reporter, kase, 'solved')).toHaveLength(1);
  });

  it('the hint to a file-only DM is sent once when Discord delivers the message twice, and is in the transcript', async () => {
    const member = w.member({ username: 'kim' });
    const file = { filename: 'screenshot.png', content_type: 'image/png', size: 1_000 };
    const dm = w.discord.sendDm(member, '', { attachments: [file] });
    const hints = () => w.botDms(member).filter((m) => /read text only/.test(m.content));
    await w.waitForDms(member, () => hints().length > 0, 'the hint');
    // Handled again as by an instance that took the gateway session over and resumed it: its client never
    // saw the message (discord.js drops a redelivered message it has cached).
    const channel = w.connector.discord?.channels.cache.get(dm.channel_id);
    if (channel?.isTextBased()) channel.messages.cache.clear();
    w.discord.redeliverMessage(dm);
    // The member's messages are handled in order and the conversation's messages are sent in order: once
    // the answer to a later message is there, a second hint would have been sent before it.
    w.discord.sendDm(member, 'How do I reset my password?');
    await w.waitForDms(member, (d) => d.length >= 2 && d.at(-1) !== hints().at(-1), 'the next answer');
    expect(hints()).toHaveLength(1);

    const center = w.switchboard.center;
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const transcript = await center.conversations.transcript(conversation!.id);
    const stored = transcript.filter((m) => m.authorKind === 'bot' && /read text only/.test(m.text));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.delivery).toMatchObject({ status: 'sent' });
  });
});
