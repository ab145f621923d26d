import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * A Redis server of the test's own (`redis-server` on a free port of 127.0.0.1, nothing saved), so that
 * stopping it disturbs no other test. `find()` says why not when the binary is missing.
 */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;

  private constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly password: string | null,
  ) {}

  /** The `redis-server` binary on the PATH, or the reason there is none. */
  static find(): { binary: string } | { missing: string } {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const candidate = path.join(dir, 'redis-server');
      try {
        accessSync(candidate, constants.X_OK);
        return { binary: candidate };
      } catch {
        // Not in this folder.
      }
    }
    return { missing: 'redis-server is not on the PATH' };
  }

  /** A server on a free port, not started yet. */
  static async create(binary: string, options: { password?: string } = {}): Promise<ThrowawayRedis> {
    return new ThrowawayRedis(binary, await freePort(), options.password ?? null);
  }

  get url(): string {
    return this.password
      ? `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`
      : `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the server on its port and resolves once it accepts connections. */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          child.stdout?.resume();
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.resume();
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        reject(new Error(`redis-server exited with ${code ?? signal}: ${output}`));
      });
    });
  }

  /** Stops the server as a crash does (SIGKILL: connections just drop) or an operator does (SIGTERM). */
  stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
