import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { ConnectorError } from '../../core/ports/channel-connector.ts';

/** Discord's JSON error codes that Switchboard acts on. */
export const DiscordErrorCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownInteraction: 10062,
  InteractionAlreadyAcknowledged: 40060,
  MissingAccess: 50001,
  CannotSendMessagesToThisUser: 50007,
  MissingPermissions: 50013,
  InvalidFormBody: 50035,
  ThreadArchived: 50083,
  ThreadLocked: 160005,
  MaxActiveThreads: 160006,
} as const;

/** The Discord error code of a REST failure, if it has one. */
export function discordCode(error: unknown): number | null {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : null;
}

/**
 * Maps a failure of a Discord request to the ConnectorError the outbox understands: rate limits, 5xx
 * and network failures are worth retrying; Discord refusing the request (unknown channel, missing
 * permissions, a malformed body) is not.
 */
export function toConnectorError(error: unknown, context: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof RateLimitError)
    return new ConnectorError(`${context}: rate limited on ${error.route}`, true, error.retryAfter);
  if (error instanceof DiscordAPIError) {
    const retryable = error.status === 429 || error.status >= 500;
    return new ConnectorError(
      `${context}: Discord ${error.status} (code ${String(error.code)}) ${error.message} [${error.method} ${error.url}]`,
      retryable,
    );
  }
  if (error instanceof HTTPError)
    return new ConnectorError(
      `${context}: Discord HTTP ${error.status} [${error.method} ${error.url}]`,
      error.status >= 500 || error.status === 429,
    );
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Network failures, time-outs and aborted requests: Discord may come back.
  return new ConnectorError(`${context}: ${reason}`, true);
}
