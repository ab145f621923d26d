import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, repoRoot, type ServerProcess, spawnServer } from '../support/server-process.ts';

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** The runtime stage's command (`CMD ["node", …, "start"]`), as the image runs it. */
function imageCommand(): string[] {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const line = runtime.split('\n').find((l) => l.startsWith('CMD '));
  return JSON.parse(line!.slice('CMD '.length)) as string[];
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The server the Docker image runs: `npm run build:server` (the command the image's build stage runs), then
 * the image's CMD in a folder laid out as the runtime stage is (package.json, dist/, kb/, web/dist and the
 * production dependencies without tsx and esbuild; no src/, no tsconfig), on a fresh SQLite data directory.
 */
describe('the server compiled to JavaScript', () => {
  let appDir: string;
  let dataDir: string;
  let server: ServerProcess;
  let baseUrl = '';
  const command = imageCommand();
  const password = 'compiled-admin-password-42';

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build:server', '--silent'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);

    appDir = await mkdtemp(path.join(tmpdir(), 'switchboard-image-'));
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-image-data-'));
    cpSync(path.join(repoRoot, 'package.json'), path.join(appDir, 'package.json'));
    cpSync(path.join(repoRoot, 'dist'), path.join(appDir, 'dist'), { recursive: true });
    symlinkSync(path.join(repoRoot, 'kb'), path.join(appDir, 'kb'));
    mkdirSync(path.join(appDir, 'web'));
    symlinkSync(path.join(repoRoot, 'web/dist'), path.join(appDir, 'web/dist'));
    // Only the production dependencies are reachable from dist/ (tsx and TypeScript are development ones).
    for (const name of Object.keys(packageJson.dependencies)) {
      const link = path.join(appDir, 'node_modules', name);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join(repoRoot, 'node_modules', name), link);
    }

    // The image's command with its script in the laid-out folder (the image's WORKDIR).
    const [node, ...args] = command;
    const script = args.findIndex((arg) => arg.endsWith('.js'));
    args[script] = path.join(appDir, args[script]!);
    server = spawnServer(node!, args, {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      NODE_OPTIONS: '',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: password,
      LOG_LEVEL: 'info',
    });
    baseUrl = await server.url();
  }, 150_000);

  afterAll(async () => {
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (appDir) await rm(appDir, { recursive: true, force: true });
  });

  it('is what the image builds and runs: node on the compiled CLI, no TypeScript sources', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/\bnpm run build:server\b/);
    expect(command[0]).toBe('node');
    expect(command.at(-1)).toBe('start');
    const script = command.find((arg) => arg.endsWith('.js'))!;
    expect(script).toMatch(/^dist\//);
    expect(existsSync(path.join(appDir, script))).toBe(true);
    expect(existsSync(path.join(appDir, 'src'))).toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/tsx'))).toBe(false);
  });

  it('runs without tsx or esbuild: no such process in its group, no loader on its command line', () => {
    const processes = groupMembers(server.child.pid!).map((pid) => ({ pid, command: commandLine(pid) }));
    expect(processes.map((p) => p.pid)).toContain(server.child.pid);
    for (const { command } of processes) expect(command).not.toMatch(/tsx|esbuild/);
    expect(commandLine(server.child.pid!)).toContain(path.join(appDir, 'dist/'));
    // The compiled modules import compiled modules: no `.ts` specifier left for a loader to resolve.
    const main = readFileSync(path.join(appDir, 'dist/cli/main.js'), 'utf8');
    expect(main).not.toMatch(/from '\.{1,2}\/[^']*\.ts'/);
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves the desktop and its assets, and the OpenAPI document', async () => {
    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Switchboard</title>');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html);
    expect(asset, html).not.toBeNull();
    expect((await fetch(`${baseUrl}${asset![1]}`)).status).toBe(200);
    const openapi = await fetch(`${baseUrl}/api/openapi.json`);
    expect(openapi.status).toBe(200);
    const document = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/v1/cases');
  });

  it('loads the sample knowledge base: an article page answers', async () => {
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const articles = await fetch(`${baseUrl}/api/v1/articles`, { headers: { cookie } });
    expect(articles.status).toBe(200);
    const body = (await articles.json()) as { articles: { id: string; title: string }[] };
    const article = body.articles.find((a) => a.title === 'Reset your password');
    expect(article, JSON.stringify(body.articles.map((a) => a.title))).toBeDefined();
    const page = await fetch(`${baseUrl}/kb/${encodeURIComponent(article!.id)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Reset your password');
  });
});
