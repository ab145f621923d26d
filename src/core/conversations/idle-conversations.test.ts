import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignedConversation } from '../../../test/support/assigned-conversation.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { IdleConversations } from './idle-conversations.ts';

const minutes = (n: number) => n * 60_000;

/** Issue 14: a member silent after an agent's message is reminded, then the conversation closes. */
describe('idle conversations under the test clock', () => {
  let t: TestCenter;
  beforeEach(async () => {
    t = await createTestCenter();
  });
  afterEach(() => t.close());

  async function assigned(from: string) {
    const { agent, conversation } = await assignedConversation(t, from);
    await t.center.conversations.reply(agent.id, conversation.id, { text: 'Which order is it?' });
    return { agent, conversation };
  }

  it('does nothing until an admin turns it on', async () => {
    await assigned('off');
    t.clock.advance(minutes(600));
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });
  });

  it('reminds after N minutes, closes M minutes later with the reason on the timeline; a reply starts over', async () => {
    await t.center.idle.saveSettings({ enabled: true, reminderMinutes: 10, closeMinutes: 5 });
    const { agent, conversation } = await assigned('quiet');
    const from = 'quiet';
    t.clock.advance(minutes(10) - 1_000);
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });
    t.clock.advance(1_000);
    expect(await t.center.idle.sweep()).toEqual({ reminded: 1, closed: 0 });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo(from).at(-1)).toBe(
      'Are you still there? Reply here to keep this conversation open.',
    );
    // Reminded once only.
    t.clock.advance(minutes(4));
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });

    // The member answers: no close; the agent writes again and the wait starts over.
    await t.connector.receive({ from, text: 'order 1234', address: { thread: from } });
    t.clock.advance(minutes(30));
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });
    await t.center.conversations.reply(agent.id, conversation.id, {
      text: 'Found it. Anything else?',
    });
    t.clock.advance(minutes(10));
    expect(await t.center.idle.sweep()).toEqual({ reminded: 1, closed: 0 });
    t.clock.advance(minutes(5));
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 1 });
    await t.center.dispatcher.tick();

    const closed = await t.store.conversations.get(conversation.id);
    expect(closed?.state).toBe('closed');
    expect(t.connector.textsTo(from).at(-1)).toMatch(
      /^We closed this conversation because we did not hear back/,
    );
    const timeline = await t.center.cases.timeline(closed!.caseId!);
    expect(timeline.find((e) => e.type === 'note' && e.data.idleClosed)?.data.text).toBe(
      'Conversation closed automatically: no reply from the member for 15 minutes (reminded after 10).',
    );
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });
  });

  it('is claimed once: an instance holding the sweep lease keeps another from reminding twice', async () => {
    await t.center.idle.saveSettings({ enabled: true, reminderMinutes: 1, closeMinutes: 1 });
    await assigned('leased');
    t.clock.advance(minutes(1));
    const other = new IdleConversations(t.store, t.center.bus, t.clock, t.center.cases, { owner: 'other' });
    await t.store.leases.acquire({
      name: 'conversations:idle-sweep',
      owner: 'other',
      now: t.clock.now().toISOString(),
      ttlMs: 60_000,
    });
    expect(await t.center.idle.sweep()).toEqual({ reminded: 0, closed: 0 });
    expect(other.options.owner).toBe('other');
  });

  it('refuses settings out of range, changing nothing', async () => {
    await expect(
      t.center.idle.saveSettings({ enabled: true, reminderMinutes: 0, closeMinutes: 5 }),
    ).rejects.toThrow(/reminderMinutes/);
    expect(await t.center.idle.settings()).toEqual({ enabled: false, reminderMinutes: 30, closeMinutes: 30 });
  });
});
