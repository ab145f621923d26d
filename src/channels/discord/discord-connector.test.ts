import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { OutboundMessage } from '../../core/model.ts';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import { DiscordConnector } from './discord-connector.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

const outbound = (address: Record<string, unknown>): OutboundMessage => ({
  conversationId: 'c1',
  channel: 'discord',
  address,
  authorKind: 'bot',
  authorName: null,
  text: 'Hello',
  attachments: [],
  articles: [],
  actions: [],
  messageId: 'm1',
});

describe('DiscordConnector health and refusals', () => {
  it('is disabled without a token', async () => {
    const connector = new DiscordConnector(t.center);
    await connector.start(async () => {});
    expect(connector.health()).toEqual({ status: 'disabled', detail: 'no token' });
    await connector.stop();
  });

  it('reports an error with its reason when Discord cannot be reached, and keeps Switchboard running', async () => {
    const errors: string[] = [];
    const connector = new DiscordConnector(t.center, {
      token: 'some.bot.token',
      apiUrl: 'http://127.0.0.1:9/api',
      readyTimeoutMs: 5_000,
      log: { info: () => {}, warn: () => {}, error: (_context, message) => errors.push(message) },
    });
    await connector.start(async () => {});
    expect(connector.health().status).toBe('error');
    expect(connector.health().detail).toBeTruthy();
    expect(errors).toContain('Discord connector could not connect');
    await connector.stop();
  });

  it('refuses to send without a Discord address (for good) and while disconnected (for now)', async () => {
    const connector = new DiscordConnector(t.center, { token: 'some.bot.token' });
    const noAddress = await connector.send(outbound({ thread: 'x' })).catch((e: unknown) => e);
    expect(noAddress).toBeInstanceOf(ConnectorError);
    expect((noAddress as ConnectorError).retryable).toBe(false);
    const disconnected = await connector
      .send(outbound({ channelId: '1', userId: '2' }))
      .catch((e: unknown) => e);
    expect(disconnected).toBeInstanceOf(ConnectorError);
    expect((disconnected as ConnectorError).retryable).toBe(true);
  });
});
