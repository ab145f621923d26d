// The command-line entry of the server compiled to JavaScript (dist/cli/switchboard.js), which the Docker image
// runs; `bin/switchboard.mjs` (`npm start`) runs dist/cli/main.js after making sure dist/ matches the sources.
import { runCli } from './main.ts';

await runCli(process.argv);
