import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Folders whose files take longest, slowest first: fault tests (real processes, outages, restarts), then
 * journeys and browser tests, deployment checks and API tests; unit and contract tests (src/) come last.
 */
export const slowFolders = ['test/faults/', 'test/e2e/', 'test/deploy/', 'test/api/'] as const;

/**
 * Starts the slowest test files first, so that a run with several workers does not end with one worker
 * on a long fault test while the others are idle. Vitest orders by the durations of the previous run
 * when it has them for every file (a second run in one checkout); a fresh clone (CI) has none, and Vitest
 * would order by file size, which puts short fault tests behind long unit tests: there the folders decide,
 * then Vitest's own order within a folder.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const known = sorted.every((spec) => this.ctx.cache.getFileTestResults(this.key(spec)) !== undefined);
    if (known) return sorted;
    const rank = (spec: TestSpecification) => {
      const file = path.relative(this.ctx.config.root, spec.moduleId).split(path.sep).join('/');
      const index = slowFolders.findIndex((folder) => file.startsWith(folder));
      return index === -1 ? slowFolders.length : index;
    };
    return sorted
      .map((spec, index) => ({ spec, index, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ spec }) => spec);
  }

  /** The key of a file in Vitest's results cache (as `BaseSequencer` reads it). */
  private key(spec: TestSpecification): string {
    return `${spec.project.name}:${path.relative(this.ctx.config.root, spec.moduleId)}`;
  }
}
