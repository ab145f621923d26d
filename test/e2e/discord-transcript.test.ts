import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/model.ts';
import { assignedMember, useDiscordWorld } from './discord-harness.ts';

/** Issue 14: a queue that sends transcripts gives the member one HTML file in their DM when the agent closes. */
describe('Discord: the transcript sent to the member at close', () => {
  let agent: Agent;
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Dana');
  });

  async function closeAndWaitForRating(username: string) {
    const center = w.switchboard.center;
    const { member, conversation } = await assignedMember(w, agent, username);
    await center.conversations.reply(agent.id, conversation.id, { text: 'Your order ships tomorrow.' });
    await center.monitor.addNote(agent.id, conversation.id, 'Tell them nothing yet about the delay');
    await center.conversations.close(agent.id, conversation.id);
    await w.waitForDms(member, (d) => d.find((m) => /How would you rate/.test(m.content)), 'rating question');
    return { member, conversation };
  }

  it('a queue without the setting sends none', async () => {
    const { member } = await closeAndWaitForRating('no-transcript');
    expect(w.botDms(member).filter((m) => m.attachments.length > 0)).toEqual([]);
    expect(w.botDms(member).some((m) => /transcript/i.test(m.content))).toBe(false);
  });

  it('a queue with the setting sends exactly one, as an HTML file, before the rating question', async () => {
    const center = w.switchboard.center;
    const { queue } = await center.queues.handoffQueue();
    await center.queues.update(queue.id, { sendTranscript: true });
    const { member, conversation } = await closeAndWaitForRating('with-transcript');
    const kase = await center.cases.get(conversation.caseId!);

    const withFiles = w.botDms(member).filter((m) => m.attachments.length > 0);
    expect(withFiles).toHaveLength(1);
    const [sent] = withFiles;
    expect(sent!.content).toBe(`Here is the transcript of your conversation about case #${kase.number}.`);
    expect(sent!.attachments).toMatchObject([
      { filename: `transcript-case-${kase.number}.html`, content_type: 'text/html' },
    ]);
    // The member's view: what was said, never the internal note or the case timeline.
    const html = w.discord.uploaded(sent!.attachments[0]!.url)?.toString('utf8') ?? '';
    expect(html).toContain('<!doctype html>');
    expect(html).toContain('Your order ships tomorrow.');
    expect(html).toContain(`Case #${kase.number}`);
    for (const hidden of ['Tell them nothing yet', 'Case timeline']) expect(html).not.toContain(hidden);
    // It came before the rating question, whose buttons still work.
    const dms = w.botDms(member);
    const rating = dms.find((m) => /How would you rate/.test(m.content))!;
    expect(BigInt(sent!.id) < BigInt(rating.id)).toBe(true);
    expect(JSON.stringify(w.discord.message(rating.id)?.components)).not.toContain('"disabled":true');
    // Delivered once: the outbox holds nothing more for the conversation.
    await center.dispatcher.tick();
    expect(w.botDms(member).filter((m) => m.attachments.length > 0)).toHaveLength(1);
  });
});
