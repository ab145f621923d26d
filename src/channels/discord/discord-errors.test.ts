import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../core/ports/channel-connector.ts';
import { toConnectorError } from './discord-errors.ts';

const apiError = (status: number, code: number) =>
  new DiscordAPIError({ code, message: 'refused' }, code, status, 'POST', 'https://discord/api/v10/x', {
    body: undefined,
    files: undefined,
  });

describe('toConnectorError', () => {
  it('retries rate limits, 5xx and network failures; not what Discord refuses', () => {
    expect(toConnectorError(apiError(429, 0), 'send').retryable).toBe(true);
    expect(toConnectorError(apiError(503, 0), 'send').retryable).toBe(true);
    expect(
      toConnectorError(
        new HTTPError(502, 'Bad Gateway', 'POST', 'https://discord/x', { body: undefined, files: undefined }),
        'send',
      ).retryable,
    ).toBe(true);
    expect(toConnectorError(new TypeError('fetch failed'), 'send').retryable).toBe(true);
    const unknown = toConnectorError(apiError(404, 10003), 'deliver c1 (channel 9)');
    expect(unknown).toBeInstanceOf(ConnectorError);
    expect(unknown.retryable).toBe(false);
    expect(unknown.message).toContain('deliver c1 (channel 9)');
    expect(unknown.message).toContain('10003');
    expect(toConnectorError(apiError(403, 50013), 'send').retryable).toBe(false);
  });
});
