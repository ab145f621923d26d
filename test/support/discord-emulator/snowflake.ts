/** Discord's epoch (2015-01-01T00:00:00Z); snowflakes count milliseconds from it. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Generates Discord-style snowflakes: 42 bits of milliseconds since the Discord epoch,
 * 5 bits worker, 5 bits process, 12 bits increment. Ids generated later always sort later,
 * which is what clients rely on (message ordering, `before`/`after` pagination).
 */
export class SnowflakeGenerator {
  #increment = 0n;
  #lastTimestamp = 0n;

  constructor(
    private readonly workerId = 1n,
    private readonly processId = 0n,
  ) {}

  next(at: number = Date.now()): string {
    let timestamp = BigInt(at);
    // Never go backwards, even if the wall clock does, so ids stay monotonic.
    if (timestamp < this.#lastTimestamp) timestamp = this.#lastTimestamp;
    if (timestamp === this.#lastTimestamp) {
      this.#increment = (this.#increment + 1n) & 0xfffn;
      if (this.#increment === 0n) timestamp += 1n;
    } else {
      this.#increment = 0n;
    }
    this.#lastTimestamp = timestamp;
    const id =
      ((timestamp - DISCORD_EPOCH) << 22n) |
      ((this.workerId & 0x1fn) << 17n) |
      ((this.processId & 0x1fn) << 12n) |
      this.#increment;
    return id.toString();
  }
}

/** The creation time (ms since Unix epoch) encoded in a snowflake. */
export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
