import { z } from 'zod';
import { countLlmRequest, countLlmTokens, type LlmPurpose } from './llm-usage.ts';

/** Why a language-model call gave nothing usable; keeps the status for the log (never the key). */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'status' | 'invalid_reply',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface OpenAiClientOptions {
  /** Base URL: `http://localhost:11434/v1`, `https://api.openai.com/v1`, or a server root (`/v1` is added). */
  url: string;
  apiKey: string | null;
  chatModel: string | null;
  embeddingsModel: string | null;
  timeoutMs: number;
  embeddingsTimeoutMs: number;
}

const usageSchema = z
  .object({
    prompt_tokens: z.number().int().nonnegative().optional(),
    completion_tokens: z.number().int().nonnegative().optional(),
  })
  .partial()
  .nullish();

const chatReplySchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1, 'no choices'),
  usage: usageSchema,
});

const embeddingsReplySchema = z.object({
  data: z.array(
    z.object({ index: z.number().int().nonnegative().optional(), embedding: z.array(z.number()) }),
  ),
  usage: usageSchema,
});

/**
 * Endpoint URL for `/chat/completions` or `/embeddings` under the configured base: a base ending in a
 * version segment (`/v1`, Azure's `/openai/v1`) or an Azure deployment gets the path as is, any other
 * base gets `/v1` first. A query string (Azure's `api-version`) is kept.
 */
export function endpointUrl(base: string, path: 'chat/completions' | 'embeddings'): string {
  const url = new URL(base);
  const trimmed = url.pathname.replace(/\/+$/, '');
  const versioned = /\/v\d+(beta)?$/.test(trimmed) || /\/openai\/deployments\/[^/]+$/.test(trimmed);
  url.pathname = `${trimmed}${versioned ? '' : '/v1'}/${path}`;
  return url.toString();
}

/** Azure OpenAI wants its key in `api-key`; everyone else in `Authorization: Bearer`. */
const isAzure = (base: string) =>
  /\.(openai\.azure\.com|cognitiveservices\.azure\.com)$/i.test(new URL(base).hostname);

/**
 * A small client of an OpenAI-compatible API (Ollama, vLLM, llama.cpp server, LocalAI, OpenAI, Azure
 * OpenAI): chat completions and embeddings, each with a hard time-out, replies checked with a schema,
 * token use counted for the metrics.
 */
export class OpenAiClient {
  readonly options: OpenAiClientOptions;

  constructor(options: OpenAiClientOptions) {
    this.options = options;
  }

  get chatModel(): string | null {
    return this.options.chatModel;
  }

  get embeddingsModel(): string | null {
    return this.options.embeddingsModel;
  }

  /** The assistant's text. `json`: ask for a JSON object (servers that ignore the hint still get the prompt's words). */
  async chat(
    messages: ChatMessage[],
    purpose: LlmPurpose,
    options: { json?: boolean } = {},
  ): Promise<string> {
    const model = this.options.chatModel;
    if (!model) throw new LlmError('invalid_reply', 'no chat model configured');
    const body = {
      model,
      messages,
      temperature: 0,
      stream: false,
      ...(options.json ? { response_format: { type: 'json_object' } } : {}),
    };
    const json = await this.post('chat/completions', body, this.options.timeoutMs, purpose, model);
    const parsed = chatReplySchema.safeParse(json);
    if (!parsed.success)
      throw this.failed(purpose, new LlmError('invalid_reply', z.prettifyError(parsed.error)));
    countLlmTokens(model, purpose, parsed.data.usage?.prompt_tokens, parsed.data.usage?.completion_tokens);
    const content = parsed.data.choices[0]?.message.content?.trim();
    if (!content) throw this.failed(purpose, new LlmError('invalid_reply', 'the reply has no text'));
    countLlmRequest(purpose, 'ok');
    return content;
  }

  /** One vector per text, in order. */
  async embed(texts: string[], purpose: LlmPurpose): Promise<number[][]> {
    const model = this.options.embeddingsModel;
    if (!model) throw new LlmError('invalid_reply', 'no embeddings model configured');
    if (texts.length === 0) return [];
    const json = await this.post(
      'embeddings',
      { model, input: texts },
      this.options.embeddingsTimeoutMs,
      purpose,
      model,
    );
    const parsed = embeddingsReplySchema.safeParse(json);
    if (!parsed.success)
      throw this.failed(purpose, new LlmError('invalid_reply', z.prettifyError(parsed.error)));
    const { data, usage } = parsed.data;
    if (data.length !== texts.length)
      throw this.failed(
        purpose,
        new LlmError('invalid_reply', `${data.length} embeddings for ${texts.length} texts`),
      );
    const sorted = data.every((d) => d.index !== undefined)
      ? [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      : data;
    const dimensions = sorted[0]?.embedding.length ?? 0;
    if (dimensions === 0 || sorted.some((d) => d.embedding.length !== dimensions))
      throw this.failed(purpose, new LlmError('invalid_reply', 'embeddings of different or no dimensions'));
    countLlmTokens(model, purpose, usage?.prompt_tokens, 0);
    countLlmRequest(purpose, 'ok');
    return sorted.map((d) => d.embedding);
  }

  private async post(
    path: 'chat/completions' | 'embeddings',
    body: unknown,
    timeoutMs: number,
    purpose: LlmPurpose,
    model: string,
  ): Promise<unknown> {
    const { url, apiKey } = this.options;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (apiKey) {
      if (isAzure(url)) headers['api-key'] = apiKey;
      else headers.authorization = `Bearer ${apiKey}`;
    }
    let response: Response;
    try {
      response = await fetch(endpointUrl(url, path), {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw this.failed(
        purpose,
        timedOut
          ? new LlmError('timeout', `${model}: no reply within ${timeoutMs} ms`)
          : new LlmError('network', `${model}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw this.failed(
        purpose,
        new LlmError(timedOut ? 'timeout' : 'network', `${model}: the reply did not arrive in full`),
      );
    }
    if (!response.ok)
      // The start of the body says why (model not found, quota); a server does not echo the key.
      throw this.failed(
        purpose,
        new LlmError(
          'status',
          `${model}: HTTP ${response.status} ${text.replace(/\s+/g, ' ').slice(0, 200)}`.trim(),
          response.status,
        ),
      );
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.failed(
        purpose,
        new LlmError('invalid_reply', `${model}: the reply is not JSON`, response.status),
      );
    }
  }

  private failed(purpose: LlmPurpose, error: LlmError): LlmError {
    countLlmRequest(purpose, error.kind === 'timeout' ? 'timeout' : 'error');
    return error;
  }
}
