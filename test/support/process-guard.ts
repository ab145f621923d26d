import { readdirSync, readFileSync } from 'node:fs';

/**
 * Vitest global setup: every process a test starts (and every process those start) inherits a marker in
 * its environment; when the run ends, any such process still alive is a leak. It is named, killed, and
 * the run fails. Vitest's own processes (the direct children of this one: workers, the transformer's
 * service) are not tests' processes. Linux only (reads /proc); elsewhere a line says it did not check.
 */
const markerName = 'SWITCHBOARD_TEST_PROCESS_GUARD';
const graceMs = 10_000;

interface Leftover {
  pid: number;
  command: string;
}

function leftovers(marker: string): Leftover[] {
  const found: Leftover[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${markerName}=${marker}`))
        continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // The fields after the command name "(…)": state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || Number(ppid) === process.pid) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
      found.push({ pid, command });
    } catch {
      // Gone meanwhile, or not ours to read: not a leak of this run.
    }
  }
  return found;
}

export default function setup() {
  const marker = `${process.pid}-${Date.now()}`;
  process.env[markerName] = marker;
  return async function teardown() {
    let proc = true;
    try {
      readdirSync('/proc/self');
    } catch {
      proc = false;
    }
    if (!proc) {
      console.warn('process guard: /proc is not available here; leftover test processes were not checked');
      return;
    }
    // Processes told to stop a moment ago may still be on their way out.
    const until = Date.now() + graceMs;
    let left = leftovers(marker);
    while (left.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = leftovers(marker);
    }
    if (left.length === 0) return;
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    throw new Error(
      `tests left ${left.length} process(es) running (now killed):\n${left.map((p) => `  ${p.pid} ${p.command}`).join('\n')}`,
    );
  };
}
