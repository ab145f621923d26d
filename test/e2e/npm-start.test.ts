import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npm start` as a new user runs it: the real command, a fresh data directory, nothing configured. */
describe('npm start on a fresh installation', () => {
  let child: ChildProcess;
  let dataDir: string;
  let output = '';
  let baseUrl = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-start-'));
    child = spawn('npm', ['start', '--silent'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 100);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz, the OpenAPI document and its browsable page', async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const openapi = await fetch(`${baseUrl}/api/openapi.json`);
    expect(openapi.status).toBe(200);
    const document = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/v1/cases');
    const page = await fetch(`${baseUrl}/api/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('prints the generated admin password once, and it signs in', async () => {
    const match = /password: (\S+)/.exec(output);
    expect(match, output).not.toBeNull();
    expect(output.match(/password: /g)).toHaveLength(1);
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ email: 'admin@localhost', password: match![1] }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toContain('sb_session=');
    // The generated password is in the one-time banner only, never in a log line.
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes(match![1]!))).toBe(false);
  });

  it('loads the sample knowledge base', async () => {
    const match = /password: (\S+)/.exec(output)!;
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-csrf': '1' },
      body: JSON.stringify({ email: 'admin@localhost', password: match[1] }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const articles = await fetch(`${baseUrl}/api/v1/articles`, { headers: { cookie } });
    expect(articles.status).toBe(200);
    const body = (await articles.json()) as { articles: { title: string }[] };
    expect(body.articles.map((a) => a.title)).toContain('Reset your password');
  });
});
