export interface GlobalRequestWindowOptions {
  /** Requests Discord lets a bot make per window (its global limit: 50 per second). */
  perWindow: number;
  windowMs: number;
  /** A window none of whose requests has answered yet ends this long after it opened all the same. */
  staleMs: number;
}

export const defaultGlobalRequestWindowOptions: GlobalRequestWindowOptions = {
  perWindow: 50,
  windowMs: 1_000,
  staleMs: 10_000,
};

interface Window {
  openedAt: number;
  used: number;
  /** When the first answer to one of its requests came back; its end is known from then on. */
  firstAnswerAt: number | null;
}

/**
 * Discord's global limit (50 requests per second per bot) for one process, kept so that a full backlog uses
 * all of it without a 429. Discord counts a window from the first request that reaches it; the request left
 * here earlier, by a latency that varies (a new connection, a busy event loop), so a window counted from the
 * moment the first request left ends too soon: the next window's first requests can reach Discord while
 * Discord's window still runs, and get 429s. Discord's window opened before any of its requests was
 * answered, so it is surely over `windowMs` after the first answer came back: the next window opens then,
 * which costs one round trip per window instead of a fixed margin.
 */
export class GlobalRequestWindow {
  private readonly options: GlobalRequestWindowOptions;
  private window: Window | null = null;
  private readonly waiting = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: Partial<GlobalRequestWindowOptions> = {}) {
    this.options = { ...defaultGlobalRequestWindowOptions, ...options };
  }

  /**
   * Waits for a place in the current window, or the next one. Returns `answered`, to be called once the
   * request's answer (or its failure) came back.
   */
  async take(): Promise<() => void> {
    for (;;) {
      const now = Date.now();
      const current = this.window;
      if (!current || now >= this.endOf(current)) {
        const opened: Window = { openedAt: now, used: 1, firstAnswerAt: null };
        this.window = opened;
        return () => this.answered(opened);
      }
      if (current.used < this.options.perWindow) {
        current.used += 1;
        return () => this.answered(current);
      }
      await new Promise<void>((resolve) => {
        this.waiting.add(resolve);
        this.arm();
      });
    }
  }

  /** Requests waiting for the next window. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  private endOf(window: Window): number {
    return window.firstAnswerAt === null
      ? window.openedAt + this.options.staleMs
      : window.firstAnswerAt + this.options.windowMs;
  }

  private answered(window: Window): void {
    if (window.firstAnswerAt !== null) return;
    window.firstAnswerAt = Date.now();
    // The window's end is known now (and earlier than the stale one the timer waits for).
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.waiting.size > 0) this.arm();
  }

  /** One timer, at the current window's end, wakes every waiting request (in the order they came). */
  private arm(): void {
    if (this.timer || !this.window) return;
    const delay = Math.max(0, this.endOf(this.window) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const woken = [...this.waiting];
      this.waiting.clear();
      for (const resume of woken) resume();
    }, delay);
  }
}
