import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { signIn as signInAt } from '../support/api-session.ts';
import { eventually } from '../support/eventually.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

const ADMIN_PASSWORD = 'admin-password-42';

/**
 * The whole journey through the composed server (the same `createSwitchboard` that `npm start` runs),
 * over real HTTP and the realtime WebSocket, with a member on the real web-chat channel (the widget's
 * protocol: a server-issued visitor token, messages over HTTP, the visitor's live WebSocket).
 */
describe('a conversation from first message to rating', () => {
  let switchboard: Switchboard;
  let base: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-e2e-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
    });
    switchboard = await createSwitchboard(config);
    base = await switchboard.start();
  });

  afterAll(async () => {
    await switchboard.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const signIn = (email: string, password: string) => signInAt(base, email, password);

  it('runs inbound → bot reply → hand-off → reservation → accept → agent reply → close → rating', async () => {
    const admin = await signIn('admin@localhost', ADMIN_PASSWORD);
    const created = await admin.call('POST', '/api/v1/agents', {
      email: 'dana@example.com',
      name: 'Dana',
      role: 'agent',
      password: 'dana-password-1',
    });
    expect(created.status).toBe(201);
    const dana = await signIn('dana@example.com', 'dana-password-1');
    const danaId = created.body.id as string;

    const events: { type: string }[] = [];
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, {
      headers: { cookie: dana.cookie, origin: base },
    });
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    expect(
      (await dana.call('PUT', `/api/v1/agents/${danaId}/presence`, { presence: 'available' })).status,
    ).toBe(200);

    // The virtual agent answers from the sample knowledge base.
    const layla = await WebchatVisitor.start(base, { name: 'Layla' });
    await layla.send('I forgot my password');
    const answer = await eventually('the bot answer', () =>
      layla.received.find((m) => m.authorKind === 'bot'),
    );
    expect(answer.articles[0]?.title).toBe('Reset your password');
    expect(answer.actions.map((a) => a.id)).toEqual(['resolved', 'handoff']);

    // Hand-off: case number and queue place at once, then a reservation for Dana.
    await layla.send('I want to talk to a human');
    const told = await eventually('the case number', () => layla.texts().find((t) => t.includes('case #')));
    expect(told).toContain('case #1001');
    expect(told).toContain('number 1 in the queue');
    const reservations = await eventually('a reservation', async () => {
      const list = await dana.call('GET', '/api/v1/reservations?status=pending');
      const items = list.body.reservations as { id: string }[];
      return items.length > 0 ? items : undefined;
    });
    const accepted = await dana.call('POST', `/api/v1/reservations/${reservations[0]!.id}/accept`);
    expect(accepted.status).toBe(200);
    const conversationId = accepted.body.id as string;
    await eventually('the joined notice', () => layla.texts().includes('Dana joined the conversation.'));

    // The transcript shows the bot part; the agent's reply reaches the channel through the outbox.
    const transcript = await dana.call('GET', `/api/v1/conversations/${conversationId}/messages`);
    const kinds = (transcript.body.messages as { authorKind: string }[]).map((m) => m.authorKind);
    expect(kinds.slice(0, 3)).toEqual(['contact', 'bot', 'contact']);
    expect(
      (
        await dana.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
          text: 'Hi Layla, let me help.',
        })
      ).status,
    ).toBe(201);
    await eventually('the agent reply', () => layla.texts().includes('Hi Layla, let me help.'));
    await layla.send('Thank you!');

    // Close with a wrap-up note: the contact is asked to rate; the case is solved with the whole timeline.
    const closed = await dana.call('POST', `/api/v1/conversations/${conversationId}/close`, {
      note: 'Sent reset link',
    });
    expect(closed.status).toBe(200);
    const ratingPrompt = await eventually('the rating prompt', () =>
      layla.received.find((m) => m.actions.some((a) => a.id === 'rate:5')),
    );
    expect(ratingPrompt.text).toContain('rate');
    await layla.send('', { action: 'rate:5' });
    const caseId = closed.body.caseId as string;
    const detail = await eventually('the rating on the case', async () => {
      const res = await dana.call('GET', `/api/v1/cases/${caseId}`);
      return (res.body.case as { rating: number | null }).rating === 5 ? res.body : undefined;
    });
    expect(detail.case).toMatchObject({ number: 1001, status: 'solved', assigneeId: danaId, rating: 5 });
    const timeline = (detail.timeline as { type: string }[]).map((e) => e.type);
    expect(timeline).toEqual(
      expect.arrayContaining(['created', 'conversation_linked', 'assignee', 'status', 'note', 'rating']),
    );

    // Dana saw it all live.
    const types = new Set(events.map((e) => e.type));
    for (const type of ['reservation.created', 'conversation.updated', 'message.created', 'case.updated']) {
      expect(types, `realtime event ${type}`).toContain(type);
    }
    // The member's chat reads back the same conversation after a reload, each message once.
    const history = (await layla.history()).messages;
    expect(history.filter((m) => m.text === 'Thank you!')).toHaveLength(1);
    expect(history.find((m) => m.authorKind === 'agent')?.authorName).toBe('Dana');
    const contact = await switchboard.center.store.contacts.findByIdentity('webchat', layla.visitorId);
    expect(contact?.name).toBe('Layla');
    layla.close();
    socket.close();
  });
});
