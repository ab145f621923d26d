import { beforeAll, describe, expect, it } from 'vitest';
import { formatBack } from '../../src/core/sla/out-of-hours.ts';
import { say } from '../../src/core/texts.ts';
import { useDiscordWorld } from './discord-harness.ts';

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Issue 14: outside the queue's business hours a member who asks for a person on Discord is told, in their
 * language, when someone is back, and the case is opened and queued all the same.
 */
describe('Discord: a hand-off outside business hours', () => {
  let back: Date;
  const w = useDiscordWorld();
  beforeAll(async () => {
    await w.agent('Dana');
    const center = w.switchboard.center;
    const { queue } = await center.queues.handoffQueue();
    // Open 09:00–17:00 every day, but closed yesterday, today and tomorrow: back the day after, at 09:00.
    const today = Date.parse(`${isoDate(Date.now())}T00:00:00Z`);
    await center.sla.setHours(queue.id, {
      timeZone: 'UTC',
      weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '17:00' })),
      holidays: [-1, 0, 1].map((d) => isoDate(today + d * DAY)),
    });
    back = new Date(today + 2 * DAY + 9 * 3_600_000);
  });

  it.each([
    ['en', 'I want to talk to a person', /case #(\d+)/],
    ['ar', 'أريد التحدث مع موظف', /#(\d+)/],
  ])(
    'in %s: the member is told when a person is back, and gets the case number',
    async (language, ask, caseRef) => {
      const center = w.switchboard.center;
      const member = w.member({ username: `night-${language}`, locale: language === 'ar' ? 'ar' : 'en-US' });
      w.discord.sendDm(member, ask);
      const away = say('outOfHours', language, { back: formatBack(back, 'UTC', language) });
      const told = await w.waitForDms(
        member,
        (d) => d.find((m) => m.content === away),
        'the out-of-hours text',
      );
      expect(told.content).toContain(
        language === 'ar' ? 'فريقنا غير متاح الآن' : 'Our team is away right now',
      );

      const contact = await center.store.contacts.findByIdentity('discord', member.id);
      const [conversation] = await center.conversations.list({ contactId: contact!.id });
      expect(conversation).toMatchObject({ state: 'queued', language });
      const kase = await center.cases.get(conversation!.caseId!);
      const opened = await w.waitForDms(
        member,
        (d) => d.find((m) => caseRef.exec(m.content)?.[1] === String(kase.number)),
        'the case number',
      );
      // First or second in the queue (the English member may still be waiting).
      const caseTexts = [1, 2].map((position) =>
        say('caseOpened', language, { case: kase.number, position }),
      );
      expect(caseTexts).toContain(opened.content);
      // Said once each, the out-of-hours text before the case message.
      const texts = w.botDms(member).map((m) => m.content);
      expect(texts.filter((t) => t === away)).toHaveLength(1);
      expect(texts.indexOf(away)).toBeLessThan(texts.indexOf(opened.content));
    },
  );

  it('/agent from an Arabic Discord client: the DM says it in Arabic', async () => {
    const member = w.member({ username: 'night-slash', locale: 'ar' });
    w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'agent', {}, 'ar');
    const away = say('outOfHours', 'ar', { back: formatBack(back, 'UTC', 'ar') });
    await w.waitForDms(member, (d) => d.find((m) => m.content === away), 'the Arabic out-of-hours text');
    await w.waitForDms(member, (d) => d.find((m) => /#\d+/.test(m.content)), 'the case number');
  });
});
