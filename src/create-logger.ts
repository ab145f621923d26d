import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';
import type { Config } from './config.ts';

export interface LoggerOptions {
  level: Config['logLevel'];
  /** Readable lines for a person at a terminal instead of one JSON object per line. */
  pretty: boolean;
}

const redact = { paths: ['password', '*.password', 'token', '*.token'], censor: '[redacted]' };

/**
 * The server's logger: JSON lines (for log collectors) unless stdout is a terminal, where a person reads
 * them. The pretty stream is synchronous so that the last lines before an exit are not lost.
 */
export function createLogger(
  options: LoggerOptions = { level: 'info', pretty: process.stdout.isTTY === true },
): Logger {
  if (!options.pretty) return pino({ level: options.level, redact });
  // Loaded only for a terminal: a service's JSON lines do not need the pretty printer.
  const prettyStream = createRequire(import.meta.url)('pino-pretty') as typeof pretty;
  return pino(
    { level: options.level, redact },
    prettyStream({ sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }),
  );
}
