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
