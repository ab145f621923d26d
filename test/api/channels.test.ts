import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorHealth } from '../../src/core/ports/channel-connector.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Each channel's connector health, for the admin page. */
describe('GET /api/v1/channels', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  let discord: ConnectorHealth = { status: 'connecting', detail: null };
  beforeAll(async () => {
    api = await startApi({
      build: {
        connectorsHealth: () => ({
          webchat: api.tc.connector.health(),
          discord,
          sms: { status: 'disabled', detail: 'TWILIO_ACCOUNT_SID is not set' },
        }),
      },
    });
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  it('lists every connector with its state and reason, and follows changes', async () => {
    const res = await admin.call('GET', '/api/v1/channels');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      channels: [
        { channel: 'discord', status: 'connecting', detail: null },
        { channel: 'sms', status: 'disabled', detail: 'TWILIO_ACCOUNT_SID is not set' },
        { channel: 'webchat', status: 'connected', detail: null },
      ],
    });
    discord = { status: 'error', detail: 'An invalid token was provided.' };
    const later = await (await admin.call('GET', '/api/v1/channels')).json();
    expect(later.channels[0]).toEqual({
      channel: 'discord',
      status: 'error',
      detail: 'An invalid token was provided.',
    });
  });

  it('is for admins only', async () => {
    const statuses = [
      (await api.call('GET', '/api/v1/channels')).status,
      (await agent.call('GET', '/api/v1/channels')).status,
      (await supervisor.call('GET', '/api/v1/channels')).status,
      (await admin.call('GET', '/api/v1/channels')).status,
    ];
    expect(statuses).toEqual([401, 403, 403, 200]);
  });

  it('refuses unknown query parameters', async () => {
    const res = await admin.call('GET', '/api/v1/channels?verbose=1');
    expect(res.status).toBe(400);
  });
});
