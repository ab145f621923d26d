import { type FeatureRows, FeatureRowsBuilder } from './feature-rows.ts';
import {
  defaultFeatureOptions,
  type FeatureOptions,
  featureWords,
  hashedFeatures,
  wordFeature,
} from './learned-features.ts';

/**
 * The learned view of a knowledge base: a linear classifier whose classes are the articles, trained
 * on each article's title, example questions (approved proposals included) and short passages.
 *
 * - Up to `maxDenseWeights` weights (classes × features): multinomial logistic regression trained
 *   with SGD on softmax cross-entropy, weights held densely (fast to train and to query).
 * - Beyond (thousands of articles): a nearest-centroid linear model (each article's weight vector
 *   is the mean of its texts' vectors, its `centroidFeatures` largest weights kept), sparse and
 *   trained in one pass, so that memory and training time stay bounded at 10,000 articles.
 *
 * Inputs are TF-IDF vectors (sublinear term frequency, L2-normalised) over hashed features.
 */
export interface LearnedViewOptions {
  features: FeatureOptions;
  epochs: number;
  learningRate: number;
  /** Classes × features above which the sparse centroid model is trained instead. */
  maxDenseWeights: number;
  centroidFeatures: number;
  /** The sparse model skips, in a query, features kept by more than this share of the articles. */
  commonShare: number;
  /** Softmax temperature of the centroid model's cosine scores. */
  centroidTemperature: number;
  /** Training texts kept per article (title and examples first). */
  maxTextsPerArticle: number;
  /** Training gives the event loop back after this long, so member answers are never held up. */
  sliceMs: number;
  seed: number;
}

// Epochs and learning rate chosen on CLINC150 val and ArBanking77 val (bench/kb.ts --tune), 10 examples per article.
export const defaultLearnedViewOptions: LearnedViewOptions = {
  epochs: 12,
  features: defaultFeatureOptions,

  learningRate: 1,
  maxDenseWeights: 8_000_000,
  centroidFeatures: 192,
  centroidTemperature: 20,
  commonShare: 0.02,
  maxTextsPerArticle: 64,
  sliceMs: 8,
  seed: 1,
};

export interface LearnedClass {
  articleId: string;
  /** What the model was trained on for this article: a changed article is not trusted until retrained. */
  version: string;
  texts: string[];
}

export interface LearnedPrediction {
  articleId: string;
  /** Softmax probability times the share of the question's words the model has seen: a question
   * made of words no article uses is not in scope, however the softmax spreads its mass. */
  probability: number;
}

interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

interface Scratch {
  /** The query's vector: rows and L2-normalised TF-IDF values. */
  index: Int32Array;
  value: Float64Array;
  /** Classes scored for the query, and a flag per class while they are collected. */
  touched: Int32Array;
  reached: Uint8Array;
  /** The best classes so far, most probable first. */
  topClass: Int32Array;
  topP: Float64Array;
}

type Pause = () => Promise<void>;
const defaultPause: Pause = () => new Promise((resolve) => setImmediate(resolve));

/** A trained model; immutable, so the previous one keeps serving while the next one trains. */
export class LearnedModel {
  private readonly classIndex = new Map<string, number>();
  private readonly logits: Float64Array;
  /** Every class has the same bias (always so for the sparse model): unreached classes need no work. */
  private readonly uniformBias: boolean;
  /** Per-query work space, reused: a question allocates only its features and the predictions. */
  private readonly scratch: Scratch;

  private constructor(
    readonly options: LearnedViewOptions,
    readonly classes: { articleId: string; version: string }[],
    /** Hashed feature → row (or -1). */
    private readonly row: FeatureRows,
    private readonly idf: Float32Array,
    private readonly bias: Float32Array,
    private readonly model:
      | { kind: 'dense'; weights: Float32Array }
      | { kind: 'sparse'; start: Int32Array; cls: Int32Array; weight: Float32Array },
  ) {
    for (const [i, c] of classes.entries()) this.classIndex.set(c.articleId, i);
    const n = classes.length;
    this.logits = new Float64Array(n);
    this.uniformBias = bias.every((b) => b === bias[0]);
    this.scratch = {
      index: new Int32Array(64),
      value: new Float64Array(64),
      touched: new Int32Array(n),
      reached: new Uint8Array(n),
      topClass: new Int32Array(n),
      topP: new Float64Array(n),
    };
  }

