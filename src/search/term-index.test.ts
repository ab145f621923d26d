import { describe, expect, it } from 'vitest';
import { ScoreBuffer, TermIndex } from './term-index.ts';

const k1 = 2;
const b = 0.75;

/** BM25 written out plainly over the documents as they should be: what the index must agree with. */
function expectedScores(docs: Map<number, string[]>, term: string): Map<number, number> {
  const lengths = [...docs.values()].map((terms) => terms.length);
  const avg = lengths.reduce((s, n) => s + n, 0) / Math.max(1, docs.size) || 1;
  const containing = [...docs].filter(([, terms]) => terms.includes(term));
  const df = containing.length;
  const idf = Math.log(1 + (docs.size - df + 0.5) / (df + 0.5));
  const out = new Map<number, number>();
  for (const [doc, terms] of containing) {
    const tf = terms.filter((t) => t === term).length;
    out.set(doc, (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b) + ((k1 * b) / avg) * terms.length));
  }
  return out;
}

function scoresOf(index: TermIndex, term: string): Map<number, number> {
  const buffer = new ScoreBuffer();
  buffer.reserve(index.capacity);
  index.accumulate(term, 1, buffer);
  const out = new Map<number, number>();
  for (let i = 0; i < buffer.touchedCount; i++) {
    const doc = buffer.touched[i] as number;
    out.set(doc, buffer.scores[doc] as number);
  }
  return out;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TermIndex', () => {
  it('scores every document as plain BM25 does through thousands of adds, edits, removals and compactions', () => {
    const random = seeded(42);
    const vocabulary = Array.from({ length: 60 }, (_, i) => `w${i}`);
    // Skewed word choice, so that some posting lists are long and keep outgrowing their room.
    const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)] as string;
    const index = new TermIndex(k1, b);
    const docs = new Map<number, string[]>();
    for (let step = 0; step < 3000; step++) {
      const doc = Math.floor(random() * 200);
      const roll = random();
      if (roll < 0.25) {
        index.remove(doc);
        docs.delete(doc);
      } else {
        const terms = Array.from({ length: 1 + Math.floor(random() * 12) }, word);
        index.add(doc, terms);
        docs.set(doc, terms);
      }
      if (step % 997 === 0) index.compact();
      if (step % 100 !== 99) continue;
      expect(index.count).toBe(docs.size);
      for (const term of [...vocabulary, 'unknown']) {
        const expected = expectedScores(docs, term);
        expect(index.documentFrequency(term)).toBe(expected.size);
        expect(index.has(term)).toBe(expected.size > 0);
        const actual = scoresOf(index, term);
        expect([...actual.keys()].sort((x, y) => x - y)).toEqual([...expected.keys()].sort((x, y) => x - y));
        for (const [doc, score] of expected) expect(actual.get(doc)).toBeCloseTo(score, 10);
      }
    }
  });

  it('lists the documents of a term in the order they were last added (ties between equal scores keep it)', () => {
    const index = new TermIndex(k1, b);
    for (const doc of [5, 1, 9, 3, 7]) index.add(doc, ['same']);
    index.add(1, ['same']);
    index.remove(9);
    index.compact();
    index.add(9, ['same']);
    const buffer = new ScoreBuffer();
    buffer.reserve(index.capacity);
    index.accumulate('same', 1, buffer);
    expect([...buffer.touched.subarray(0, buffer.touchedCount)]).toEqual([5, 3, 7, 1, 9]);
  });

  it('forgets every document on clear and indexes again from scratch', () => {
    const index = new TermIndex(k1, b);
    index.add(0, ['refund', 'order']);
    index.add(1, ['refund']);
    index.clear();
    expect(index.count).toBe(0);
    expect(index.has('refund')).toBe(false);
    index.add(1, ['order']);
    expect(index.documentFrequency('order')).toBe(1);
    expect([...scoresOf(index, 'order').keys()]).toEqual([1]);
    expect(scoresOf(index, 'refund').size).toBe(0);
  });

  it('holds 100,000 short documents in a few megabytes of typed arrays', () => {
    const index = new TermIndex(k1, b);
    const random = seeded(7);
    for (let doc = 0; doc < 100_000; doc++)
      index.add(
        doc,
        Array.from({ length: 8 }, () => `t${Math.floor(5000 * random() ** 2)}`),
      );
    index.compact();
    // 100,000 × ≤ 8 postings × 8 bytes, plus each document's term ids: about 10 MB at most.
    expect(index.bytes).toBeLessThan(12 * 2 ** 20);
    expect(index.count).toBe(100_000);
  });
});
