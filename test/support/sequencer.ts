/**
 * The order test files start in: the slowest first (measured; they are mostly
 * waiting on the CLI processes they spawn), so that the last minutes of a run
 * are not one long file on one worker while the others idle. Files not named
 * here follow in vitest's own order (longest first by its cache, else largest).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Slowest first, as measured on 2 cores (seconds, coverage run, before the suite was made faster). */
export const SLOWEST = [
  'ledger.faults', // 69
  'ledger.cli', // 76
  'exit-status', // 47
  'publish-faults', // 33
  'publish-approvals', // 27
  'inputs', // 24
  'review-cli', // 22
  'cli', // 20
  'progress', // 19
  'publish-concurrency', // 17
  'parallel', // 12
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
