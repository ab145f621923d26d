/**
 * A small inverted index with Okapi BM25 scoring, updated in place: add and remove cost
 * O(terms of the document) (plus, for a remove, the length of those terms' posting lists), so the
 * knowledge base follows every article edit at once.
 *
 * Memory is kept flat on purpose: terms get integer ids, and every posting list is a segment of one
 * shared Int32Array of (document, term frequency) pairs. A list that outgrows its segment moves to
 * the end of the pool with twice the room; the pool is compacted when abandoned segments make up
 * half of it, and tightly after a bulk build (`compact`). A document's terms are kept as ids in a
 * second pool, for `remove`. At 10,000 articles this holds in a few megabytes what Maps of Maps and
 * per-document string arrays held in over a hundred, and leaves the garbage collector little to walk.
 *
 * Documents are small integer slots; scores go into a dense array the caller reuses, which keeps
 * a search over 100,000 parts within a millisecond or two.
 */
export class TermIndex {
  private readonly ids = new Map<string, number>();
  private termCount = 0;
  /** Per term id: where its segment starts in `pool` (in ints), its postings and its room (in pairs). */
  private start = new Int32Array(256);
  private size = new Int32Array(256);
  private room = new Int32Array(256);
  /** Posting lists: [doc, tf, doc, tf, …], segment by segment, in insertion order within a list. */
  private pool = new Int32Array(1024);
  private poolEnd = 0;
  private poolWaste = 0;

  /** Per document slot: present flag, length, and where its term ids sit in `docPool`. */
  private present = new Uint8Array(64);
  private lengths = new Int32Array(64);
  private docStart = new Int32Array(64);
  private docSize = new Int32Array(64);
  private docPool = new Int32Array(1024);
  private docPoolEnd = 0;
  private docPoolWaste = 0;

  private docCount = 0;
  private totalLength = 0;
  private slots = 0;

  constructor(
    private readonly k1: number,
    private readonly b: number,
  ) {}

  get count(): number {
    return this.docCount;
  }

  /** One more than the highest slot ever used: the size a score array needs. */
  get capacity(): number {
    return this.slots;
  }

  /** Bytes held by the index's arrays (the term dictionary's strings aside). */
  get bytes(): number {
    return (
      this.start.byteLength +
      this.size.byteLength +
      this.room.byteLength +
      this.pool.byteLength +
      this.present.byteLength +
      this.lengths.byteLength +
      this.docStart.byteLength +
      this.docSize.byteLength +
      this.docPool.byteLength
    );
  }

  has(term: string): boolean {
    return this.documentFrequency(term) > 0;
  }

  documentFrequency(term: string): number {
    const id = this.ids.get(term);
    return id === undefined ? 0 : (this.size[id] as number);
  }

  idf(term: string): number {
    return this.idfOf(this.documentFrequency(term));
  }

  add(doc: number, terms: string[]): void {
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    this.addCounts(doc, tf, terms.length);
  }

  /** Like `add`, from term counts already made (cheaper for n-grams of repeated words). */
  addCounts(doc: number, tf: Map<string, number>, length: number): void {
    this.remove(doc);
    this.ensureSlot(doc);
    this.reserveDocPool(tf.size);
    this.docStart[doc] = this.docPoolEnd;
    this.docSize[doc] = tf.size;
    for (const [t, n] of tf) {
      let id = this.ids.get(t);
      if (id === undefined) id = this.newTerm(t);
      this.append(id, doc, n);
      this.docPool[this.docPoolEnd++] = id;
    }
    this.present[doc] = 1;
    this.lengths[doc] = length;
    this.docCount++;
    this.totalLength += length;
  }

  remove(doc: number): void {
    if (doc >= this.slots || this.present[doc] === 0) return;
    const pool = this.pool;
    const from = this.docStart[doc] as number;
    const to = from + (this.docSize[doc] as number);
    for (let k = from; k < to; k++) {
      const id = this.docPool[k] as number;
      const s = this.start[id] as number;
      const end = s + 2 * (this.size[id] as number);
      let i = s;
      while (i < end && pool[i] !== doc) i += 2;
      if (i === end) continue;
      // Shift, not swap: the order of a list stays the order documents were added in.
      pool.copyWithin(i, i + 2, end);
      this.size[id] = (this.size[id] as number) - 1;
    }
    this.docPoolWaste += to - from;
    this.docSize[doc] = 0;
    this.totalLength -= this.lengths[doc] as number;
    this.lengths[doc] = 0;
    this.present[doc] = 0;
    this.docCount--;
  }

