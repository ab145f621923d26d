import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port.ts';

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl as the `postgres` user, trust auth, a free
 * port, data under /tmp), so that a fault test can stop and restart the server without touching any
 * shared one. `find()` says why not when the binaries are missing.
 */
export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The binaries' folder, or the reason there is none. */
  static find(): { bin: string } | { missing: string } {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return { missing: `no ${root}` };
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length === 0) return { missing: `no initdb under ${root}/*/bin` };
    return { bin: path.join(root, versions[0]!, 'bin') };
  }

  static async create(bin: string): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-pg-'));
    chmodSync(dir, 0o777);
    const cluster = new ThrowawayPostgres(bin, dir, await freePort());
    cluster.asPostgres('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.pgCtl(['start', '-w', '-l', path.join(this.dir, 'server.log'), '-o', this.serverOptions()]);
  }

  /** Stops the server the way an operator's restart does: sessions are ended, in-flight queries fail. */
  stop(): void {
    this.pgCtl(['stop', '-w', '-m', 'fast']);
  }

  restart(): void {
    this.pgCtl([
      'restart',
      '-w',
      '-m',
      'fast',
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      this.serverOptions(),
    ]);
  }

  /** Stops the server if it runs and removes its files; for clean-up, never throws. */
  destroy(): void {
    try {
      this.pgCtl(['stop', '-w', '-m', 'immediate']);
    } catch {
      // Not running.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private serverOptions(): string {
    return `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=50`;
  }

  private pgCtl(args: string[]): void {
    this.asPostgres('pg_ctl', ['-D', this.dataDir, ...args]);
  }

  /** Runs one of the binaries as the `postgres` user (the server refuses to run as root). */
  private asPostgres(program: string, args: string[]): void {
    const command = [path.join(this.bin, program), ...args].map(quote).join(' ');
    const asRoot = process.getuid?.() === 0;
    execFileSync(asRoot ? 'su' : 'sh', asRoot ? ['postgres', '-c', command] : ['-c', command], {
      stdio: 'pipe',
      timeout: 60_000,
    });
  }
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
