#!/usr/bin/env node
// The `switchboard` command (and `npm start`): runs the server compiled to JavaScript in dist/.
// In a clone, dist/ is built by `npm install`/`npm ci` (the `prepare` script); when the sources changed since
// (an edit, a pull, another branch), it is compiled again first, so that what runs is always the sources as
// they are. An installed copy without src/ runs its dist/ as it is. `npm run dev` runs the sources in watch mode.
import { BuildError, buildServer, buildState } from './server-build.mjs';

const { state } = buildState();
if (state === 'missing' || state === 'stale') {
  try {
    buildServer({
      check: false,
      force: false,
      log: (line) =>
        process.stderr.write(
          `switchboard: ${state === 'missing' ? 'no build in dist/' : 'src/ changed since the last build'}: ${line}\n`,
        ),
    });
  } catch (error) {
    process.stderr.write(`switchboard: ${error instanceof BuildError ? error.message : error}\n`);
    process.exit(1);
  }
}
// Stack traces name the TypeScript sources' lines.
process.setSourceMapsEnabled(true);
const { runCli } = await import('../dist/cli/main.js');
await runCli(process.argv);
