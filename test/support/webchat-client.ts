import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { VisitorMessage } from '../../src/channels/webchat/webchat-history.ts';

export type { VisitorMessage };

export interface WebchatResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A web-chat visitor speaking the widget's protocol (src/channels/webchat, web/src/chat): a session token
 * from the server, messages over HTTP, the visitor's live WebSocket for what the contact center sends.
 */
export class WebchatVisitor {
  /** Everything pushed to this visitor over the live connection, in order. */
  readonly received: VisitorMessage[] = [];
  /** Set when the server ended the live connection (for example 4003 when the visitor is blocked). */
  closedWith: { code: number; reason: string } | null = null;
  private socket: WebSocket | null = null;

  private constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly visitorId: string,
    private readonly name: string | undefined,
  ) {}

  /** A new visitor: a token issued by the server, and the live connection open and ready. */
  static async start(baseUrl: string, options: { name?: string } = {}): Promise<WebchatVisitor> {
    const res = await fetch(`${baseUrl}/api/v1/webchat/sessions`, { method: 'POST' });
    const body = (await res.json()) as { token?: string; visitorId?: string; error?: { message: string } };
    if (res.status !== 201 || !body.token || !body.visitorId)
      throw new Error(`web-chat session refused (${res.status}): ${body.error?.message ?? ''}`);
    const visitor = new WebchatVisitor(baseUrl, body.token, body.visitorId, options.name);
    await visitor.connect();
    return visitor;
  }

  /** A visitor with a token of the server's shape that the server never issued. */
  static forged(baseUrl: string, token: string): WebchatVisitor {
    return new WebchatVisitor(baseUrl, token, 'wv_unknown', undefined);
  }

  /** Opens the live connection: the token goes in the first frame; resolves when the server says ready. */
  connect(): Promise<void> {
    const socket = new WebSocket(`${this.baseUrl.replace(/^http/, 'ws')}/api/v1/webchat/live`);
    this.socket = socket;
    // Errors after the connection was ready end it like a close; they must not crash the test run.
    socket.on('error', () => {});
    return new Promise((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.token })));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; message?: VisitorMessage };
        if (frame.type === 'ready') resolve();
        if (frame.type === 'message' && frame.message) this.received.push(frame.message);
      });
      socket.once('close', (code, reason) => {
        this.closedWith = { code, reason: String(reason) };
        reject(new Error(`live connection closed: ${code} ${String(reason)}`));
      });
      socket.once('error', reject);
    });
  }

  /** Sends a message (or a button's action) as the widget does; resolves with the server's answer. */
  async post(
    text: string,
    options: { action?: string; clientMessageId?: string; name?: string } = {},
  ): Promise<WebchatResponse> {
    const name = options.name ?? this.name;
    const res = await fetch(`${this.baseUrl}/api/v1/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webchat-token': this.token },
      body: JSON.stringify({
        text,
        clientMessageId: options.clientMessageId ?? randomUUID(),
        ...(options.action ? { action: options.action } : {}),
        ...(name ? { name } : {}),
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Like `post`, but a refusal is an error: for journeys where the message must get through. */
  async send(text: string, options: { action?: string; name?: string } = {}): Promise<void> {
    const res = await this.post(text, options);
    if (res.status !== 202)
      throw new Error(
        `web chat refused the message (${res.status}): ${JSON.stringify(res.body.error ?? res.body)}`,
      );
  }

  /** The visitor's history, as the widget reads it after a reload. */
  async history(): Promise<{ status: number; blocked?: boolean; messages: VisitorMessage[] }> {
    const res = await fetch(`${this.baseUrl}/api/v1/webchat/messages`, {
      headers: { 'x-webchat-token': this.token },
    });
    const body = (await res.json()) as { blocked?: boolean; messages?: VisitorMessage[] };
    return {
      status: res.status,
      ...(body.blocked !== undefined ? { blocked: body.blocked } : {}),
      messages: body.messages ?? [],
    };
  }

  /** Texts pushed to this visitor, in order. */
  texts(): string[] {
    return this.received.map((m) => m.text);
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.close();
    this.socket = null;
  }
}

/** What a contact received, as tests of "a contact writes X" read it. */
export interface DeliveredMessage extends VisitorMessage {
  /** `thread` is the name the test gave the contact. */
  address: { thread: string; visitorId: string };
}

/**
 * Contacts on the real web-chat channel, named by the test (`from`): "a contact writes X" and "what did
 * the contact get". Each name is one visitor with its own token and live connection.
 */
export class WebchatContacts {
  private readonly visitors = new Map<string, Promise<WebchatVisitor>>();
  private readonly delivered: { from: string; visitor: WebchatVisitor }[] = [];

  constructor(private readonly baseUrl: () => string) {}

  /** The visitor behind a contact name, created (with a live connection) the first time. */
  visitor(from = 'contact-1', name?: string): Promise<WebchatVisitor> {
    let visitor = this.visitors.get(from);
    if (!visitor) {
      visitor = WebchatVisitor.start(this.baseUrl(), { name: name ?? `Member ${from}` });
      this.visitors.set(from, visitor);
      void visitor.then((v) => this.delivered.push({ from, visitor: v })).catch(() => {});
    }
    return visitor;
  }

  /** A contact writes (or presses a button); resolves once the server has stored and handled it. */
  async receive(message: {
    text: string;
    from?: string;
    action?: string;
    contact?: { externalId?: string; name: string };
  }): Promise<void> {
    const from = message.from ?? message.contact?.externalId ?? 'contact-1';
    const visitor = await this.visitor(from, message.contact?.name);
    await visitor.send(message.text, {
      ...(message.action ? { action: message.action } : {}),
      ...(message.contact?.name ? { name: message.contact.name } : {}),
    });
  }

  /** Everything delivered to every contact, each with the contact's name as `address.thread`. */
  get sent(): DeliveredMessage[] {
    return this.delivered.flatMap(({ from, visitor }) =>
      visitor.received.map((m) => ({ ...m, address: { thread: from, visitorId: visitor.visitorId } })),
    );
  }

  /** Texts delivered to the given contact, in order. */
  textsTo(from = 'contact-1'): string[] {
    return this.sent.filter((m) => m.address.thread === from).map((m) => m.text);
  }

  async close(): Promise<void> {
    for (const visitor of this.visitors.values()) (await visitor.catch(() => null))?.close();
    this.visitors.clear();
  }
}
