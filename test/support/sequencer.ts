/**
 * The order test files start in: the slowest first (measured), so that the
 * last minutes of a run are not one long file on one worker while the others
 * idle. Files not named here follow in vitest's own order (longest first by
 * its cache, else largest).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Slowest first, as measured on 2 cores (seconds in a whole `npm test`, three
 * files at once, after the CLI tests moved in-process, test/support/run-cli.ts).
 */
export const SLOWEST = [
  'ledger-faults', // 37
  'run-parallel', // 18
  'publish-concurrency', // 17
  'input-errors', // 15
  'output-schemas', // 13
  'progress', // 13
  'publish-faults', // 11
  'review-cli', // 10
  'ledger-cli', // 9
  'cli', // 8
  'inputs', // 7
  'ledger-table', // 6
];

const rank = (spec: TestSpecification) => {
  const name = /([^/\\]+)\.test\.ts$/.exec(spec.moduleId)?.[1] ?? '';
  const i = SLOWEST.indexOf(name);
  return i < 0 ? SLOWEST.length : i;
};

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
