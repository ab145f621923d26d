/** Small measuring tools shared by the benchmarks: arrivals keyed by what identifies them, percentiles. */

/** Promises resolved with the time something arrived, keyed by what identifies it. */
export class Arrivals {
  readonly #waiting = new Map<string, (at: number) => void>();
  expect(key: string, timeoutMs = 120_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(new Error(`bench: ${key} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
  arrived(key: string, at = performance.now()): void {
    const resolve = this.#waiting.get(key);
    if (!resolve) return;
    this.#waiting.delete(key);
    resolve(at);
  }
}

/** The p-th percentile (nearest rank) of values sorted ascending; NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** One trial: `messages` handled in `elapsedMs`, with the latency of each that was timed. */
export interface Trial {
  messages: number;
  elapsedMs: number;
  latencies: number[];
}

/** `workers` at once, each sending `rounds` messages one after the other; `send` returns one's latency. */
export async function closedLoop(
  workers: number,
  rounds: number,
  send: (worker: number) => Promise<number>,
): Promise<Trial> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let round = 0; round < rounds; round++) latencies.push(await send(worker));
    }),
  );
  return { messages: workers * rounds, elapsedMs: performance.now() - started, latencies };
}

export interface Summary {
  trials: number;
  perTrial: number;
  /** Messages per second: the median of the trials'. */
  throughput: number;
  /** Latencies pooled over the trials. */
  p50: number;
  p99: number;
}

export function summarise(trials: Trial[]): Summary {
  const latencies = trials.flatMap((t) => t.latencies).sort((a, b) => a - b);
  return {
    trials: trials.length,
    perTrial: trials[0]?.messages ?? 0,
    throughput: median(trials.map((t) => (t.messages / t.elapsedMs) * 1000)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
