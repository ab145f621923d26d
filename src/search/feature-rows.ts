/**
 * A trained learned view's map of hashed feature → row (or -1 for a feature never seen in training).
 *
 * Dense (one Int32 per hashed feature: 4 MB at 2^20) when training saw many features; otherwise an
 * open-addressing table sized to the features seen, so that a small knowledge base does not keep megabytes
 * for features none of its articles has. Both answer the same rows.
 */
export class FeatureRows {
  private constructor(
    /** The feature held in each slot (-1: empty), or null when `rows` is indexed by the feature itself. */
    private readonly keys: Int32Array | null,
    private readonly rows: Int32Array,
    private readonly mask: number,
  ) {}

  /** From a dense map (`dense[feature]` = row or -1) in which `count` features have a row. */
  static of(dense: Int32Array, count: number): FeatureRows {
    // A slot costs two Int32 and the table keeps at least half its slots free: dense is smaller past 1/4 full.
    if (count * 4 >= dense.length) return new FeatureRows(null, dense, 0);
    const entries: Array<[number, number]> = [];
    for (let f = 0; f < dense.length; f++)
      if ((dense[f] as number) >= 0) entries.push([f, dense[f] as number]);
    return FeatureRows.fromEntries(entries, count);
  }

  /** A table of `count` (feature, row) pairs. */
  static fromEntries(entries: Iterable<[number, number]>, count: number): FeatureRows {
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    const mask = capacity - 1;
    const keys = new Int32Array(capacity).fill(-1);
    const rows = new Int32Array(capacity);
    for (const [f, r] of entries) {
      // Features are hashes already: their low bits spread them over the slots.
      let slot = f & mask;
      while ((keys[slot] as number) !== -1) slot = (slot + 1) & mask;
      keys[slot] = f;
      rows[slot] = r;
    }
    return new FeatureRows(keys, rows, mask);
  }

  get(feature: number): number {
    const keys = this.keys;
    if (keys === null) return this.rows[feature] ?? -1;
    let slot = feature & this.mask;
    for (;;) {
      const key = keys[slot] as number;
      if (key === feature) return this.rows[slot] as number;
      if (key === -1) return -1;
      slot = (slot + 1) & this.mask;
    }
  }

  get byteLength(): number {
    return (this.keys?.byteLength ?? 0) + this.rows.byteLength;
  }
}

/**
 * Hashed feature → row while a model trains: a Map while few features are seen (a small knowledge base never
 * allocates the dense array, which would stay in memory as garbage until a major collection), the dense array
 * once many are (a Map of hundreds of thousands of entries is larger and slower).
 */
export class FeatureRowsBuilder {
  private readonly small = new Map<number, number>();
  private dense: Int32Array | null = null;
  private count = 0;

  constructor(private readonly size: number) {}

  get(feature: number): number {
    return this.dense ? (this.dense[feature] ?? -1) : (this.small.get(feature) ?? -1);
  }

  /** The feature's row, given the next one if it had none. */
  rowOf(feature: number): number {
    const known = this.get(feature);
    if (known >= 0) return known;
    const row = this.count++;
    if (this.dense) this.dense[feature] = row;
    else {
      this.small.set(feature, row);
      if (this.small.size * 64 > this.size) {
        this.dense = new Int32Array(this.size).fill(-1);
        for (const [f, r] of this.small) this.dense[f] = r;
        this.small.clear();
      }
    }
    return row;
  }

  build(): FeatureRows {
    if (this.dense) return FeatureRows.of(this.dense, this.count);
    return FeatureRows.fromEntries(this.small, this.count);
  }
}
