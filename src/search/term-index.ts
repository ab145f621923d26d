/**
 * A small inverted index with Okapi BM25 scoring, updated in place: add and remove cost
 * O(terms of the document), so the knowledge base follows every article edit at once.
 * Documents are small integer slots; scores go into a dense array the caller reuses, which keeps
 * a search over 100,000 parts within a millisecond or two.
 */
export class TermIndex {
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly lengths: number[] = [];
  private readonly docTerms: (string[] | undefined)[] = [];
  private docCount = 0;
  private totalLength = 0;

  constructor(
    private readonly k1: number,
    private readonly b: number,
  ) {}

  get count(): number {
    return this.docCount;
  }

  /** One more than the highest slot ever used: the size a score array needs. */
  get capacity(): number {
    return this.docTerms.length;
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  idf(term: string): number {
    const df = this.documentFrequency(term);
    return Math.log(1 + (this.docCount - df + 0.5) / (df + 0.5));
  }

  add(doc: number, terms: string[]): void {
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    this.addCounts(doc, tf, terms.length);
  }

  /** Like `add`, from term counts already made (cheaper for n-grams of repeated words). */
  addCounts(doc: number, tf: Map<string, number>, length: number): void {
    this.remove(doc);
    for (const [t, n] of tf) {
      let p = this.postings.get(t);
      if (!p) {
        p = new Map();
        this.postings.set(t, p);
      }
      p.set(doc, n);
    }
    this.lengths[doc] = length;
    this.docTerms[doc] = [...tf.keys()];
    this.docCount++;
    this.totalLength += length;
  }

  remove(doc: number): void {
    const terms = this.docTerms[doc];
    if (!terms) return;
    for (const t of terms) {
      const p = this.postings.get(t);
      p?.delete(doc);
      if (p && p.size === 0) this.postings.delete(t);
    }
    this.totalLength -= this.lengths[doc] ?? 0;
    this.lengths[doc] = 0;
    this.docTerms[doc] = undefined;
    this.docCount--;
  }

  /**
   * Adds `weight × BM25(term, doc)` to `scores[doc]` for every document containing the term;
   * documents scored for the first time are appended to `touched` (so the caller can reset them).
   */
  accumulate(term: string, weight: number, scores: Float64Array, touched: number[]): void {
    const p = this.postings.get(term);
    if (!p) return;
    const idf = this.idf(term) * weight;
    const avg = this.totalLength / Math.max(1, this.docCount) || 1;
    const { k1, b } = this;
    const lengthFactor = (k1 * b) / avg;
    const base = k1 * (1 - b);
    const lengths = this.lengths;
    // forEach, not for…of: no [key, value] array per posting, so no garbage to collect.
    p.forEach((tf, doc) => {
      const s = (idf * tf * (k1 + 1)) / (tf + base + lengthFactor * (lengths[doc] ?? 0));
      if (scores[doc] === 0) touched.push(doc);
      scores[doc] = (scores[doc] ?? 0) + s;
    });
  }
}

/** A reusable dense score array plus the list of slots it holds scores for. */
export class ScoreBuffer {
  scores = new Float64Array(64);
  readonly touched: number[] = [];

  /** Makes room for `capacity` slots; call before a search, then `clear()` after it. */
  reserve(capacity: number): void {
    if (capacity <= this.scores.length) return;
    const next = new Float64Array(Math.max(capacity, this.scores.length * 2));
    next.set(this.scores);
    this.scores = next;
  }

  clear(): void {
    for (const slot of this.touched) this.scores[slot] = 0;
    this.touched.length = 0;
  }
}
