import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from './eventually.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The address of a started server, from its JSON log line (`"url":"…"`) or its readable one (`url: "…"`). */
const runningUrl = /"?url"?:\s*"(http:\/\/127\.0\.0\.1:\d+)"/;

/** Colours and cursor codes a terminal program writes; stripped so that tests read the text. */
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

export interface ServerProcess {
  /** The spawned process; it leads its own process group (its id is the group's id). */
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far, without terminal codes. */
  output(): string;
  /** Resolves with the exit code (or signal) of the spawned process. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for the "Switchboard is running" line and returns its URL. */
  url(): Promise<string>;
  /** Whether any process of the group is still alive. */
  groupAlive(): boolean;
  /** Ends every process of the group (SIGKILL) and waits until none is left; for clean-up. */
  kill(): Promise<void>;
}

/**
 * Runs a command the way a user does (`npm start`, `node bin/switchboard.mjs …`) in its own process
 * group, so that a test can see, and end, every process it leads to (npm → sh → node).
 * `bin/switchboard.mjs` runs dist/, compiling it first when it does not match src/ (one build at a time for
 * test files started together), so that a test always runs the sources as they are, never a stale build.
 */
export function spawnServer(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): ServerProcess {
  // A tag in the environment finds its processes even where they leave the group (`script` starts a session).
  const tag = `${process.pid}-${++spawned}`;
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...env, [tagName]: tag },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const output = () => text.replace(ansi, '').replaceAll('\r', '');
  const pgid = child.pid!;
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    child,
    output,
    exited,
    groupAlive,
    async url() {
      let ended = false;
      void exited.then(() => {
        ended = true;
      });
      const match = await eventually(
        `"Switchboard is running" from ${command} ${args.join(' ')}`,
        () => {
          if (ended && !runningUrl.test(output())) throw new Error(`exited before running:\n${output()}`);
          return runningUrl.exec(output());
        },
        90_000,
      );
      return match[1]!;
    },
    async kill() {
      if (groupAlive()) process.kill(-pgid, 'SIGKILL');
      for (const pid of tagged(tag)) process.kill(pid, 'SIGKILL');
      await eventually(`the processes of ${command} ${args.join(' ')} to end`, () => {
        return !groupAlive() && tagged(tag).length === 0;
      });
    },
  };
}

const tagName = 'SWITCHBOARD_TEST_SERVER';
let spawned = 0;

/** Live processes whose environment carries the tag. */
function tagged(tag: string): number[] {
  return liveProcesses()
    .filter(({ pid }) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${tagName}=${tag}`);
      } catch {
        return false;
      }
    })
    .map(({ pid }) => pid);
}

function liveProcesses(): { pid: number; pgid: number }[] {
  const found: { pid: number; pgid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // After the command name "(…)": state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') found.push({ pid: Number(entry), pgid: Number(fields[2]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The process ids of a process group, read from /proc (Linux). */
export function groupMembers(pgid: number): number[] {
  return liveProcesses()
    .filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
}
