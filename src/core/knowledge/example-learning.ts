import { conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ExampleProposal } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { ArticleRepository, ExampleProposalRepository } from '../ports/repositories.ts';
import type { SearchIndex } from '../ports/search-index.ts';

export interface ExampleLearningDeps {
  proposals: ExampleProposalRepository;
  articles: ArticleRepository;
  index: SearchIndex;
  clock: Clock;
}

/** Two phrasings are the same example when they differ only in case, spacing and punctuation. */
export function exampleKey(question: string): string {
  return question
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Learning from members' own words: when a member says an article solved their question, or an
 * agent links an article to a conversation, the question is proposed as a new example question of
 * that article. An agent approves it (the article and the search index learn the phrasing at once)
 * or rejects it. Nothing reaches the knowledge base without a person's approval.
 */
export class ExampleLearning {
  constructor(private readonly deps: ExampleLearningDeps) {}

  /**
   * Proposes `question` as an example of the article. Returns `undefined` (and stores nothing)
   * when the question is empty, already an example of the article, or already pending for it.
   */
  async propose(
    articleId: string,
    question: string,
    source: ExampleProposal['source'],
    conversationId: string | null,
  ): Promise<ExampleProposal | undefined> {
    const text = question.replace(/\s+/g, ' ').trim();
    const key = exampleKey(text);
    if (!key) return undefined;
    const article = await this.deps.articles.get(articleId);
    if (!article) throw notFound('article', articleId);
    if (article.examples.some((e) => exampleKey(e) === key)) return undefined;
    const pending = await this.deps.proposals.list({ status: 'pending', articleId });
    if (pending.some((p) => exampleKey(p.question) === key)) return undefined;
    const proposal: ExampleProposal = {
      id: newId(),
      articleId,
      question: text,
      source,
      conversationId,
      status: 'pending',
      createdAt: this.deps.clock.now().toISOString(),
      decidedAt: null,
      decidedBy: null,
    };
    await this.deps.proposals.create(proposal);
    return proposal;
  }

  /** Pending proposals, oldest first (optionally of one article). */
  pending(articleId?: string): Promise<ExampleProposal[]> {
    return this.deps.proposals.list({ status: 'pending', ...(articleId ? { articleId } : {}) });
  }

  /** Adds the question to the article's examples and re-indexes the article. */
  async approve(id: string, agentId: string): Promise<ExampleProposal> {
    const proposal = await this.pendingProposal(id);
    const article = await this.deps.articles.get(proposal.articleId);
    if (!article) throw notFound('article', proposal.articleId);
    const now = this.deps.clock.now().toISOString();
    if (!article.examples.some((e) => exampleKey(e) === exampleKey(proposal.question))) {
      const updated = { ...article, examples: [...article.examples, proposal.question], updatedAt: now };
      await this.deps.articles.update(updated);
      await this.deps.index.upsert(updated);
    }
    const decided: ExampleProposal = { ...proposal, status: 'approved', decidedAt: now, decidedBy: agentId };
    await this.deps.proposals.update(decided);
    return decided;
  }

  async reject(id: string, agentId: string): Promise<ExampleProposal> {
    const proposal = await this.pendingProposal(id);
    const decided: ExampleProposal = {
      ...proposal,
      status: 'rejected',
      decidedAt: this.deps.clock.now().toISOString(),
      decidedBy: agentId,
    };
    await this.deps.proposals.update(decided);
    return decided;
  }

  private async pendingProposal(id: string): Promise<ExampleProposal> {
    const proposal = await this.deps.proposals.get(id);
    if (!proposal) throw notFound('example proposal', id);
    if (proposal.status !== 'pending') throw conflict(`example proposal ${id} is already ${proposal.status}`);
    return proposal;
  }
}
