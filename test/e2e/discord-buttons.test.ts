import { describe, expect, it } from 'vitest';
import { buttonsOf, useDiscordWorld } from './discord-harness.ts';

/** Issue 9 item 18: buttons stop working once their choice is made, by a click or by typing. */
describe('Discord: buttons that were used', () => {
  const w = useDiscordWorld();

  it('"This solved it" and "Talk to a person" are disabled once the member typed that they want a person', async () => {
    const member = w.member({ username: 'typist' });
    w.discord.sendDm(member, 'How do I reset my password?');
    const answer = await w.waitForDms(member, (d) => d.find((m) => m.components.length > 0), 'the answer');
    expect(buttonsOf(answer)).toEqual([['sb:resolved', 'sb:handoff']]);

    w.discord.sendDm(member, 'I want a real person');
    const told = await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case opened');
    // By the time the member reads the hand-off, the old answer's buttons no longer work.
    expect(BigInt(told.id)).toBeGreaterThan(BigInt(answer.id));
    const rows = w.discord.message(answer.id)?.components as Array<{ components: { disabled?: boolean }[] }>;
    expect(rows.flatMap((r) => r.components.map((b) => b.disabled))).toEqual([true, true]);
    expect(() => w.discord.clickButton(member, answer.id, 'sb:resolved')).toThrow(/disabled/);
  });

  it('a newer answer takes over: only the latest answer has working buttons', async () => {
    const member = w.member({ username: 'asker' });
    w.discord.sendDm(member, 'How do I reset my password?');
    const first = await w.waitForDms(member, (d) => d.find((m) => m.components.length > 0), 'first answer');
    w.discord.sendDm(member, 'How do I change my email address?');
    const second = await w.waitForDms(
      member,
      (d) => d.find((m) => m.id !== first.id && m.components.length > 0),
      'second answer',
    );
    expect(JSON.stringify(w.discord.message(first.id)?.components)).toContain('"disabled":true');
    expect(JSON.stringify(w.discord.message(second.id)?.components)).not.toContain('"disabled":true');
    // The live one still works: pressing it is answered and disables it in the same response.
    const click = w.discord.clickButton(member, second.id, 'sb:resolved');
    await w.waitForDms(member, (d) => d.find((m) => /glad/i.test(m.content)), 'glad it helped');
    expect(w.discord.interactionResponses(click)[0]).toMatchObject({ kind: 'callback', callbackType: 7 });
    expect(JSON.stringify(w.discord.message(second.id)?.components)).toContain('"disabled":true');
  });
});
