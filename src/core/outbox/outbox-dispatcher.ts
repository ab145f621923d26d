import { newId } from '../ids.ts';
import type { OutboxItem } from '../model.ts';
import { type ChannelConnector, ConnectorError, type SendResult } from '../ports/channel-connector.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { leasedClaim, type RetryBackoffOptions, retryDelay } from '../retry/retry-backoff.ts';

export interface OutboxDispatcherOptions extends RetryBackoffOptions {
  /** Deliveries in flight at once on this instance, each to a different conversation. */
  concurrency: number;
  /** A send without an answer after this long counts as a transient failure and is retried. */
  sendTimeoutMs: number;
  /**
   * How long a claimed item stays reserved for this instance; longer than `sendTimeoutMs`, so that a
   * live instance's claim never runs out mid-send, short enough that a dead instance's items move on.
   */
  leaseMs: number;
  /** Who claims items; unique per dispatcher. */
  owner: string;
}

export const defaultOutboxDispatcherOptions: Omit<OutboxDispatcherOptions, 'owner'> = {
  baseBackoffMs: 500,
  maxBackoffMs: 60_000,
  jitter: 0.2,
  concurrency: 16,
  sendTimeoutMs: 15_000,
  leaseMs: 60_000,
  random: Math.random,
};

export interface DispatcherLog {
  warn(context: Record<string, unknown>, message: string): void;
  /** Something a person must act on (a message refused for good); `warn` when absent. */
  error?(context: Record<string, unknown>, message: string): void;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'lost';

/**
 * Delivers outbox items through their channel's connector, with retries and per-conversation order:
 * a conversation's next item is not sent before the previous one was delivered or was refused for good.
 * Transient failures (5xx, 429, network, time-out) are retried until delivered, with a capped, jittered
 * exponential back-off; only a permanent refusal (`ConnectorError.retryable === false`) marks an item
 * `failed`, for a person to see and resend.
 *
 * Conversations are independent: each claimed item is delivered on its own, so one conversation's hung
 * send holds only its own slot (until `sendTimeoutMs`), while the others go on being claimed and sent.
 * Items are claimed through the store with a lease, so several dispatchers (processes or stores on one
 * database) never send the same item.
 *
 * Delivery is at-least-once: a crash (or a time-out) after the channel accepted a message but before it
 * was marked sent sends it again; channels with an idempotency key make that resend harmless.
 */
export class OutboxDispatcher {
  private readonly options: OutboxDispatcherOptions;
  private running: Promise<number> | null = null;
  private rerun = false;
  /** Wakes a running pass that waits for a delivery to finish, so it claims newly due items now. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly connectors: ReadonlyMap<string, ChannelConnector>,
    private readonly clock: Clock,
    options: Partial<OutboxDispatcherOptions> = {},
    private readonly log: DispatcherLog = { warn: () => {} },
  ) {
    this.options = { ...defaultOutboxDispatcherOptions, owner: newId(), ...options };
  }

  /**
   * Delivers everything due now until nothing due is left and nothing is in flight. A call made while a
   * pass runs joins it (and makes it claim again at once). Returns the number sent by the pass.
   */
  async tick(): Promise<number> {
    this.rerun = true;
    this.wake?.();
    if (this.running) return this.running;
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async pass(): Promise<number> {
    let sent = 0;
    const active = new Map<number, Promise<void>>();
    for (;;) {
      this.rerun = false;
      const free = this.options.concurrency - active.size;
      if (free > 0) {
        const claimed = await this.store.outbox.claimDue(
          leasedClaim(this.clock.now(), this.options.leaseMs, this.options.owner, free),
        );
        for (const item of claimed) {
          const delivery = this.deliver(item).then((outcome) => {
            if (outcome === 'sent') sent += 1;
            active.delete(item.seq);
            // A freed slot, and maybe this conversation's next item due: claim again.
            this.rerun = true;
            this.wake?.();
          });
          active.set(item.seq, delivery);
        }
        // A full batch may mean more is due; claim again before waiting.
        if (claimed.length === free) continue;
      }
      // Asked again, or a delivery finished, while claiming: claim once more before waiting.
      if (this.rerun) continue;
      if (active.size === 0) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
    return sent;
  }

  /** One attempt; never rejects (a store failure leaves the claim to expire, and the item is retried). */
  private async deliver(item: OutboxItem): Promise<Outcome> {
    try {
      return await this.attempt(item);
    } catch (error) {
      this.log.warn(
        { seq: item.seq, conversationId: item.conversationId, channel: item.channel, error: String(error) },
        'outbound message outcome not stored; it is retried when its claim runs out',
      );
      return 'lost';
    }
  }

  private async attempt(item: OutboxItem): Promise<Outcome> {
    const connector = this.connectors.get(item.channel);
    const attempts = item.attempts + 1;
    let result: SendResult;
    try {
      if (!connector) throw new ConnectorError(`no connector for channel ${item.channel}`, true);
      result = await this.withTimeout(connector.send(item.message));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof ConnectorError && !error.retryable;
      const context = {
        seq: item.seq,
        conversationId: item.conversationId,
        channel: item.channel,
        messageId: item.message.messageId,
        attempts,
        reason,
      };
      const wait =
        error instanceof ConnectorError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : retryDelay(attempts, this.options);
      if (permanent)
        (this.log.error ?? this.log.warn).call(
          this.log,
          context,
          'outbound message refused by the channel; not delivered until someone resends it',
        );
      else this.log.warn({ ...context, retryInMs: wait }, 'outbound message not delivered yet; retrying');
      const now = this.clock.now().getTime();
      const stored = await this.store.outbox.finish(
        {
          ...item,
          status: permanent ? 'failed' : 'pending',
          attempts,
          lastError: reason,
          nextAttemptAt: new Date(now + (permanent ? 0 : wait)).toISOString(),
        },
        this.options.owner,
      );
      if (!stored) this.claimLost(item);
      return stored ? (permanent ? 'failed' : 'retry') : 'lost';
    }
    const stored = await this.store.outbox.finish(
      {
        ...item,
        status: 'sent',
        attempts,
        externalId: result.externalId,
        sentAt: this.clock.now().toISOString(),
        lastError: null,
      },
      this.options.owner,
    );
    if (!stored) this.claimLost(item);
    return stored ? 'sent' : 'lost';
  }

  private claimLost(item: OutboxItem): void {
    this.log.warn(
      { seq: item.seq, conversationId: item.conversationId, channel: item.channel },
      'outbound message claim ran out before its outcome was stored; another dispatcher has it',
    );
  }

  /** The connector's request may still land after this; an idempotency key makes the retry harmless. */
  private withTimeout(send: Promise<SendResult>): Promise<SendResult> {
    const ms = this.options.sendTimeoutMs;
    return new Promise<SendResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ConnectorError(`no answer from the channel within ${ms} ms`, true)),
        ms,
      );
      send.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
