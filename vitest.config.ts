import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Fails the run when a test leaves a process (a server, a browser) running.
    globalSetup: ['test/support/process-guard.ts'],
    reporters: ['default'],
  },
});
