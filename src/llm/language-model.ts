import type { LlmConfig } from '../config.ts';
import type { ExtractiveHandoffSummarizer, HandoffSummarizer } from '../core/knowledge/handoff-summary.ts';
import type { ArticleLookup, KnowledgeVirtualAgent } from '../core/knowledge/knowledge-virtual-agent.ts';
import type { ArticleVectorRepository } from '../core/ports/article-vectors.ts';
import type { SearchIndex } from '../core/ports/search-index.ts';
import type { VirtualAgent } from '../core/ports/virtual-agent.ts';
import { GroundedVirtualAgent } from './grounded-virtual-agent.ts';
import { HybridSearchIndex } from './hybrid-search-index.ts';
import { ModelHandoffSummarizer } from './model-handoff-summarizer.ts';
import { OpenAiClient } from './openai-client.ts';

export interface LanguageModelLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

/**
 * What the brand's own model adds, each part only when its model is configured: hybrid retrieval
 * (embeddings model), grounded answers and written hand-off summaries (chat model).
 */
export interface LanguageModelParts {
  client: OpenAiClient;
  /** The keyword index, fused with article vectors when an embeddings model is set. */
  searchIndex(keyword: SearchIndex): SearchIndex;
  /** The knowledge agent, writing its answers with the chat model when one is set. */
  virtualAgent(knowledge: KnowledgeVirtualAgent): VirtualAgent;
  summarizer(extractive: ExtractiveHandoffSummarizer): HandoffSummarizer;
  stop(): Promise<void>;
}

export function createLanguageModelParts(
  config: LlmConfig,
  deps: { vectors: ArticleVectorRepository; articles: ArticleLookup; log: LanguageModelLog },
): LanguageModelParts {
  const client = new OpenAiClient({
    url: config.url,
    apiKey: config.apiKey,
    chatModel: config.chatModel,
    embeddingsModel: config.embeddingsModel,
    timeoutMs: config.timeoutMs,
    embeddingsTimeoutMs: config.embeddingsTimeoutMs,
  });
  const { log } = deps;
  // Never the key: the endpoint's address (without credentials or query) and the models.
  const endpoint = new URL(config.url);
  log.info(
    {
      endpoint: `${endpoint.origin}${endpoint.pathname}`,
      chatModel: config.chatModel,
      embeddingsModel: config.embeddingsModel,
    },
    'language model configured',
  );
  let hybrid: HybridSearchIndex | null = null;
  return {
    client,
    searchIndex(keyword) {
      if (!config.embeddingsModel) return keyword;
      hybrid = new HybridSearchIndex(keyword, client, deps.vectors, {
        minSimilarity: config.minSimilarity,
        log,
      });
      return hybrid;
    },
    virtualAgent(knowledge) {
      if (!config.chatModel) return knowledge;
      return new GroundedVirtualAgent(knowledge, deps.articles, client, {
        onError: (error) =>
          log.warn(
            { kind: error.kind, status: error.status, reason: error.message },
            'language model failed; the articles answered',
          ),
        onRejected: (reason) =>
          log.warn({ reason }, 'language model answer discarded; the articles answered'),
      });
    },
    summarizer(extractive) {
      if (!config.chatModel) return extractive;
      return new ModelHandoffSummarizer(client, extractive, {
        onError: (error) =>
          log.warn(
            { kind: error.kind, status: error.status, reason: error.message },
            'hand-off summary written without the model',
          ),
      });
    },
    async stop() {
      await hybrid?.stop();
    },
  };
}
