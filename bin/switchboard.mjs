#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so that a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
