/**
 * Polls `check` until it returns a truthy value, for effects that happen
 * outside the test's reach (a channel's outbox, the database, an emulator); fails naming `what`.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false | 0 | ''> | T | undefined | null | false | 0 | '',
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
