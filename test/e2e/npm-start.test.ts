import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { groupMembers, type ServerProcess, spawnServer } from '../support/server-process.ts';

/** `npm start` as a new user runs it: the real command, a fresh data directory, nothing configured. */
describe('npm start on a fresh installation', () => {
  let server: ServerProcess;
  let dataDir: string;
  let baseUrl = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-start-'));
    server = spawnServer('npm', ['start', '--silent'], {
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    baseUrl = await server.url();
  }, 120_000);

  afterAll(async () => {
    // Whatever happened above, no process of this server outlives the test.
    await server?.kill();
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
    const output = server.output();
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
    const match = /password: (\S+)/.exec(server.output())!;
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

  it('warns once that members cannot open links to the default localhost public URL', () => {
    const warnings = server
      .output()
      .split('\n')
      .filter((line) => line.includes('SWITCHBOARD_PUBLIC_URL'));
    expect(warnings, server.output()).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, publicUrl: 'http://localhost:0' });
  });

  it('logs JSON lines, with one per HTTP request, when stdout is not a terminal', async () => {
    await fetch(`${baseUrl}/healthz?from=json-test`);
    const lines = await eventually('the request line of /healthz?from=json-test', () => {
      const all = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      return all.some((line) => line.includes('from=json-test')) && all;
    });
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.some((line) => JSON.parse(line).msg.startsWith('Switchboard is running'))).toBe(true);
  });

  it('stops cleanly on SIGTERM sent to npm: every process exits, the port is free, the database closed', async () => {
    const database = path.join(dataDir, 'switchboard.db');
    expect(existsSync(`${database}-wal`)).toBe(true);
    const pgid = server.child.pid!;
    // npm, then node (npm's shell `exec`s it) on the compiled server.
    const members = groupMembers(pgid);
    expect(members.length, `process group ${pgid}`).toBeGreaterThanOrEqual(2);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await eventually(
      `every process of group ${pgid} (${members.join(', ')}) to exit`,
      () => !server.groupAlive(),
      15_000,
    );

    await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
    // SQLite checkpoints and removes the write-ahead log when the last connection closes properly.
    expect(existsSync(`${database}-wal`)).toBe(false);
    expect(server.output()).toContain('shutting down');
    expect(server.output()).toContain('"msg":"stopped"');
  });
});
