import type { OutboxItem } from '../model.ts';
import { type ChannelConnector, ConnectorError } from '../ports/channel-connector.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';

export interface OutboxDispatcherOptions {
  /** Attempts before an item is marked `failed` and the conversation's next items go on. */
  maxAttempts: number;
  /** First retry delay; doubled on every attempt, capped by `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Items taken per tick (one per conversation). */
  batchSize: number;
}

export const defaultOutboxDispatcherOptions: OutboxDispatcherOptions = {
  maxAttempts: 8,
  baseBackoffMs: 500,
  maxBackoffMs: 60_000,
  batchSize: 50,
};

export interface DispatcherLog {
  warn(context: Record<string, unknown>, message: string): void;
}

/**
 * Delivers outbox items through their channel's connector, with retries and per-conversation order:
 * a conversation's next item is not sent before the previous one was delivered or gave up.
 * Delivery is at-least-once: a crash after the channel accepted a message but before it was marked sent
 * re-sends it once on restart.
 */
export class OutboxDispatcher {
  private readonly options: OutboxDispatcherOptions;
  private running: Promise<number> | null = null;
  private rerun = false;

  constructor(
    private readonly store: Store,
    private readonly connectors: ReadonlyMap<string, ChannelConnector>,
    private readonly clock: Clock,
    options: Partial<OutboxDispatcherOptions> = {},
    private readonly log: DispatcherLog = { warn: () => {} },
  ) {
    this.options = { ...defaultOutboxDispatcherOptions, ...options };
  }

  /**
   * Delivers everything due now, conversation by conversation, until nothing due is left.
   * Concurrent calls coalesce into the running one (plus one more pass). Returns the number sent.
   */
  async tick(): Promise<number> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      let sent = 0;
      do {
        this.rerun = false;
        for (;;) {
          const due = await this.store.outbox.listDue(this.clock.now().toISOString(), this.options.batchSize);
          if (due.length === 0) break;
          const results = await Promise.all(due.map((item) => this.deliver(item)));
          const delivered = results.filter((r) => r === 'sent').length;
          sent += delivered;
          // Items that were retried are not due yet; stop when a pass made no progress.
          if (results.every((r) => r === 'retry')) break;
        }
      } while (this.rerun);
      return sent;
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async deliver(item: OutboxItem): Promise<'sent' | 'retry' | 'failed'> {
    const connector = this.connectors.get(item.channel);
    try {
      if (!connector) throw new ConnectorError(`no connector for channel ${item.channel}`, true);
      const result = await connector.send(item.message);
      await this.store.outbox.update({
        ...item,
        status: 'sent',
        attempts: item.attempts + 1,
        externalId: result.externalId,
        sentAt: this.clock.now().toISOString(),
        lastError: null,
      });
      return 'sent';
    } catch (error) {
      const attempts = item.attempts + 1;
      const reason = error instanceof Error ? error.message : String(error);
      const retryable = !(error instanceof ConnectorError) || error.retryable;
      const giveUp = !retryable || attempts >= this.options.maxAttempts;
      const backoff = Math.min(this.options.baseBackoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs);
      const wait =
        error instanceof ConnectorError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff;
      this.log.warn(
        {
          seq: item.seq,
          conversationId: item.conversationId,
          channel: item.channel,
          attempts,
          reason,
          giveUp,
        },
        'outbound message not delivered',
      );
      await this.store.outbox.update({
        ...item,
        status: giveUp ? 'failed' : 'pending',
        attempts,
        lastError: reason,
        nextAttemptAt: new Date(this.clock.now().getTime() + (giveUp ? 0 : wait)).toISOString(),
      });
      return giveUp ? 'failed' : 'retry';
    }
  }
}
