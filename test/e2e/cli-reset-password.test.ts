import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';

const run = promisify(execFile);
const ADMIN_PASSWORD = 'admin-password-42';

/** `switchboard agents reset-password` with the real CLI against a running server's data dir. */
describe('switchboard agents reset-password', () => {
  let dataDir: string;
  let switchboard: Switchboard;
  let base = '';

  const env = () => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHBOARD_SAMPLE_KB: 'false',
    LOG_LEVEL: 'silent',
  });
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    run('node', ['bin/switchboard.mjs', ...args], { env: { ...process.env, ...env(), ...extra } }).then(
      (out) => ({ code: 0, ...out }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
  const login = (password: string) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-reset-'));
    switchboard = await createSwitchboard(loadConfig(env()), { announce: () => {} });
    base = await switchboard.start();
  });
  afterAll(async () => {
    await switchboard.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints a generated password once and ends the agent's sessions and API tokens", async () => {
    const signedIn = await login(ADMIN_PASSWORD);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const minted = await fetch(`${base}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-switchboard-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci' }),
    });
    const bearer = `Bearer ${(await minted.json()).token}`;

    const reset = await cli(['agents', 'reset-password', '--email', 'Admin@Localhost']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(
      /password of admin@localhost reset; 2 session\(s\) and API token\(s\) ended/,
    );
    const generated = /new password \(shown once\): (\S+)/.exec(reset.stdout)?.[1];
    expect(generated).toBeDefined();
    expect(generated!.length).toBeGreaterThanOrEqual(16);

    const me = (headers: Record<string, string>) => fetch(`${base}/api/v1/auth/me`, { headers });
    expect((await me({ cookie })).status).toBe(401);
    expect((await me({ authorization: bearer })).status).toBe(401);
    expect((await login(ADMIN_PASSWORD)).status).toBe(401);
    expect((await login(generated!)).status).toBe(200);
  }, 60_000);

  it('takes the password from --password or SWITCHBOARD_AGENT_PASSWORD, and refuses bad input clearly', async () => {
    const given = await cli([
      'agents',
      'reset-password',
      '--email',
      'admin@localhost',
      '--password',
      'chosen-pass-1',
    ]);
    expect(given.code).toBe(0);
    expect(given.stdout).not.toMatch(/shown once/);
    expect(given.stdout).not.toContain('chosen-pass-1');
    expect((await login('chosen-pass-1')).status).toBe(200);

    const fromEnv = await cli(['agents', 'reset-password', '--email', 'admin@localhost'], {
      SWITCHBOARD_AGENT_PASSWORD: 'from-the-env-2',
    });
    expect(fromEnv.code).toBe(0);
    expect((await login('from-the-env-2')).status).toBe(200);

    const short = await cli([
      'agents',
      'reset-password',
      '--email',
      'admin@localhost',
      '--password',
      'short',
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
    const unknown = await cli(['agents', 'reset-password', '--email', 'nobody@example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no agent with email nobody@example.com/);
    expect((await login('from-the-env-2')).status).toBe(200);
    // Each run starts a Node process that compiles the sources: give a loaded machine room.
  }, 180_000);
});
