import type { Message } from '../model.ts';
import type { MessageRepository } from '../ports/repositories.ts';
import { detectConversationalIntent } from './handoff-detector.ts';

/** What an agent (or Flex) reads at a hand-off: what the member asked and what the bot already suggested. */
export interface HandoffSummary {
  text: string;
  /** `model`: written by the brand's language model; `extractive`: the member's own words and the bot's articles. */
  by: 'model' | 'extractive';
}

/** Writes a hand-off summary from a conversation's messages (oldest first). */
export interface HandoffSummarizer {
  summarize(messages: readonly Message[]): Promise<HandoffSummary>;
}

export interface ExtractiveSummaryOptions {
  /** Recognises a request for a person (not a question worth repeating to the agent). */
  isHandoffRequest: (text: string) => boolean;
  /** The member's last this many questions. */
  maxQuestions: number;
  /** Each question cut to this many characters. */
  maxQuestionChars: number;
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The member's real questions (no greetings, thanks or requests for a person), oldest first. */
export function memberQuestions(
  messages: readonly Message[],
  isHandoffRequest: (text: string) => boolean,
): string[] {
  return messages
    .filter(
      (m) =>
        m.authorKind === 'contact' &&
        m.text.trim() !== '' &&
        !isHandoffRequest(m.text) &&
        detectConversationalIntent(m.text) === null,
    )
    .map((m) => m.text);
}

/** The articles the bot suggested, first suggestion first, each once. */
export function suggestedArticleTitles(messages: readonly Message[]): string[] {
  const titles = new Map<string, string>();
  for (const m of messages)
    if (m.authorKind === 'bot') for (const a of m.articles) if (!titles.has(a.id)) titles.set(a.id, a.title);
  return [...titles.values()];
}

/** A summary without a model: the member's last questions in their words, and the titles the bot suggested. */
export class ExtractiveHandoffSummarizer implements HandoffSummarizer {
  readonly options: ExtractiveSummaryOptions;

  constructor(
    options: Partial<ExtractiveSummaryOptions> & Pick<ExtractiveSummaryOptions, 'isHandoffRequest'>,
  ) {
    this.options = { maxQuestions: 3, maxQuestionChars: 200, ...options };
  }

  async summarize(messages: readonly Message[]): Promise<HandoffSummary> {
    return { text: this.summaryText(messages), by: 'extractive' };
  }

  summaryText(messages: readonly Message[]): string {
    const { maxQuestions, maxQuestionChars, isHandoffRequest } = this.options;
    const questions = memberQuestions(messages, isHandoffRequest).slice(-maxQuestions);
    const titles = suggestedArticleTitles(messages);
    const botAnswered = messages.some((m) => m.authorKind === 'bot');
    const lines = [
      questions.length > 0
        ? `The member wrote: ${questions.map((q) => `“${clip(q, maxQuestionChars)}”`).join(' · ')}`
        : 'The member asked for a person without a question.',
      titles.length > 0
        ? `The virtual agent suggested: ${titles.join(' · ')}`
        : botAnswered && questions.length > 0
          ? 'The virtual agent suggested no article.'
          : '',
    ];
    return lines.filter(Boolean).join('\n');
  }
}

/** The summary of one conversation, for the hand-off note and for bridges (Flex task attributes). */
export class HandoffSummaries {
  constructor(
    private readonly messages: Pick<MessageRepository, 'listByConversation'>,
    private readonly summarizer: HandoffSummarizer,
  ) {}

  async forConversation(conversationId: string): Promise<HandoffSummary> {
    return this.summarizer.summarize(await this.messages.listByConversation(conversationId));
  }
}
