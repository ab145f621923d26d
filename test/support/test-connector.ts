import type { OutboundMessage } from '../../src/core/model.ts';
import {
  type ChannelConnector,
  ConnectorError,
  type ConnectorHealth,
  type InboundHandler,
  type InboundMessage,
  type SendResult,
} from '../../src/core/ports/channel-connector.ts';

/**
 * A real connector for a `test` channel: what the core sends is kept in `sent` (as a chat client would
 * show it), inbound messages are pushed with `receive`, and the channel can be made to fail for a while.
 */
export class TestConnector implements ChannelConnector {
  readonly sent: OutboundMessage[] = [];
  private handler: InboundHandler | null = null;
  private failures: { count: number; retryable: boolean }[] = [];
  private counter = 0;
  /** Message ids stay unique across connector instances, as a channel's own ids are. */
  private readonly prefix = globalThis.crypto.randomUUID().slice(0, 8);

  constructor(readonly channel = 'test') {}

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
  }

  async stop(): Promise<void> {
    this.handler = null;
  }

  health(): ConnectorHealth {
    return { status: this.handler ? 'connected' : 'disabled', detail: null };
  }

  /** The next `count` sends fail (retryable like a 5xx, or not like a 4xx). */
  failNext(count: number, retryable = true): void {
    this.failures.push({ count, retryable });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const failure = this.failures[0];
    if (failure && failure.count > 0) {
      failure.count -= 1;
      if (failure.count === 0) this.failures.shift();
      throw new ConnectorError('test channel unavailable', failure.retryable);
    }
    this.sent.push(message);
    this.counter += 1;
    return { externalId: `test-out-${this.prefix}-${this.counter}` };
  }

  /** Delivers a message from a contact as the channel would. */
  async receive(message: Partial<InboundMessage> & { text: string; from?: string }): Promise<void> {
    if (!this.handler) throw new Error('connector not started');
    this.counter += 1;
    const from = message.from ?? 'contact-1';
    await this.handler({
      channel: this.channel,
      externalId: message.externalId ?? `test-in-${this.prefix}-${this.counter}`,
      contact: message.contact ?? { externalId: from, name: `Member ${from}` },
      address: message.address ?? { thread: from },
      text: message.text,
      ...(message.action !== undefined ? { action: message.action } : {}),
      ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
      ...(message.member !== undefined ? { member: message.member } : {}),
    });
  }

  /** Texts delivered to the given contact address, in order. */
  textsTo(thread = 'contact-1'): string[] {
    return this.sent.filter((m) => m.address.thread === thread).map((m) => m.text);
  }
}
