// The command-line entry of the server compiled to JavaScript (`npm run build:server` → dist/cli/switchboard.js),
// which the Docker image runs; `bin/switchboard.mjs` runs the same CLI from the TypeScript sources.
import { runCli } from './main.ts';

await runCli(process.argv);
