import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, as sent. */
export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeChatMessage {
  role: string;
  content: string;
}

/** What the scripted model writes for a chat request (a string is the assistant's text). */
export type ChatScript = (messages: FakeChatMessage[], request: FakeRequest) => string;

/** `normal` answers; `hang` never answers (until the fake closes); `error` answers 500. */
export type FakeMode = 'normal' | 'hang' | 'error';

export interface OpenAiFakeOptions {
  /**
   * Deterministic embeddings: every concept is one dimension, and a text scores on it once per word
   * (or phrase) of the concept it contains. Words of no concept land, lightly, in hashed dimensions, so
   * unrelated texts are near-orthogonal and texts sharing a concept are close.
   */
  concepts: Record<string, string[]>;
  chat: ChatScript;
}

const hashedDimensions = 32;

/**
 * A local OpenAI-compatible server (`/v1/chat/completions`, `/v1/embeddings`) for tests: scripted
 * completions, deterministic embeddings, failure modes, and a record of every request.
 */
export class OpenAiFake {
  readonly requests: FakeRequest[] = [];
  mode: FakeMode = 'normal';
  /** Failure mode of the embeddings endpoint alone (default: the same as `mode`). */
  embeddingsMode: FakeMode | null = null;
  chat: ChatScript;
  private readonly concepts: [string, string[]][];
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  url = '';

  private constructor(options: OpenAiFakeOptions) {
    this.chat = options.chat;
    this.concepts = Object.entries(options.concepts).map(([name, words]) => [
      name,
      words.map((w) => w.toLowerCase()),
    ]);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(options: Partial<OpenAiFakeOptions> = {}): Promise<OpenAiFake> {
    const fake = new OpenAiFake({
      concepts: options.concepts ?? {},
      chat: options.chat ?? (() => JSON.stringify({ supported: false })),
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    return fake;
  }

  chatRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  embeddingRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/embeddings'));
  }

  /** The vector the fake gives `text` (what Switchboard stores for an article). */
  embedding(text: string): number[] {
    const lower = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
    const vector = new Array<number>(this.concepts.length + hashedDimensions).fill(0);
    this.concepts.forEach(([, words], i) => {
      for (const word of words) vector[i] = (vector[i] ?? 0) + lower.split(` ${word} `).length - 1;
    });
    for (const word of lower.trim().split(' ')) {
      if (!word) continue;
      let h = 0;
      for (const ch of word) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
      const d = this.concepts.length + (h % hashedDimensions);
      vector[d] = (vector[d] ?? 0) + 0.05;
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((v) => v / norm);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return this.send(res, 400, { error: { message: 'body is not JSON' } });
    }
    const path = (req.url ?? '').replace(/\?.*$/, '');
    const request: FakeRequest = { path, headers: req.headers, body };
    this.requests.push(request);
    const isEmbeddings = path.endsWith('/embeddings');
    const mode = isEmbeddings ? (this.embeddingsMode ?? this.mode) : this.mode;
    if (mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (mode === 'error') return this.send(res, 500, { error: { message: 'the model crashed' } });
    if (path === '/v1/embeddings') {
      const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      return this.send(res, 200, {
        object: 'list',
        model: body.model,
        data: input.map((text, index) => ({ object: 'embedding', index, embedding: this.embedding(text) })),
        usage: { prompt_tokens: input.join(' ').split(/\s+/).length, total_tokens: 0 },
      });
    }
    if (path === '/v1/chat/completions') {
      const messages = (body.messages as FakeChatMessage[] | undefined) ?? [];
      const content = this.chat(messages, request);
      const prompt = messages
        .map((m) => m.content)
        .join(' ')
        .split(/\s+/).length;
      const completion = content.split(/\s+/).length;
      return this.send(res, 200, {
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      });
    }
    this.send(res, 404, { error: { message: `no route ${path}` } });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
