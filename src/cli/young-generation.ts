import v8 from 'node:v8';

/** V8's own growth factor of the young generation (its default). */
const defaultGrowthFactor = 2;

/**
 * While the server starts (until its background start-up work, the learned view's training, is done), what it allocates is mostly kept for the life of the process (modules, compiled
 * code, the knowledge-base index), and every scavenge that copies it grows V8's young generation, up to
 * 32 MB that an idle server then holds and never uses. Held, the young generation keeps its initial size
 * through start-up; released, it grows with the load as V8 decides, so a busy server collects as before.
 * The factor is read by V8 whenever it grows the young generation, so it can change at run time.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

export function releaseYoungGeneration(): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${defaultGrowthFactor}`);
}
