import { z } from 'zod';
import { baseLanguage, detectLanguage } from '../core/knowledge/language-detector.ts';
import type { SuggestedArticle } from '../core/model.ts';
import type {
  VirtualAgent,
  VirtualAgentIntent,
  VirtualAgentReply,
  VirtualAgentRequest,
} from '../core/ports/virtual-agent.ts';

export interface HttpBotVirtualAgentOptions {
  /** The brand's bot endpoint (Rasa REST channel, Botpress, an LLM service, …). */
  url: string;
  /** Asked instead when the bot fails, times out or answers nothing (usually the KnowledgeVirtualAgent). */
  fallback: VirtualAgent;
  /** The bot must answer within this time, or the fallback answers. */
  timeoutMs: number;
  /** Extra request headers, e.g. `Authorization`. */
  headers: Record<string, string>;
  /** How many recent messages are sent along. */
  historyLimit: number;
  /** Told about every failure that made the fallback answer (for logs and metrics). */
  onError: (error: HttpBotError) => void;
}

export const defaultHttpBotVirtualAgentOptions: Omit<HttpBotVirtualAgentOptions, 'url' | 'fallback'> = {
  timeoutMs: 5000,
  headers: {},
  historyLimit: 10,
  onError: () => {},
};

/** Why the external bot's answer was not used; keeps the URL and status for the log. */
export class HttpBotError extends Error {
  override readonly name = 'HttpBotError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'status' | 'invalid_reply' | 'empty_reply',
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What Switchboard POSTs to the bot. */
export interface HttpBotRequestBody {
  message: string;
  conversation: { id: string; contactId: string; channel: string; language: string | null };
  locale: string | null;
  history: { authorKind: string; text: string }[];
}

const link = z.object({
  url: z.string().min(1),
  title: z.string().optional(),
  excerpt: z.string().optional(),
});
const handoffFlag = z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional();
const item = z.object({
  text: z.string().optional(),
  links: z.array(link).optional(),
  handoff: handoffFlag,
  // Rasa custom payloads carry extra flags here.
  custom: z.object({ handoff: handoffFlag }).partial().passthrough().optional(),
});
// Accepted replies: one item, `{ replies | messages | responses: [item…] }`, or a bare array (Rasa's REST channel).
const replySchema = z.union([
  z.array(item),
  item.extend({
    replies: z.array(item).optional(),
    messages: z.array(item).optional(),
    responses: z.array(item).optional(),
    confidence: z.number().min(0).max(1).optional(),
    language: z.string().optional(),
  }),
]);

const isTrue = (v: boolean | 'true' | 'false' | undefined) => v === true || v === 'true';

/**
 * A brand's own bot behind an HTTP endpoint. Each contact message is POSTed as JSON; the reply's
 * texts and links are relayed, `handoff: true` hands the conversation to a person, and anything
 * else (timeout, 5xx, unreadable or empty reply) lets the fallback virtual agent answer, so a
 * member never waits on a broken bot.
 */
export class HttpBotVirtualAgent implements VirtualAgent {
  readonly options: HttpBotVirtualAgentOptions;

  constructor(
    options: Partial<HttpBotVirtualAgentOptions> & Pick<HttpBotVirtualAgentOptions, 'url' | 'fallback'>,
  ) {
    this.options = { ...defaultHttpBotVirtualAgentOptions, ...options };
  }

  greet(language: string): string {
    return this.options.fallback.greet(language);
  }

  async reply(request: VirtualAgentRequest): Promise<VirtualAgentReply> {
    try {
      return await this.ask(request);
    } catch (error) {
      const failure =
        error instanceof HttpBotError
          ? error
          : new HttpBotError(
              'network',
              error instanceof Error ? error.message : String(error),
              this.options.url,
            );
      this.options.onError(failure);
      return this.options.fallback.reply(request);
    }
  }

  private async ask(request: VirtualAgentRequest): Promise<VirtualAgentReply> {
    const { url, timeoutMs, headers, historyLimit } = this.options;
    const body: HttpBotRequestBody = {
      message: request.text,
      conversation: {
        id: request.conversation.id,
        contactId: request.conversation.contactId,
        channel: request.conversation.channel,
        language: request.conversation.language,
      },
      locale: request.locale,
      history: request.history.slice(-historyLimit),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new HttpBotError(
        timedOut ? 'timeout' : 'network',
        timedOut ? `no reply within ${timeoutMs} ms` : String(error),
        url,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpBotError('status', `bot answered HTTP ${response.status}`, url, response.status);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new HttpBotError('invalid_reply', 'reply is not JSON', url, response.status);
    }
    const parsed = replySchema.safeParse(json);
    if (!parsed.success) throw new HttpBotError('invalid_reply', parsed.error.message, url, response.status);

    const top = Array.isArray(parsed.data) ? undefined : parsed.data;
    const items = Array.isArray(parsed.data)
      ? parsed.data
      : [parsed.data, ...(top?.replies ?? []), ...(top?.messages ?? []), ...(top?.responses ?? [])];
    const texts = items.map((i) => i.text?.trim()).filter((t): t is string => !!t);
    const articles: SuggestedArticle[] = items
      .flatMap((i) => i.links ?? [])
      .map((l) => ({ id: l.url, title: l.title ?? l.url, excerpt: l.excerpt ?? '', url: l.url, score: 1 }));
    const handoff = items.some((i) => isTrue(i.handoff) || isTrue(i.custom?.handoff));
    if (!handoff && texts.length === 0 && articles.length === 0) {
      throw new HttpBotError('empty_reply', 'reply has no text, links or hand-off', url, response.status);
    }
    const intent: VirtualAgentIntent = handoff ? 'handoff' : 'answer';
    return {
      intent,
      text: texts.join('\n\n'),
      articles,
      confidence: top?.confidence ?? 1,
      language: top?.language ?? this.language(request),
    };
  }

  private language(request: VirtualAgentRequest): string {
    const detected = detectLanguage(request.text);
    if (detected && detected.confidence >= 0.5) return detected.language;
    if (request.locale) return baseLanguage(request.locale);
    return detected?.language ?? request.conversation.language ?? 'en';
  }
}
