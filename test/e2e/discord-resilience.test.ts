import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/model.ts';
import { agentTexts, assignedMember, eventually, useDiscordWorld } from './discord-harness.ts';

const MESSAGES_ROUTE = 'POST /channels/:channel_id/messages';

/**
 * Acceptance of issue 3: Discord's rate limits are respected (no burst of 429s), a 5xx or a 429 for a while
 * loses and doubles nothing, and neither does a dropped gateway connection in the middle of a conversation.
 */
describe('Discord: rate limits, outages and a dropped gateway', () => {
  let agent: Agent;
  const w = useDiscordWorld();
  beforeAll(async () => {
    agent = await w.agent('Ana', 10);
  });

  it('keeps to a tight rate limit without a burst of 429s; every reply arrives once, in order', async () => {
    const { member, conversation } = await assignedMember(w, agent, 'busy');
    w.discord.setRateLimit(MESSAGES_ROUTE, { limit: 2, windowMs: 300 });
    const before = w.discord.requests({ status: 429 }).length;
    const texts = Array.from({ length: 8 }, (_, i) => `Reply ${i + 1}`);
    for (const text of texts)
      await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(member, () => agentTexts(w, agent, member).length >= texts.length, 'all replies');
    expect(agentTexts(w, agent, member)).toEqual(texts);
    // discord.js reads the bucket headers and waits; at most the first request of a new bucket may be refused.
    expect(w.discord.requests({ status: 429 }).length - before).toBeLessThanOrEqual(1);
    w.discord.setRateLimit(MESSAGES_ROUTE, null);
  });

  it('a 5xx outage and unannounced 429s for a while: every agent reply still arrives once, in order', async () => {
    const { member, conversation } = await assignedMember(w, agent, 'unlucky');
    // Each refused request costs one outbox attempt (discord.js does not retry on its own).
    w.discord.failNext(MESSAGES_ROUTE, 3, 502);
    const texts = Array.from({ length: 5 }, (_, i) => `During the outage ${i + 1}`);
    for (const text of texts)
      await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(
      member,
      () => agentTexts(w, agent, member).length >= texts.length,
      'replies after the outage',
    );
    expect(w.discord.requests({ route: MESSAGES_ROUTE, status: 502 })).toHaveLength(3);

    w.discord.rateLimitNext(MESSAGES_ROUTE, 3, 100);
    const more = ['After a 429 1', 'After a 429 2'];
    for (const text of more)
      await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(
      member,
      () => agentTexts(w, agent, member).length >= texts.length + more.length,
      'after the 429s',
    );
    expect(agentTexts(w, agent, member)).toEqual([...texts, ...more]);
    // Marked sent right after Discord accepted each one (nothing failed for good).
    await eventually('the outbox drained', async () =>
      (await w.switchboard.center.store.outbox.listByConversation(conversation.id)).every(
        (item) => item.status === 'sent',
      ),
    );
  });

  it('a long reply whose second part hits an outage is completed without repeating the first part', async () => {
    const { member, conversation } = await assignedMember(w, agent, 'patient');
    const text = Array.from({ length: 120 }, (_, i) => `Line ${i + 1} of the long answer.`).join('\n');
    expect(text.length).toBeGreaterThan(3_000);
    // Nothing else posts in the DM now ("joined" was delivered): the first part passes, the second meets the outage.
    w.discord.failNext(MESSAGES_ROUTE, 3, 503, { skip: 1 });
    await w.switchboard.center.conversations.reply(agent.id, conversation.id, { text });
    await w.waitForDms(
      member,
      (d) => d.some((m) => m.content.endsWith('Line 120 of the long answer.')),
      'the last part',
    );
    const parts = w.botDms(member).filter((m) => m.content.includes('of the long answer.'));
    expect(parts.filter((m) => m.content.includes('Line 1 of'))).toHaveLength(1);
    expect(
      parts
        .map((m) => m.content)
        .join('\n')
        .replace('**Ana**\n', ''),
    ).toBe(text);
    expect(w.discord.requests({ route: MESSAGES_ROUTE, status: 503 }).length).toBe(3);
    // The outage hit the second part: the first one was accepted right before the three 503s.
    const statuses = w.discord.requests({ route: MESSAGES_ROUTE }).map((r) => r.status);
    const outage = statuses.indexOf(503);
    expect(statuses.slice(outage - 1, outage + 4)).toEqual([200, 503, 503, 503, 200]);
  });

  it('a dropped gateway connection in the middle of a conversation loses and doubles nothing', async () => {
    const center = w.switchboard.center;
    const { member, conversation } = await assignedMember(w, agent, 'traveller');
    w.discord.sendDm(member, 'before the drop');
    w.discord.dropGatewayConnection();
    // While the client reconnects and resumes: the member writes, the agent replies.
    const during = [
      w.discord.sendDm(member, 'during the drop 1'),
      w.discord.sendDm(member, 'during the drop 2'),
    ];
    await center.conversations.reply(agent.id, conversation.id, { text: 'Agent during the drop' });
    await w.discord.waitFor(
      () => w.discord.gatewayLog().some((e) => e.direction === 'in' && e.op === 6),
      15_000,
      'a RESUME',
    );
    w.discord.sendDm(member, 'after the drop');
    await center.conversations.reply(agent.id, conversation.id, { text: 'Agent after the drop' });

    const expected = ['agent', 'before the drop', 'during the drop 1', 'during the drop 2', 'after the drop'];
    const transcript = await eventually(
      'every member message stored',
      async () => {
        const messages = await center.conversations.transcript(conversation.id);
        const texts = messages.filter((m) => m.authorKind === 'contact').map((m) => m.text);
        return texts.length >= expected.length ? texts : undefined;
      },
      15_000,
    );
    expect(transcript).toEqual(expected);
    expect(during.every((dm) => dm.id)).toBe(true);
    await w.waitForDms(
      member,
      () => agentTexts(w, agent, member).includes('Agent after the drop'),
      'agent replies',
    );
    expect(agentTexts(w, agent, member)).toEqual(['Agent during the drop', 'Agent after the drop']);
    expect(w.connector.health().status).toBe('connected');
  });
});
