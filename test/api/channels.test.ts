import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebchatConnector } from '../../src/channels/webchat/webchat-connector.ts';
import { storeWebchatHistory } from '../../src/channels/webchat/webchat-history.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Each channel's connector health, for the admin page, as the real connectors report it. */
describe('GET /api/v1/channels', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  let webchat: WebchatConnector;
  beforeAll(async () => {
    api = await startApi({
      build: {
        connectorsHealth: () => ({ webchat: webchat.health() }),
      },
    });
    webchat = new WebchatConnector({
      history: storeWebchatHistory(api.tc.store),
      visitors: api.tc.store.webchatVisitors,
    });
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => {
    await webchat.stop();
    await api.close();
  });

  it('lists every connector with its state and reason, and follows changes', async () => {
    const res = await admin.call('GET', '/api/v1/channels');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      channels: [{ channel: 'webchat', status: 'disabled', detail: 'not started' }],
    });
    // The web-chat connector starts taking visitors' messages, then stops: the list follows each change.
    await webchat.start(async () => {});
    const started = await (await admin.call('GET', '/api/v1/channels')).json();
    expect(started.channels[0]).toEqual({ channel: 'webchat', status: 'connected', detail: null });
    await webchat.stop();
    const stopped = await (await admin.call('GET', '/api/v1/channels')).json();
    expect(stopped.channels[0]).toEqual({ channel: 'webchat', status: 'disabled', detail: 'not started' });
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
