import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signIn as signInAt } from '../support/api-session.ts';
import { ADMIN_PASSWORD, buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

/**
 * Issue 3's acceptance: a Discord member and an agent working from the desktop's REST API and realtime
 * WebSocket — hand-off, a 4,000-character reply with an attachment, the member's DMs live in the desktop,
 * close and rating; a bug report's status changed from the desktop reaches its reporter.
 */
describe('Discord ↔ the agent desktop (REST API and realtime WebSocket)', () => {
  let socket: WebSocket | null = null;
  const w = useDiscordWorld();
  afterAll(async () => {
    socket?.close();
  });

  const signIn = (email: string, password: string) => signInAt(w.base, email, password);

  it('hand-off, long reply with an attachment, live member messages, close and rating', async () => {
    const admin = await signIn('admin@localhost', ADMIN_PASSWORD);
    const created = await admin.call('POST', '/api/v1/agents', {
      email: 'noor@example.com',
      name: 'Noor',
      role: 'agent',
      password: 'noor-password-1',
    });
    expect(created.status).toBe(201);
    const noor = await signIn('noor@example.com', 'noor-password-1');
    const events: { type: string; message?: { text: string; authorKind: string } }[] = [];
    socket = new WebSocket(`${w.base.replace('http', 'ws')}/api/v1/realtime`, {
      headers: { cookie: noor.cookie, origin: w.base },
    });
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      socket?.once('open', resolve);
      socket?.once('error', reject);
    });
    expect(
      (
        await noor.call('PUT', `/api/v1/agents/${created.body.id as string}/presence`, {
          presence: 'available',
        })
      ).status,
    ).toBe(200);

    const member = w.member({ username: 'desk-member' });
    w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'helpme', {
      question: 'My card was charged twice',
    });
    await w.waitForDms(member, (d) => d.length >= 2, 'greeting and answer');
    w.discord.sendDm(member, 'I want to talk to a real person');
    const told = await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case');
    expect(told.content).toMatch(/number 1 in the queue/);

    const [offer] = await eventually('a reservation', async () => {
      const list = await noor.call('GET', '/api/v1/reservations?status=pending');
      const items = list.body.reservations as { id: string }[];
      return items.length > 0 ? items : undefined;
    });
    const accepted = await noor.call('POST', `/api/v1/reservations/${offer!.id}/accept`);
    expect(accepted.status).toBe(200);
    const conversationId = accepted.body.id as string;
    await w.waitForDms(member, (d) => d.find((m) => m.content === 'Noor joined the conversation.'), 'joined');

    const text = `${'Here is what happened with your card. '.repeat(60)}\n\n${'And this is how we fix it. '.repeat(60)}`;
    expect(text.length).toBeGreaterThan(3_900);
    const reply = await noor.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text,
      attachments: [{ url: 'https://files.example/statement.pdf', name: 'statement.pdf' }],
    });
    expect(reply.status).toBe(201);
    const parts = await w.waitForDms(
      member,
      (d) => {
        const start = d.findIndex((m) => m.content.startsWith('**Noor**'));
        const rest = start >= 0 ? d.slice(start) : [];
        return rest.some((m) => m.content.includes('statement.pdf')) ? rest : null;
      },
      'the agent reply in parts',
    );
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(part.content.length).toBeLessThanOrEqual(2_000);
    expect(parts.at(-1)?.content).toContain('📎 [statement.pdf](https://files.example/statement.pdf)');

    const dm = w.discord.sendDm(member, 'Got it, thanks Noor');
    await eventually('the member message live in the desktop', () =>
      events.find((e) => e.type === 'message.created' && e.message?.text === 'Got it, thanks Noor'),
    );
    const transcript = await noor.call('GET', `/api/v1/conversations/${conversationId}/messages`);
    const messages = transcript.body.messages as { externalId: string | null }[];
    expect(messages.filter((m) => m.externalId === dm.id)).toHaveLength(1);

    const closed = await noor.call('POST', `/api/v1/conversations/${conversationId}/close`, {
      note: 'Refunded',
    });
    expect(closed.status).toBe(200);
    const rate = await w.waitForDms(
      member,
      (d) => d.find((m) => buttonsOf(m).flat().includes('sb:rate:5')),
      'rate',
    );
    w.discord.clickButton(member, rate.id, 'sb:rate:5');
    const caseId = closed.body.caseId as string;
    const detail = await eventually('the rating on the case', async () => {
      const res = await noor.call('GET', `/api/v1/cases/${caseId}`);
      return (res.body.case as { rating: number | null }).rating === 5 ? res.body : undefined;
    });
    expect(detail.case).toMatchObject({ kind: 'support', status: 'solved', rating: 5 });
    // A support case speaks through its conversation: no extra status DM.
    expect(w.botDms(member).some((m) => m.content.startsWith('Update on your'))).toBe(false);
  });

  it('a bug report whose status an agent changes in the desktop: the reporter gets a DM', async () => {
    const reporter = w.member({ username: 'desk-reporter' });
    w.discord.invokeSlashCommand(reporter, w.guild, w.guild.channels.general!, 'bug');
    await w.discord.waitFor(() => w.discord.shownModal(reporter, 'sb:bug'), 10_000, 'modal');
    const submit = w.discord.submitModal(reporter, 'sb:bug', {
      title: 'Checkout button does nothing',
      happened: 'Nothing happens when I press Pay.',
      steps: 'Add to cart, press Pay',
      expected: 'To pay',
      platform: 'Firefox 140',
    });
    const ack = await w.discord.waitFor(
      () => w.discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      10_000,
      'case number',
    );
    const number = Number(/#(\d+)/.exec(ack.content ?? '')?.[1]);
    const admin = await signIn('admin@localhost', ADMIN_PASSWORD);
    const found = await admin.call('GET', `/api/v1/cases?kind=bug&text=%23${number}`);
    const kase = (found.body.cases as { id: string; number: number }[]).find((c) => c.number === number)!;
    expect((await admin.call('PATCH', `/api/v1/cases/${kase.id}`, { status: 'pending' })).status).toBe(200);
    const dm = await w.waitForDms(
      reporter,
      (d) => d.find((m) => m.content.includes(`#${number}`)),
      'status DM',
    );
    expect(dm.content).toContain('**pending**');
  });
});
