import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, repoRoot, type ServerProcess, spawnServer } from '../support/server-process.ts';

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function environment(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

const quiet = { PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_SAMPLE_KB: 'false', LOG_LEVEL: 'info' };

/** `npm start` runs the server compiled to JavaScript: node on dist/, no TypeScript loader, no esbuild. */
describe('npm start runs the compiled server', () => {
  let server: ServerProcess;
  let dataDir: string;
  let baseUrl = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-compiled-start-'));
    server = spawnServer('npm', ['start', '--silent'], { ...quiet, SWITCHBOARD_DATA_DIR: dataDir });
    baseUrl = await server.url();
  }, 150_000);

  afterAll(async () => {
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz from a process tree of npm and node only: no tsx, no esbuild service', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const processes = groupMembers(server.child.pid!).map((pid) => ({
      pid,
      command: commandLine(pid),
      env: environment(pid),
    }));
    const nodes = processes.filter((p) => p.command.includes('bin/switchboard.mjs start'));
    expect(nodes, JSON.stringify(processes.map((p) => p.command))).toHaveLength(1);
    for (const p of processes) {
      expect(p.command).not.toMatch(/tsx|esbuild|--import|--loader/);
      expect(p.env).not.toMatch(/NODE_OPTIONS=[^\0]*(tsx|--import|--loader)/);
    }
    // What it runs is the build of the sources as they are now.
    const stamp = JSON.parse(readFileSync(path.join(repoRoot, 'dist/build-stamp.json'), 'utf8'));
    expect(stamp.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

/**
 * A copy of the package as a clone holds it (no dist/ yet): the first start compiles, a start after an
 * edit of src/ compiles again and runs the edit, a start with nothing changed compiles nothing.
 */
describe('switchboard start when dist/ is missing or older than src/', () => {
  let packageDir: string;
  let dataDir: string;
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    packageDir = await mkdtemp(path.join(tmpdir(), 'switchboard-clone-'));
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-clone-data-'));
    for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src']) {
      cpSync(path.join(repoRoot, entry), path.join(packageDir, entry), { recursive: true });
    }
    symlinkSync(path.join(repoRoot, 'kb'), path.join(packageDir, 'kb'));
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(packageDir, 'node_modules'));
    mkdirSync(path.join(packageDir, 'web'));
  });

  afterAll(async () => {
    for (const server of running) await server.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (packageDir) await rm(packageDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ output: string; health: number }> {
    const server = spawnServer(
      'node',
      ['bin/switchboard.mjs', 'start'],
      { ...quiet, SWITCHBOARD_DATA_DIR: dataDir },
      {
        cwd: packageDir,
      },
    );
    running.push(server);
    const url = await server.url();
    const health = (await fetch(`${url}/healthz`)).status;
    server.child.kill('SIGTERM');
    await server.exited;
    return { output: server.output(), health };
  }

  it('compiles on the first start, again after an edit (and runs the edit), not when nothing changed', async () => {
    const first = await start();
    expect(first.output).toContain('no build in dist/: compiling src/ to dist/');
    expect(first.health).toBe(200);
    expect(first.output).toContain('Switchboard is running at');

    const cli = path.join(packageDir, 'src/cli/main.ts');
    writeFileSync(
      cli,
      readFileSync(cli, 'utf8').replace('Switchboard is running at', 'Switchboard (edited) is running at'),
    );
    const edited = await start();
    expect(edited.output).toContain('src/ changed since the last build: compiling src/ to dist/');
    expect(edited.output).toContain('Switchboard (edited) is running at');

    const again = await start();
    expect(again.output).not.toContain('compiling');
    expect(again.output).toContain('Switchboard (edited) is running at');
  }, 240_000);
});