  /** Forgets every document (cheaper than removing them one by one before a rebuild). */
  clear(): void {
    for (let id = 0; id < this.termCount; id++) {
      this.size[id] = 0;
      this.room[id] = 0;
      this.start[id] = 0;
    }
    this.ids.clear();
    this.termCount = 0;
    this.poolEnd = 0;
    this.poolWaste = 0;
    this.present.fill(0);
    this.lengths.fill(0);
    this.docSize.fill(0);
    this.docPoolEnd = 0;
    this.docPoolWaste = 0;
    this.docCount = 0;
    this.totalLength = 0;
  }

  /** Packs every posting list tightly (after a bulk build, which leaves room behind). */
  compact(): void {
    this.compactPool(0);
    this.compactDocPool(0);
    const terms = this.termCount;
    if (this.start.length > terms + 64) {
      this.start = this.start.slice(0, terms);
      this.size = this.size.slice(0, terms);
      this.room = this.room.slice(0, terms);
    }
  }

  /**
   * Adds `weight × BM25(term, doc)` to the buffer's score of every document containing the term;
   * documents scored for the first time are recorded as touched (so the buffer can reset them).
   */
  accumulate(term: string, weight: number, buffer: ScoreBuffer): void {
    const id = this.ids.get(term);
    if (id === undefined) return;
    const df = this.size[id] as number;
    if (df === 0) return;
    const idf = this.idfOf(df) * weight;
    const avg = this.totalLength / Math.max(1, this.docCount) || 1;
    const { k1, b, lengths, pool } = this;
    const lengthFactor = (k1 * b) / avg;
    const base = k1 * (1 - b);
    const { scores, touched } = buffer;
    let count = buffer.touchedCount;
    for (let i = this.start[id] as number, end = i + 2 * df; i < end; i += 2) {
      const doc = pool[i] as number;
      const tf = pool[i + 1] as number;
      const s = (idf * tf * (k1 + 1)) / (tf + base + lengthFactor * (lengths[doc] as number));
      const seen = scores[doc] as number;
      if (seen === 0) touched[count++] = doc;
      scores[doc] = seen + s;
    }
    buffer.touchedCount = count;
  }

  private idfOf(df: number): number {
    return Math.log(1 + (this.docCount - df + 0.5) / (df + 0.5));
  }

  private newTerm(term: string): number {
    const id = this.termCount++;
    if (id >= this.start.length) {
      const n = Math.max(256, this.start.length * 2);
      this.start = grownInt32(this.start, n);
      this.size = grownInt32(this.size, n);
      this.room = grownInt32(this.room, n);
    }
    this.start[id] = this.poolEnd;
    this.size[id] = 0;
    this.room[id] = 0;
    this.ids.set(term, id);
    return id;
  }

  private append(id: number, doc: number, tf: number): void {
    let n = this.size[id] as number;
    if (n === (this.room[id] as number)) {
      const room = Math.max(1, n * 2);
      this.reservePool(2 * room);
      // Read after reserving: a compaction may have moved the segment.
      const from = this.start[id] as number;
      n = this.size[id] as number;
      this.pool.copyWithin(this.poolEnd, from, from + 2 * n);
      this.poolWaste += 2 * (this.room[id] as number);
      this.start[id] = this.poolEnd;
      this.room[id] = room;
      this.poolEnd += 2 * room;
    }
    const at = (this.start[id] as number) + 2 * n;
    this.pool[at] = doc;
    this.pool[at + 1] = tf;
    this.size[id] = n + 1;
  }

  private reservePool(ints: number): void {
    if (this.poolEnd + ints <= this.pool.length) return;
    if (this.poolWaste > this.poolEnd / 2) this.compactPool(ints);
    if (this.poolEnd + ints <= this.pool.length) return;
    this.pool = grownInt32(this.pool, Math.max(this.poolEnd + ints, Math.ceil(this.pool.length * 1.5)));
  }

  /** Copies the live segments, each with exactly its postings as room, into a pool with `spare` more. */
  private compactPool(spare: number): void {
    let live = 0;
    for (let id = 0; id < this.termCount; id++) live += 2 * (this.size[id] as number);
    const next = new Int32Array(live + spare);
    let at = 0;
    for (let id = 0; id < this.termCount; id++) {
      const n = this.size[id] as number;
      const from = this.start[id] as number;
      next.set(this.pool.subarray(from, from + 2 * n), at);
      this.start[id] = at;
      this.room[id] = n;
      at += 2 * n;
    }
    this.pool = next;
    this.poolEnd = at;
    this.poolWaste = 0;
  }

  private ensureSlot(doc: number): void {
    if (doc >= this.present.length) {
      const n = Math.max(doc + 1, this.present.length * 2);
      const present = new Uint8Array(n);
      present.set(this.present);
      this.present = present;
      this.lengths = grownInt32(this.lengths, n);
      this.docStart = grownInt32(this.docStart, n);
      this.docSize = grownInt32(this.docSize, n);
    }
    if (doc >= this.slots) this.slots = doc + 1;
  }