  get kind(): 'dense' | 'sparse' {
    return this.model.kind;
  }

  versionOf(articleId: string): string | undefined {
    const i = this.classIndex.get(articleId);
    return i === undefined ? undefined : this.classes[i]?.version;
  }

  /** Bytes held by the model's arrays. */
  get bytes(): number {
    const m = this.model;
    const arrays =
      m.kind === 'dense' ? m.weights.byteLength : m.start.byteLength + m.cls.byteLength + m.weight.byteLength;
    return arrays + this.row.byteLength + this.idf.byteLength + this.bias.byteLength;
  }

  /** The `limit` most probable articles for the text, with their softmax probabilities. */
  predict(text: string, limit: number): LearnedPrediction[] {
    const n = this.classes.length;
    if (n === 0 || limit <= 0) return [];
    const scratch = this.scratch;
    const x = vectorizeInto(hashedFeatures(text, this.options.features), this.row, this.idf, scratch);
    const m = this.model;
    const logits = this.logits;
    // Only the classes a query feature reaches are scored one by one; the others keep their bias.
    const touched = scratch.touched;
    let touchedCount = 0;
    if (m.kind === 'dense' || !this.uniformBias) {
      for (let c = 0; c < n; c++) {
        logits[c] = this.bias[c] ?? 0;
        touched[c] = c;
      }
      touchedCount = n;
    }
    if (m.kind === 'dense') {
      const { weights } = m;
      for (let j = 0; j < x; j++) {
        const v = scratch.value[j] as number;
        const base = (scratch.index[j] as number) * n;
        for (let c = 0; c < n; c++) logits[c] = (logits[c] as number) + v * (weights[base + c] as number);
      }
    } else {
      const t = this.options.centroidTemperature;
      const { start, cls, weight } = m;
      const reached = scratch.reached;
      const all = touchedCount === n;
      // A feature kept by many articles separates none of them and costs the most: skipped.
      const maxRow = Math.max(64, this.options.commonShare * n);
      for (let j = 0; j < x; j++) {
        const r = scratch.index[j] as number;
        const from = start[r] as number;
        const end = start[r + 1] as number;
        if (end - from > maxRow) continue;
        const v = (scratch.value[j] as number) * t;
        for (let k = from; k < end; k++) {
          const c = cls[k] as number;
          if (!all && reached[c] === 0) {
            reached[c] = 1;
            logits[c] = this.bias[c] as number;
            touched[touchedCount++] = c;
          }
          logits[c] = (logits[c] as number) + v * (weight[k] as number);
        }
      }
      if (!all) for (let i = 0; i < touchedCount; i++) reached[touched[i] as number] = 0;
    }
    // Untouched classes (sparse model, one shared bias) all hold the same logit: counted at once.
    const untouched = n - touchedCount;
    const rest = untouched > 0 ? (this.bias[0] as number) : Number.NEGATIVE_INFINITY;
    let max = rest;
    for (let i = 0; i < touchedCount; i++) {
      const l = logits[touched[i] as number] as number;
      if (l > max) max = l;
    }
    // The exponentials are kept in place of the logits: one Math.exp per scored article, not two.
    const restExp = untouched > 0 ? Math.exp(rest - max) : 0;
    let sum = untouched * restExp;
    for (let i = 0; i < touchedCount; i++) {
      const c = touched[i] as number;
      const e = Math.exp((logits[c] as number) - max);
      logits[c] = e;
      sum += e;
    }
    const words = featureWords(text);
    let seen = 0;
    for (const w of words) if (this.row.get(wordFeature(w, this.options.features)) >= 0) seen++;
    const coverage = words.length > 0 ? seen / words.length : 0;

    // Top `limit` by insertion into a small sorted window; ties keep the lower class index first.
    const k = Math.min(limit, n);
    const topClass = scratch.topClass;
    const topP = scratch.topP;
    let size = 0;
    const offer = (c: number, p: number) => {
      if (size >= k) {
        const last = topP[size - 1] as number;
        if (p < last || (p === last && c > (topClass[size - 1] as number))) return;
      }
      let i = size < k ? size++ : size - 1;
      while (
        i > 0 &&
        ((topP[i - 1] as number) < p || ((topP[i - 1] as number) === p && (topClass[i - 1] as number) > c))
      ) {
        topP[i] = topP[i - 1] as number;
        topClass[i] = topClass[i - 1] as number;
        i--;
      }
      topP[i] = p;
      topClass[i] = c;
    };
    for (let i = 0; i < touchedCount; i++) {
      const c = touched[i] as number;
      offer(c, ((logits[c] as number) / sum) * coverage);
    }
    if (untouched > 0) {
      // The lowest-numbered classes no feature reached fill what is left of the window.
      const p = (restExp / sum) * coverage;
      const reached = scratch.reached;
      for (let i = 0; i < touchedCount; i++) reached[touched[i] as number] = 1;
      for (let c = 0, added = 0; c < n && added < k; c++) {
        if (reached[c] === 1) continue;
        if (size >= k && p < (topP[size - 1] as number)) break;
        offer(c, p);
        added++;
      }
      for (let i = 0; i < touchedCount; i++) reached[touched[i] as number] = 0;
    }
    const top: LearnedPrediction[] = new Array(size);
    for (let i = 0; i < size; i++)
      top[i] = {
        articleId: this.classes[topClass[i] as number]?.articleId ?? '',
        probability: topP[i] as number,
      };
    return top;
  }

