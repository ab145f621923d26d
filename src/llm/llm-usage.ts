/** What a language-model call was for: a member's answer, a hand-off summary, article or question vectors. */
export const llmPurposes = ['answer', 'summary', 'article_embeddings', 'query_embeddings'] as const;
export type LlmPurpose = (typeof llmPurposes)[number];
export type LlmOutcome = 'ok' | 'timeout' | 'error';

export interface LlmTokenCount {
  model: string;
  purpose: LlmPurpose;
  kind: 'prompt' | 'completion';
  tokens: number;
}

export interface LlmRequestCount {
  purpose: LlmPurpose;
  outcome: LlmOutcome;
  requests: number;
}

// Counted in the process (like Discord's 429s) and read by the metrics at scrape time.
const tokens = new Map<string, LlmTokenCount>();
const requests = new Map<string, LlmRequestCount>();

/** Adds the tokens a reply's `usage` reports (servers that report none add nothing). */
export function countLlmTokens(
  model: string,
  purpose: LlmPurpose,
  prompt: number | undefined,
  completion: number | undefined,
): void {
  for (const [kind, n] of [
    ['prompt', prompt],
    ['completion', completion],
  ] as const) {
    if (!n) continue;
    const key = `${model}\u0000${purpose}\u0000${kind}`;
    const entry = tokens.get(key) ?? { model, purpose, kind, tokens: 0 };
    entry.tokens += n;
    tokens.set(key, entry);
  }
}

export function countLlmRequest(purpose: LlmPurpose, outcome: LlmOutcome): void {
  const key = `${purpose}\u0000${outcome}`;
  const entry = requests.get(key) ?? { purpose, outcome, requests: 0 };
  entry.requests += 1;
  requests.set(key, entry);
}

/** Tokens used by this process so far, per model, purpose and kind. */
export function llmTokenCounts(): readonly LlmTokenCount[] {
  return [...tokens.values()].map((t) => ({ ...t }));
}

/** Requests made by this process so far, per purpose and outcome. */
export function llmRequestCounts(): readonly LlmRequestCount[] {
  return [...requests.values()].map((r) => ({ ...r }));
}