  private reserveDocPool(ints: number): void {
    if (this.docPoolEnd + ints <= this.docPool.length) return;
    if (this.docPoolWaste > this.docPoolEnd / 2) this.compactDocPool(ints);
    if (this.docPoolEnd + ints <= this.docPool.length) return;
    this.docPool = grownInt32(
      this.docPool,
      Math.max(this.docPoolEnd + ints, Math.ceil(this.docPool.length * 1.5)),
    );
  }

  private compactDocPool(spare: number): void {
    let live = 0;
    for (let doc = 0; doc < this.slots; doc++) live += this.docSize[doc] as number;
    const next = new Int32Array(live + spare);
    let at = 0;
    for (let doc = 0; doc < this.slots; doc++) {
      const n = this.docSize[doc] as number;
      const from = this.docStart[doc] as number;
      next.set(this.docPool.subarray(from, from + n), at);
      this.docStart[doc] = at;
      at += n;
    }
    this.docPool = next;
    this.docPoolEnd = at;
    this.docPoolWaste = 0;
  }
}

function grownInt32(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(array.subarray(0, Math.min(array.length, length)));
  return next;
}

/**
 * A reusable dense score array plus the slots it holds scores for, both typed arrays: a search
 * allocates nothing here once the buffer has grown to the index's size.
 */
export class ScoreBuffer {
  scores = new Float64Array(64);
  touched = new Int32Array(64);
  touchedCount = 0;

  /** Makes room for `capacity` slots; call before a search, then `clear()` after it. */
  reserve(capacity: number): void {
    if (capacity <= this.scores.length) return;
    const n = Math.max(capacity, this.scores.length * 2);
    const scores = new Float64Array(n);
    scores.set(this.scores);
    this.scores = scores;
    const touched = new Int32Array(n);
    touched.set(this.touched.subarray(0, this.touchedCount));
    this.touched = touched;
  }

  /** Adds `value` to a slot's score, recording the slot the first time it is scored. */
  add(slot: number, value: number): void {
    const seen = this.scores[slot] as number;
    if (seen === 0) this.touched[this.touchedCount++] = slot;
    this.scores[slot] = seen + value;
  }

  /** Adds each touched slot's score times `factor` to `target`. */
  addTo(target: ScoreBuffer, factor: number): void {
    const { scores, touched } = this;
    for (let i = 0, n = this.touchedCount; i < n; i++) {
      const slot = touched[i] as number;
      target.add(slot, (scores[slot] as number) * factor);
    }
  }

  /**
   * Per group (`groupOf[slot]`, e.g. the article of a part): the best score among the group's touched
   * slots goes into `best`, and the slot that had it into `bestSlot` (which must hold every group).
   */
  maxByGroup(groupOf: ArrayLike<number>, best: ScoreBuffer, bestSlot: Int32Array): void {
    const { scores, touched } = this;
    const bestScores = best.scores;
    const bestTouched = best.touched;
    let count = best.touchedCount;
    for (let i = 0, n = this.touchedCount; i < n; i++) {
      const slot = touched[i] as number;
      const group = groupOf[slot] as number;
      const score = scores[slot] as number;
      const seen = bestScores[group] as number;
      if (seen === 0) bestTouched[count++] = group;
      if (score > seen) {
        bestScores[group] = score;
        bestSlot[group] = slot;
      }
    }
    best.touchedCount = count;
  }

  /**
   * The `limit` best touched slots that `accept` keeps, best first (ties in the order they were
   * touched), into `slots` and `values` (each at least `limit` long); returns how many. `accept` is
   * asked only about slots good enough to enter.
   */
  top(limit: number, accept: (slot: number) => boolean, slots: Int32Array, values: Float64Array): number {
    const { scores, touched } = this;
    let size = 0;
    for (let i = 0, n = this.touchedCount; i < n; i++) {
      const slot = touched[i] as number;
      const score = scores[slot] as number;
      if (size >= limit && score <= (values[size - 1] as number)) continue;
      if (!accept(slot)) continue;
      let at = size < limit ? size++ : size - 1;
      while (at > 0 && (values[at - 1] as number) < score) {
        values[at] = values[at - 1] as number;
        slots[at] = slots[at - 1] as number;
        at--;
      }
      values[at] = score;
      slots[at] = slot;
    }
    return size;
  }

  clear(): void {
    const { scores, touched } = this;
    for (let i = 0; i < this.touchedCount; i++) scores[touched[i] as number] = 0;
    this.touchedCount = 0;
  }
}