  /**
   * Trains a model on the classes' texts. Gives the event loop back every `sliceMs` (through
   * `pause`), so a knowledge base of thousands of articles trains while members keep being answered.
   */
  static async train(
    classes: LearnedClass[],
    options: Partial<LearnedViewOptions> = {},
    pause: Pause = defaultPause,
  ): Promise<LearnedModel> {
    const o = { ...defaultLearnedViewOptions, ...options };
    let sliceStart = performance.now();
    const maybePause = async () => {
      if (performance.now() - sliceStart < o.sliceMs) return;
      await pause();
      sliceStart = performance.now();
    };

    // Features → rows (only features seen in training get a row), document frequencies.
    const row = new FeatureRowsBuilder(1 << o.features.hashBits);
    const counts: { label: number; features: Map<number, number> }[] = [];
    const df: number[] = [];
    for (let label = 0; label < classes.length; label++) {
      for (const text of (classes[label] as LearnedClass).texts.slice(0, o.maxTextsPerArticle)) {
        const features = hashedFeatures(text, o.features);
        if (features.size === 0) continue;
        for (const f of features.keys()) {
          const r = row.rowOf(f);
          if (r === df.length) df.push(0);
          df[r] = (df[r] as number) + 1;
        }
        counts.push({ label, features });
        if (counts.length % 64 === 0) await maybePause();
      }
    }
    const nDocs = counts.length;
    const idf = new Float32Array(df.length);
    for (let r = 0; r < df.length; r++) idf[r] = Math.log((1 + nDocs) / (1 + (df[r] as number))) + 1;
    const examples = counts.map((c) => ({ label: c.label, x: vectorize(c.features, row, idf) }));
    counts.length = 0;

    const n = classes.length;
    const meta = classes.map((c) => ({ articleId: c.articleId, version: c.version }));
    const bias = new Float32Array(n);
    if (df.length * n <= o.maxDenseWeights) {
      const weights = new Float32Array(df.length * n);
      const random = seededRandom(o.seed);
      const order = examples.map((_, i) => i);
      const p = new Float64Array(n);
      const steps = Math.max(1, o.epochs * examples.length);
      let step = 0;
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        shuffle(order, random);
        for (const i of order) {
          const { label, x } = examples[i] as { label: number; x: SparseVector };
          // Forward: p = softmax(W·x + b).
          for (let c = 0; c < n; c++) p[c] = bias[c] as number;
          for (let j = 0; j < x.index.length; j++) {
            const v = x.value[j] as number;
            const base = (x.index[j] as number) * n;
            for (let c = 0; c < n; c++) p[c] = (p[c] as number) + v * (weights[base + c] as number);
          }
          let max = Number.NEGATIVE_INFINITY;
          for (let c = 0; c < n; c++) if ((p[c] as number) > max) max = p[c] as number;
          let sum = 0;
          for (let c = 0; c < n; c++) {
            const e = Math.exp((p[c] as number) - max);
            p[c] = e;
            sum += e;
          }
          // Backward: gradient (p − y) x, learning rate decaying linearly towards a tenth.
          const lr = o.learningRate * (1 - (0.9 * step++) / steps);
          for (let c = 0; c < n; c++) p[c] = ((p[c] as number) / sum - (c === label ? 1 : 0)) * lr;
          for (let c = 0; c < n; c++) bias[c] = (bias[c] as number) - (p[c] as number);
          for (let j = 0; j < x.index.length; j++) {
            const v = x.value[j] as number;
            const base = (x.index[j] as number) * n;
            for (let c = 0; c < n; c++) {
              const g = p[c] as number;
              // Most classes get a vanishing gradient: skipping them halves the training time.
              if (g > 1e-5 || g < -1e-5) weights[base + c] = (weights[base + c] as number) - g * v;
            }
          }
          if (step % 16 === 0) await maybePause();
        }
      }
      return new LearnedModel(o, meta, row.build(), idf, bias, { kind: 'dense', weights });
    }

