#!/usr/bin/env node
// `npm run build:server` (and `npm install`'s `prepare`): compiles src/ to dist/ with type checking.
// `--no-check` only emits, as `switchboard start` does when it finds dist/ older than src/.
import { BuildError, buildServer } from './server-build.mjs';

try {
  buildServer({
    check: !process.argv.includes('--no-check'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
} catch (error) {
  process.stderr.write(`${error instanceof BuildError ? error.message : error}\n`);
  process.exit(1);
}
