import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/announcements/webhook-signature.ts';
import { loadConfig } from '../../src/config.ts';
import type { DomainEvent } from '../../src/core/ports/event-bus.ts';
import { webhookEventTypes } from '../../src/core/webhooks/webhook.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { signIn as signInAt } from '../support/api-session.ts';
import { eventually } from '../support/eventually.ts';
import { createTestCenter } from '../support/test-center.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';
import { type ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.ts';

const ADMIN_PASSWORD = 'admin-password-42';

interface Body {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}
const bodyOf = (r: ReceivedWebhook) => JSON.parse(r.body) as Body;
const header = (r: ReceivedWebhook, name: string) => String(r.headers[name] ?? '');

/**
 * Outbound webhooks through the composed server (`createSwitchboard`, as `npm start`) to a real HTTP
 * receiver on this machine: every event of a conversation's journey once, signed; a 500 retried, also
 * across a restart on the same database.
 */
describe('outbound webhooks to an integrator', () => {
  let dataDir: string;
  let switchboard: Switchboard;
  let base: string;
  const receiver = new WebhookReceiver();

  const start = async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
    });
    switchboard = await createSwitchboard(config, {
      announce: () => {},
      webhooks: { baseBackoffMs: 200, maxBackoffMs: 400, jitter: 0, tickMs: 100 },
    });
    base = await switchboard.start();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-webhooks-'));
    await receiver.start();
    await start();
  });
  afterAll(async () => {
    await switchboard?.stop();
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const signIn = async (email: string, password: string) => (await signInAt(base, email, password)).call;

  let secret: string;
  let webhookId: string;

  it('delivers each event of a journey exactly once, signed with the subscription secret', async () => {
    const admin = await signIn('admin@localhost', ADMIN_PASSWORD);
    const created = await admin('POST', '/api/v1/webhooks', {
      url: receiver.url,
      description: 'CRM',
      events: [...webhookEventTypes],
    });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    webhookId = created.body.webhook.id;
    const agent = await admin('POST', '/api/v1/agents', {
      email: 'dana@example.com',
      name: 'Dana',
      role: 'agent',
      password: 'dana-password-1',
    });
    const dana = await signIn('dana@example.com', 'dana-password-1');
    expect(
      (await dana('PUT', `/api/v1/agents/${agent.body.id}/presence`, { presence: 'available' })).status,
    ).toBe(200);

    const layla = await WebchatVisitor.start(base, { name: 'Layla' });
    await layla.send('I forgot my password');
    await eventually('the bot answer', () => layla.received.find((m) => m.authorKind === 'bot'));
    await layla.send('I want to talk to a human');
    const reservations = await eventually('a reservation', async () => {
      const list = await dana('GET', '/api/v1/reservations?status=pending');
      return list.body.reservations.length > 0 ? list.body.reservations : undefined;
    });
    const accepted = await dana('POST', `/api/v1/reservations/${reservations[0].id}/accept`);
    const conversationId = accepted.body.id as string;
    await dana('POST', `/api/v1/conversations/${conversationId}/messages`, {
      text: 'Hi Layla, let me help.',
    });
    const closed = await dana('POST', `/api/v1/conversations/${conversationId}/close`, { note: 'Sent link' });
    expect(closed.status).toBe(200);
    await eventually('the rating prompt', () =>
      layla.received.find((m) => m.actions.some((a) => a.id === 'rate:5')),
    );
    await layla.send('', { action: 'rate:5' });

    const types = await eventually('every event type', () => {
      const got = new Set(receiver.accepted().map((r) => bodyOf(r).type));
      return webhookEventTypes.every((t) => got.has(t)) ? got : undefined;
    });
    expect([...types].sort()).toEqual([...webhookEventTypes].sort());
    // Whatever was still in flight lands; then nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const all = receiver.accepted();
    const ids = all.map((r) => header(r, 'x-switchboard-event-id'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of all) {
      const body = bodyOf(r);
      expect(header(r, 'x-switchboard-event-id')).toBe(body.id);
      expect(header(r, 'x-switchboard-event')).toBe(body.type);
      expect(header(r, 'content-type')).toBe('application/json');
      expect(header(r, 'x-switchboard-signature')).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(
        signatureMatches(
          secret,
          header(r, 'x-switchboard-timestamp'),
          r.body,
          header(r, 'x-switchboard-signature'),
        ),
      ).toBe(true);
      expect(
        signatureMatches(
          'whsec_wrong',
          header(r, 'x-switchboard-timestamp'),
          r.body,
          header(r, 'x-switchboard-signature'),
        ),
      ).toBe(false);
    }
    const once = (type: string) => all.filter((r) => bodyOf(r).type === type);
    for (const type of [
      'conversation.created',
      'conversation.assigned',
      'conversation.closed',
      'case.created',
      'case.solved',
      'rating.received',
    ])
      expect(once(type), type).toHaveLength(1);
    const rating = bodyOf(once('rating.received')[0]!);
    expect(rating.data).toMatchObject({ rating: 5, case: { number: 1001, rating: 5 } });
    const assigned = bodyOf(once('conversation.assigned')[0]!);
    expect(assigned.data.conversation).toMatchObject({
      id: conversationId,
      agentId: agent.body.id,
      state: 'assigned',
    });
    expect(assigned.data.conversation).not.toHaveProperty('address');
    const texts = once('message.created').map((r) => (bodyOf(r).data.message as { text: string }).text);
    expect(texts).toEqual(expect.arrayContaining(['I forgot my password', 'Hi Layla, let me help.']));
    expect(texts.filter((t) => t === 'Hi Layla, let me help.')).toHaveLength(1);

    // The delivery log lists each one delivered, with the endpoint's answer.
    const log = await admin('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=200`);
    expect(log.body.deliveries).toHaveLength(all.length);
    expect(log.body.deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    expect(log.body.deliveries[0]).toMatchObject({
      responseStatus: 200,
      responseExcerpt: 'thanks',
      attempts: 1,
    });
    layla.close();
  });

  it('retries after a 500, and after a restart of the server on the same database delivers once', async () => {
    const admin = await signIn('admin@localhost', ADMIN_PASSWORD);
    receiver.answer = () => 500;
    const before = receiver.received.length;
    const made = await admin('POST', '/api/v1/cases', { kind: 'bug', subject: 'Export is broken' });
    expect(made.status).toBe(201);
    const isTheCase = (r: ReceivedWebhook) =>
      bodyOf(r).type === 'case.created' && (bodyOf(r).data.case as { id: string }).id === made.body.id;
    await eventually(
      'two refused attempts',
      () => receiver.received.slice(before).filter(isTheCase).length >= 2,
    );
    const log = await admin('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=1`);
    expect(log.body.deliveries[0]).toMatchObject({
      eventType: 'case.created',
      status: 'pending',
      responseStatus: 500,
      responseExcerpt: '<b>endpoint trouble 500</b>',
    });
    expect(log.body.deliveries[0].attempts).toBeGreaterThanOrEqual(2);

    await switchboard.stop();
    const refused = receiver.received.slice(before).filter(isTheCase);
    receiver.answer = () => 200;
    await start();
    const taken = await eventually('the delivery after the restart', () => {
      const ok = receiver.accepted().filter(isTheCase);
      return ok.length > 0 ? ok : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.accepted().filter(isTheCase)).toHaveLength(1);
    // Every attempt carried the same event id and body; the signature covers each attempt's timestamp.
    for (const r of [...refused, ...taken]) {
      expect(r.body).toBe(refused[0]!.body);
      expect(header(r, 'x-switchboard-event-id')).toBe(bodyOf(refused[0]!).id);
      expect(
        signatureMatches(
          secret,
          header(r, 'x-switchboard-timestamp'),
          r.body,
          header(r, 'x-switchboard-signature'),
        ),
      ).toBe(true);
    }
    const after = await signIn('admin@localhost', ADMIN_PASSWORD);
    const done = await after('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=1`);
    expect(done.body.deliveries[0]).toMatchObject({ status: 'delivered', responseStatus: 200 });
    expect(done.body.deliveries[0].attempts).toBe(refused.length + 1);
  });
});

/** Under a test clock: an endpoint that fails for a day is disabled, the admins are told, nothing more is queued. */
describe('a webhook endpoint failing for a day', () => {
  it('is disabled after 24 hours of failures, with an admin notice, and resumes when turned on', async () => {
    const receiver = new WebhookReceiver();
    await receiver.start();
    receiver.answer = () => 503;
    const tc = await createTestCenter({
      centerOptions: { webhooks: { baseBackoffMs: 60_000, maxBackoffMs: 3_600_000, jitter: 0 } },
    });
    try {
      const notices: DomainEvent[] = [];
      tc.bus.subscribe((event) => {
        if (event.type === 'admin.notice') notices.push(event);
      });
      const { subscription } = await tc.center.webhooks.create({
        url: receiver.url,
        events: ['case.created'],
      });
      const actor = { kind: 'system', id: null } as const;
      const kase = await tc.center.cases.create({ kind: 'bug', subject: 'Crash on start' }, actor);
      // An attempt every time one is due, as the timer would make it, for 23 hours: still on.
      for (let minute = 0; minute < 23 * 60; minute += 10) {
        await tc.center.webhooks.tick();
        tc.clock.advance(10 * 60_000);
      }
      expect(await tc.center.webhooks.get(subscription.id)).toMatchObject({ enabled: true });
      expect(notices).toEqual([]);
      expect(receiver.received.length).toBeGreaterThan(20);
      // The day is up: the next failed attempt disables it.
      tc.clock.advance(2 * 3_600_000);
      await tc.center.webhooks.tick();
      const off = await tc.center.webhooks.get(subscription.id);
      expect(off).toMatchObject({ enabled: false });
      expect(off.disabledReason).toMatch(/^disabled after 24 hours of failed deliveries \(last: HTTP 503\)$/);
      expect(notices).toHaveLength(1);
      // Admins who sign in later see it too, until it is turned on again.
      expect(await tc.center.webhooks.notices()).toEqual([
        notices[0]?.type === 'admin.notice' && notices[0].notice,
      ]);
      expect(notices[0]).toMatchObject({
        type: 'admin.notice',
        notice: { kind: 'webhook.disabled', subjectId: subscription.id },
      });
      // Disabled: no attempts, and new events are not queued for it.
      const sent = receiver.received.length;
      await tc.center.cases.create({ kind: 'bug', subject: 'Another crash' }, actor);
      tc.clock.advance(3_600_000);
      await tc.center.webhooks.tick();
      expect(receiver.received.length).toBe(sent);
      expect(await tc.center.webhooks.deliveries(subscription.id)).toHaveLength(1);
      // Fixed and turned on again: what waited is delivered.
      receiver.answer = () => 204;
      await tc.center.webhooks.update(subscription.id, { enabled: true });
      await tc.center.webhooks.tick();
      const [delivery] = await tc.center.webhooks.deliveries(subscription.id);
      expect(delivery).toMatchObject({ status: 'delivered', responseStatus: 204 });
      expect(JSON.parse(receiver.accepted()[0]!.body).data.case.id).toBe(kase.id);
      expect(await tc.center.webhooks.get(subscription.id)).toMatchObject({
        enabled: true,
        failingSince: null,
      });
      expect(await tc.center.webhooks.notices()).toEqual([]);
      // Turned off by an admin is no notice.
      await tc.center.webhooks.update(subscription.id, { enabled: false });
      expect(await tc.center.webhooks.notices()).toEqual([]);
    } finally {
      await tc.close();
      await receiver.stop();
    }
  });
});