    // Sparse centroids: mean of each article's vectors, normalised, largest weights kept.
    const sums: Map<number, number>[] = Array.from({ length: n }, () => new Map());
    for (let e = 0; e < examples.length; e++) {
      const { label, x } = examples[e] as { label: number; x: SparseVector };
      const sum = sums[label] as Map<number, number>;
      for (let j = 0; j < x.index.length; j++)
        sum.set(x.index[j] as number, (sum.get(x.index[j] as number) ?? 0) + (x.value[j] as number));
      if (e % 256 === 0) await maybePause();
    }
    const kept: [feature: number, cls: number, weight: number][] = [];
    for (let c = 0; c < n; c++) {
      const entries = [...(sums[c] as Map<number, number>)].sort((a, b) => b[1] - a[1]);
      const top = entries.slice(0, o.centroidFeatures);
      const norm = Math.sqrt(entries.reduce((s, [, w]) => s + w * w, 0)) || 1;
      for (const [f, w] of top) kept.push([f, c, w / norm]);
      sums[c] = new Map();
      if (c % 64 === 0) await maybePause();
    }
    kept.sort((a, b) => a[0] - b[0]);
    const start = new Int32Array(df.length + 1);
    const cls = new Int32Array(kept.length);
    const weight = new Float32Array(kept.length);
    kept.forEach(([f, c, w], k) => {
      start[f + 1] = (start[f + 1] as number) + 1;
      cls[k] = c;
      weight[k] = w;
    });
    for (let r = 0; r < df.length; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
    return new LearnedModel(o, meta, row.build(), idf, bias, {
      kind: 'sparse',
      start,
      cls,
      weight,
    });
  }
}

/** TF-IDF (1 + ln tf) · idf over known features, L2-normalised. */
function vectorize(features: Map<number, number>, row: FeatureRowsBuilder, idf: Float32Array): SparseVector {
  const index: number[] = [];
  const value: number[] = [];
  let norm = 0;
  for (const [f, tf] of features) {
    const r = row.get(f);
    if (r < 0) continue;
    const v = (1 + Math.log(tf)) * (idf[r] as number);
    index.push(r);
    value.push(v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  return { index: Int32Array.from(index), value: Float32Array.from(value, (v) => v / norm) };
}

/** `vectorize` into the model's reusable query arrays; returns the number of features kept. */
function vectorizeInto(
  features: Map<number, number>,
  row: FeatureRows,
  idf: Float32Array,
  scratch: Scratch,
): number {
  if (scratch.index.length < features.size) {
    const size = Math.max(features.size, scratch.index.length * 2);
    scratch.index = new Int32Array(size);
    scratch.value = new Float64Array(size);
  }
  const { index, value } = scratch;
  let count = 0;
  let norm = 0;
  for (const [f, tf] of features) {
    const r = row.get(f);
    if (r < 0) continue;
    const v = (1 + Math.log(tf)) * (idf[r] as number);
    index[count] = r;
    value[count++] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  // Rounded to float32 as the training vectors are, so that scores match them exactly.
  for (let j = 0; j < count; j++) value[j] = Math.fround((value[j] as number) / norm);
  return count;
}

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
}
