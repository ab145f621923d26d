import { DomainError } from '../errors.ts';
import type { InboundMessage } from '../ports/channel-connector.ts';

export interface InboundRetryOptions {
  /** First wait after a failed attempt; doubled after each further failure. */
  initialDelayMs: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
  /** Messages held (waiting or being retried) per process; beyond this a message is refused at once. */
  maxQueued: number;
}

export const defaultInboundRetryOptions: InboundRetryOptions = {
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  maxQueued: 10_000,
};

export interface InboundRetryLog {
  warn(context: Record<string, unknown>, message: string): void;
}

/** Thrown by `deliver` when the message cannot be held (queue full, or the center is stopping). */
export class InboundRefused extends Error {
  override readonly name = 'InboundRefused';
}

/**
 * Inbound delivery that survives a database outage: a message whose storing fails for a reason other
 * than a domain error (bad input) is tried again with a capped back-off until it is stored, so a member's
 * DM is not dropped while the database restarts. Messages of one contact on one channel are handled one
 * after the other, in arrival order, so a retried message never lets a later one overtake it.
 * The queue is in memory and bounded; what it refuses or loses in a crash is caught up by the connector
 * (redelivery is a no-op, the store being keyed by the channel's message id).
 */
export class InboundRetry<Result> {
  private readonly options: InboundRetryOptions;
  /** The last delivery of each contact, which the next one waits for. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly waits = new Set<{ timer: ReturnType<typeof setTimeout>; done: () => void }>();
  private held = 0;
  private stopped = false;

  constructor(
    private readonly receive: (message: InboundMessage) => Promise<Result>,
    private readonly log: InboundRetryLog,
    options: Partial<InboundRetryOptions> = {},
  ) {
    this.options = { ...defaultInboundRetryOptions, ...options };
  }

  /** How many messages are waiting or being retried. */
  get pending(): number {
    return this.held;
  }

  /** Resolves once the message is stored (and its flow has run); rejects on bad input or when refused. */
  deliver(message: InboundMessage): Promise<Result> {
    if (this.stopped)
      return Promise.reject(new InboundRefused('inbound refused: the contact center is stopping'));
    if (this.held >= this.options.maxQueued) {
      this.log.warn(describe(message, { held: this.held }), 'inbound message refused: retry queue full');
      return Promise.reject(new InboundRefused(`inbound refused: ${this.held} messages already waiting`));
    }
    this.held += 1;
    const key = `${message.channel}\u0000${message.contact.externalId}`;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.untilStored(message));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      this.held -= 1;
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Refuses new messages and ends the waits of messages being retried (they are caught up later). */
  stop(): void {
    this.stopped = true;
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.done();
    }
    this.waits.clear();
  }

  private async untilStored(message: InboundMessage): Promise<Result> {
    let delay = this.options.initialDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.receive(message);
      } catch (error) {
        if (error instanceof DomainError || this.stopped) throw error;
        this.log.warn(
          describe(message, { attempt, retryInMs: delay, error: String(error) }),
          'inbound message not stored yet; retrying',
        );
        await this.wait(delay);
        if (this.stopped)
          throw new InboundRefused('inbound dropped: the contact center stopped while retrying');
        delay = Math.min(delay * 2, this.options.maxDelayMs);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
        done: resolve,
      };
      this.waits.add(wait);
    });
  }
}

/** Names the message in a log line without its text (which is the member's). */
function describe(message: InboundMessage, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    channel: message.channel,
    externalId: message.externalId,
    contact: message.contact.externalId,
    ...extra,
  };
}
