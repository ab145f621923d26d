import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { repoRoot, type ServerProcess, spawnServer } from '../support/server-process.ts';

const run = promisify(execFile);

/**
 * A brand's first steps with the real `switchboard` command: a CLI command before the first `start`
 * must not create the admin (whose password nobody would ever see); `start` does, and always says how
 * to sign in.
 */
describe('switchboard CLI before the first start', () => {
  const dirs: string[] = [];
  let server: ServerProcess | undefined;

  const env = (dataDir: string) => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  });
  const cli = (dataDir: string, ...args: string[]) =>
    run('node', ['bin/switchboard.mjs', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env(dataDir) },
    });

  /** Runs `switchboard start` until it serves, and returns its output and address. */
  async function start(dataDir: string) {
    server = spawnServer('node', ['bin/switchboard.mjs', 'start'], env(dataDir));
    const url = await server.url();
    return { url, output: server.output() };
  }

  /** Stops the server as a supervisor does, and checks that it stopped cleanly. */
  async function stop() {
    server!.child.kill('SIGTERM');
    expect(await server!.exited).toEqual({ code: 0, signal: null });
    server = undefined;
  }

  async function signIn(url: string, email: string, password: string) {
    const response = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ email, password }),
    });
    return { status: response.status, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' };
  }

  async function articleTitles(url: string, cookie: string): Promise<string[]> {
    const response = await fetch(`${url}/api/v1/articles`, { headers: { cookie } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { articles: { title: string }[] }).articles.map((a) => a.title);
  }

  const freshDataDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-first-run-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    await server?.kill();
    server = undefined;
  });

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('kb import first: start creates the admin, prints the password once, and keeps the brand’s articles', async () => {
    const dataDir = await freshDataDir();
    const helpCenter = path.join(dataDir, 'help-center');
    await mkdir(helpCenter);
    await writeFile(
      path.join(helpCenter, 'shipping.md'),
      '---\ntitle: Shipping times\ntags: [shipping]\n---\nOrders ship within two working days.\n',
    );
    const imported = await cli(dataDir, 'kb', 'import', helpCenter);
    expect(imported.stdout).toContain('1 created');

    const first = await start(dataDir);
    expect(first.output).toContain('the first admin agent was created');
    const password = /password: (\S+)/.exec(first.output)?.[1];
    expect(password, first.output).toBeDefined();
    const admin = await signIn(first.url, 'admin@localhost', password!);
    expect(admin.status).toBe(200);
    // The brand's own help center is not mixed with sample articles; the log says why none were loaded.
    expect(await articleTitles(first.url, admin.cookie)).toEqual(['Shipping times']);
    expect(first.output).toContain(
      'sample knowledge base not loaded: the knowledge base already has articles',
    );
    await stop();

    // Every later start says how to sign in, and how to get in without the password.
    const second = await start(dataDir);
    expect(second.output).not.toMatch(/password: /);
    expect(second.output).toContain('sign in at http://localhost:0/ as admin@localhost');
    expect(second.output).toContain('switchboard agents reset-password --email admin@localhost');
    expect((await signIn(second.url, 'admin@localhost', password!)).status).toBe(200);
    await stop();
  }, 180_000);

  it('agents create first: start still creates the admin and loads the sample knowledge base, once', async () => {
    const dataDir = await freshDataDir();
    const created = await cli(
      dataDir,
      'agents',
      'create',
      '--email',
      'ann@brand.example',
      '--name',
      'Ann',
      '--password',
      'ann-password-1',
    );
    expect(created.stdout).toContain('agent ann@brand.example created');

    const first = await start(dataDir);
    const password = /password: (\S+)/.exec(first.output)?.[1];
    expect(password, first.output).toBeDefined();
    const admin = await signIn(first.url, 'admin@localhost', password!);
    expect(admin.status).toBe(200);
    expect(await articleTitles(first.url, admin.cookie)).toContain('Reset your password');

    // An admin who removes the samples does not get them back at the next start.
    const listed = await fetch(`${first.url}/api/v1/articles`, { headers: { cookie: admin.cookie } });
    for (const article of ((await listed.json()) as { articles: { id: string }[] }).articles) {
      const removed = await fetch(`${first.url}/api/v1/articles/${article.id}`, {
        method: 'DELETE',
        headers: { cookie: admin.cookie, 'x-switchboard-csrf': '1' },
      });
      expect(removed.status).toBe(204);
    }
    await stop();

    const second = await start(dataDir);
    expect(second.output).toContain('sign in at http://localhost:0/ as admin@localhost');
    const again = await signIn(second.url, 'admin@localhost', password!);
    expect(await articleTitles(second.url, again.cookie)).toEqual([]);
    await stop();
  }, 180_000);
});
