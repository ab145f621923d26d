import { afterAll, beforeAll } from 'vitest';

/**
 * Something the enclosing `describe` starts before its tests and stops after them. The object returned
 * stands for it (reads and calls go to it once started), so the suite's later hooks and its tests use it
 * as they would the thing itself.
 */
export function useSuiteResource<T extends object>(
  what: string,
  start: () => Promise<T>,
  stop: (resource: T) => Promise<void>,
  timeout?: number,
): T {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await start();
  }, timeout);
  afterAll(async () => {
    if (resource) await stop(resource);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!resource) throw new Error(`${what} is used outside its tests`);
      const value = Reflect.get(resource, key);
      return typeof value === 'function' ? value.bind(resource) : value;
    },
  });
}
