import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentVariables, loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import {
  dependencies,
  environmentOf,
  instancesOf,
  loadCompose,
  operatorEnv,
  read,
  root,
} from './compose-file.ts';

/**
 * The production layout (Dockerfile, docker-compose.yml, deploy/) checked without a container engine:
 * the compose file's services and variables against the ones Switchboard reads, the image's structure,
 * and the image's health check run for real. The schema check is in `compose-schema.test.ts`.
 */
describe('docker-compose.yml', () => {
  it('refuses to start without the passwords, naming the variable', () => {
    const { POSTGRES_PASSWORD: _, ...withoutPassword } = operatorEnv;
    expect(() => loadCompose(withoutPassword)).toThrow(/POSTGRES_PASSWORD/);
  });

  it('runs two Switchboard instances on PostgreSQL and Redis, the second after the first is healthy', () => {
    const compose = loadCompose();
    const instances = instancesOf(compose);
    expect(instances.map(([name]) => name)).toEqual(['switchboard-1', 'switchboard-2']);
    for (const [, service] of instances) {
      const env = environmentOf(service);
      expect(env.DATABASE_URL).toMatch(
        /^postgres:\/\/switchboard:pg0secret0here@postgres:5432\/switchboard$/,
      );
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(dependencies(service)).toMatchObject({ postgres: 'service_healthy', redis: 'service_healthy' });
      // Uploads written through one instance are served by the other.
      expect(service.volumes).toContain('switchboard-data:/data');
      expect(env.SWITCHBOARD_DATA_DIR).toBe('/data');
    }
    expect(dependencies(compose.services['switchboard-2']!)['switchboard-1']).toBe('service_healthy');
    for (const name of ['postgres', 'redis']) expect(compose.services[name]?.healthcheck).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toEqual(
      expect.arrayContaining(['switchboard-data', 'postgres-data']),
    );
  });

  it('sets only variables that Switchboard reads and the README documents, with values it accepts', () => {
    const readme = read('README.md');
    for (const [name, service] of instancesOf(loadCompose())) {
      const env = environmentOf(service);
      for (const variable of Object.keys(env)) {
        expect(environmentVariables, `${name}: ${variable}`).toContain(variable);
        expect(readme, `${variable} in the README's table`).toContain(`| \`${variable}\` |`);
      }
      const config = loadConfig(env);
      expect(config.databaseUrl).toMatch(/^postgres:/);
      expect(config.redis?.url).toBe('redis://redis:6379');
      expect(config.trustProxy).toBe(true);
      expect(config.publicUrl).toBe('https://support.example.com');
    }
  });

  it('puts a reverse proxy in front of every instance, with health checks', () => {
    const compose = loadCompose();
    const proxy = compose.services.proxy!;
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(proxy.healthcheck).toBeDefined();
    const caddyfile = read('deploy/Caddyfile');
    const upstreams = /reverse_proxy\s+([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    expect(upstreams).toEqual(instancesOf(compose).map(([name]) => `${name}:3000`));
    // The proxy sends traffic to instances that are ready; the container's health check is liveness.
    expect(caddyfile).toMatch(/health_uri \/readyz/);
    for (const [name] of instancesOf(compose))
      expect(dependencies(proxy)[name], `proxy waits for ${name}`).toBe('service_healthy');
    // The site address comes from the proxy's own environment.
    expect(caddyfile).toContain('{$SWITCHBOARD_SITE_ADDRESS');
    expect(environmentOf(proxy).SWITCHBOARD_SITE_ADDRESS).toBe('support.example.com');
  });

  it('names in deploy/example.env every variable the compose file requires', () => {
    const example = read('deploy/example.env');
    const required = [...read('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+):?\?/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const name of new Set(required)) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });
});

// --- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

/** Instructions grouped by stage; line continuations joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(trimmed) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name = null] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
/** The exec-form command (`CMD ["node", …]`) after any flags. */
const execForm = (args: string): string[] => JSON.parse(args.slice(args.indexOf('['))) as string[];

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const build = stages[0]!;
  const runtime = stages.at(-1)!;

  it('builds in one stage and runs from a slimmer one', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = all(build, 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    // Only production dependencies reach the runtime stage.
    expect(runs.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
    expect(all(runtime, 'RUN').some((i) => /\bnpm (ci|install)\b/.test(i.args))).toBe(false);
    const copied = all(runtime, 'COPY').map((i) => i.args);
    expect(copied.every((args) => args.includes(`--from=${build.name}`))).toBe(true);
    expect(copied.some((args) => args.includes('/app/web/dist'))).toBe(true);
  });

  it('runs as a user that is not root, in production mode, with a data volume and port 3000', () => {
    const users = all(runtime, 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const env = all(runtime, 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bSWITCHBOARD_DATA_DIR=\/data\b/);
    expect(all(runtime, 'VOLUME').map((i) => i.args)).toContain('["/data"]');
    expect(all(runtime, 'EXPOSE').map((i) => i.args)).toContain('3000');
    for (const match of env.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)) {
      if (match[1] !== 'NODE_ENV') expect(environmentVariables).toContain(match[1]);
    }
  });

  it('starts Switchboard with node, in exec form so that it receives SIGTERM', () => {
    expect(all(runtime, 'CMD').map((i) => execForm(i.args))).toEqual([
      ['node', '--enable-source-maps', 'dist/cli/switchboard.js', 'start'],
    ]);
  });

  it('leaves local data, secrets and installed modules out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', '.env', 'data', '.git', 'web/dist'])
      expect(ignored, entry).toContain(entry);
    // Everything the Dockerfile copies from the context exists and is not ignored.
    for (const instruction of all(build, 'COPY')) {
      for (const source of instruction.args.split(/\s+/).slice(0, -1)) {
        expect(existsSync(path.join(root, source)), source).toBe(true);
        expect(ignored).not.toContain(source.replace(/^\.\//, ''));
      }
    }
  });
});

describe("the image's health check", () => {
  const healthcheck = all(parseDockerfile(read('Dockerfile')).at(-1)!, 'HEALTHCHECK')[0];
  let switchboard: Switchboard;
  let stopped = false;
  let dataDir: string;
  let port = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-health-'));
    switchboard = await createSwitchboard(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
        SWITCHBOARD_SAMPLE_KB: 'false',
        LOG_LEVEL: 'silent',
      }),
      { announce: () => {} },
    );
    port = Number(new URL(await switchboard.start()).port);
  });
  afterAll(async () => {
    if (!stopped) await switchboard?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Runs the HEALTHCHECK command as Docker would (no shell), with PORT set as in the container. */
  const runCheck = (command: string[], env: Record<string, string>) =>
    new Promise<number | null>((resolve, reject) => {
      const [binary, ...args] = command;
      const child = spawn(binary === 'node' ? process.execPath : binary!, args, {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'ignore',
      });
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });

  it('uses node rather than curl or wget (not in slim images)', () => {
    expect(healthcheck).toBeDefined();
    const command = execForm(healthcheck!.args);
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/healthz');
    expect(command.join(' ')).not.toMatch(/\b(curl|wget)\b/);
  });

  it('passes while Switchboard answers /healthz, fails when nothing listens', async () => {
    const command = execForm(healthcheck!.args);
    expect(await runCheck(command, { PORT: String(port) })).toBe(0);
    await switchboard.stop();
    stopped = true;
    expect(await runCheck(command, { PORT: String(port) })).toBe(1);
  });

  it("is the check the compose file's instances use too", () => {
    const dockerfileScript = execForm(healthcheck!.args).at(-1)!;
    for (const [name, service] of instancesOf(loadCompose())) {
      const test = service.healthcheck?.test;
      expect(Array.isArray(test) ? test.slice(0, 3) : test, name).toEqual(['CMD', 'node', '-e']);
      const composeScript = (test as string[]).at(-1)!;
      // Same script, with the port the compose file fixes (3000) in place of $PORT.
      expect(composeScript).toBe(dockerfileScript.replace("'+(process.env.PORT||3000)+'", '3000'));
    }
  });
});
