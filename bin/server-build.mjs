// The server compiled to JavaScript in dist/: whether it matches the sources, and building it.
// Used by `switchboard` (bin/switchboard.mjs) before it runs dist/, and by `npm run build:server`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (the one holding package.json, src/ and dist/). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Written last into dist/: the fingerprint of the sources it was compiled from. */
const stampName = 'build-stamp.json';

/**
 * A digest of everything the build compiles: the contents of the server's sources as tsconfig.build.json
 * selects them (tests and contract suites left out) and of the two tsconfig files. Contents, not times: a
 * checkout that changes nothing keeps the build, any edit, added, renamed or deleted file makes a new one.
 * null where there are no sources (an installed image carries dist/ only).
 */
export function sourceFingerprint(root = packageRoot) {
  const src = path.join(root, 'src');
  if (!existsSync(src)) return null;
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx|mts|json)$/.test(entry.name) && !/(\.test\.ts|-contract\.ts)$/.test(entry.name)) {
        files.push(full);
      }
    }
  };
  walk(src);
  files.push(path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json'));
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '');
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * `fresh` (dist/ was compiled from the sources as they are), `missing` (no complete build), `stale` (the
 * sources changed since), or `no-sources` (dist/ is all there is).
 */
export function buildState(root = packageRoot) {
  const fingerprint = sourceFingerprint(root);
  if (fingerprint === null) return { state: 'no-sources', fingerprint };
  let stamp = null;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, 'dist', stampName), 'utf8'));
  } catch {
    return { state: 'missing', fingerprint };
  }
  return { state: stamp?.fingerprint === fingerprint ? 'fresh' : 'stale', fingerprint };
}

export class BuildError extends Error {}

/**
 * Compiles src/ to dist/ with tsc (tsconfig.build.json). `check: false` only emits (TypeScript's
 * `--noCheck`, a few times faster), for a build made on the way to starting; `npm run build:server` checks.
 * The new build is made beside dist/ and swapped in whole, so that a server running from dist/ never sees
 * a half-written or emptied folder; builds started together (two starts, test files) wait for each other
 * and the later ones find the build fresh.
 */
export function buildServer({ root = packageRoot, check = true, log = () => {}, force = true } = {}) {
  const lock = path.join(root, 'dist.lock');
  withLock(lock, () => {
    const before = buildState(root);
    if (!force && before.state === 'fresh') return;
    let tsc;
    try {
      tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
    } catch {
      throw new BuildError(
        'dist/ is missing or older than src/, and TypeScript (a development dependency) is not installed to build it: run `npm ci` and then `npm run build:server`',
      );
    }
    const next = path.join(root, `dist.next-${process.pid}`);
    rmSync(next, { recursive: true, force: true });
    log(`compiling src/ to dist/${check ? '' : ' (without type checking)'}…`);
    const args = [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', next];
    if (!check) args.push('--noCheck');
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      rmSync(next, { recursive: true, force: true });
      throw new BuildError(
        `compiling src/ to dist/ failed (tsc exited with ${result.status ?? result.signal})`,
      );
    }
    // The fingerprint taken before compiling: a source edited meanwhile makes the next start build again.
    writeFileSync(path.join(next, stampName), `${JSON.stringify({ fingerprint: before.fingerprint })}\n`);
    const dist = path.join(root, 'dist');
    const old = path.join(root, `dist.old-${process.pid}`);
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(next, dist);
    rmSync(old, { recursive: true, force: true });
  });
}

/** Runs `work` holding a lock folder; waits for another live process holding it, takes over a dead one's. */
function withLock(lock, work) {
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // Being written or removed just now.
      }
      if (Number.isInteger(holder) ? !isAlive(holder) : lockAgeMs(lock) > 10_000) {
        rmSync(lock, { recursive: true, force: true });
      } else Atomics.wait(wait, 0, 0, 200);
    }
  }
  try {
    writeFileSync(path.join(lock, 'pid'), String(process.pid));
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAgeMs(lock) {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
