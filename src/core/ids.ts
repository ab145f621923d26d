/** Opaque ids. `crypto` is the Web Crypto global (no import), so the core stays free of I/O modules. */
export const newId = (): string => globalThis.crypto.randomUUID();
