import type { Conversation, SuggestedArticle } from '../model.ts';

export type VirtualAgentIntent = 'answer' | 'unsure' | 'handoff' | 'thanks' | 'greeting';

export interface VirtualAgentReply {
  intent: VirtualAgentIntent;
  /** What to say to the contact, in the contact's language. */
  text: string;
  articles: SuggestedArticle[];
  /** 0..1; below the configured threshold the agent says it is not sure. */
  confidence: number;
  /** Detected language of the question, e.g. `en`, `ar`. */
  language: string;
  /** The model could not be reached and this is the fallback (article) answer: a hand-off then says so. */
  modelUnavailable?: true;
  /** Written by the language model from the cited articles (`articles`). */
  grounded?: boolean;
}

export interface VirtualAgentRequest {
  text: string;
  conversation: Conversation;
  /** The contact's locale, if the channel knows it. */
  locale: string | null;
  /** Recent messages, oldest first, for context (external bots get them). */
  history: { authorKind: string; text: string }[];
}

/** Answers contacts before a person does. */
export interface VirtualAgent {
  reply(request: VirtualAgentRequest): Promise<VirtualAgentReply>;
  /** A greeting for a new conversation, in the given language. */
  greet(language: string): string;
}
