import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type ServerProcess, spawnServer } from '../support/server-process.ts';

/**
 * `npm start` in a terminal, as a person runs it: under a pseudo-terminal (`script` from util-linux), so
 * that the server's stdout is a TTY. LOG_LEVEL=debug shows where the per-request lines went.
 */
describe('npm start in a terminal', () => {
  let server: ServerProcess;
  let dataDir: string;
  let baseUrl = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-tty-'));
    server = spawnServer(
      'script',
      ['--quiet', '--flush', '--return', '--command', 'npm start --silent', '/dev/null'],
      {
        PORT: '0',
        HOST: '127.0.0.1',
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_SAMPLE_KB: 'false',
        LOG_LEVEL: 'debug',
      },
    );
    baseUrl = await server.url();
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints readable lines, not JSON', () => {
    const output = server.output();
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: Switchboard is running at http:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: database ready$/m);
    expect(output.split('\n').filter((line) => line.trimStart().startsWith('{"'))).toEqual([]);
  });

  it('logs HTTP requests at debug, never at info', async () => {
    await fetch(`${baseUrl}/healthz?from=terminal-test`);
    const lines = await eventually('the completed request line', () => {
      const all = server.output().split('\n');
      return all.some((line) => line.includes('request completed')) && all;
    });
    const requestLines = lines.filter((line) => /incoming request|request completed/.test(line));
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    for (const line of requestLines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] DEBUG: /);
  });
});
