import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/support/sequencer.js';

/**
 * Test files run at once: one more than the cores (vitest's default is one
 * fewer, i.e. a single file at a time on 2 cores), because most files spend
 * much of their time waiting on the CLI processes they spawn.
 * RC_TEST_WORKERS overrides it.
 */
export const TEST_WORKERS = Number(process.env.RC_TEST_WORKERS) || availableParallelism() + 1;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: TEST_WORKERS,
    sequence: { sequencer: SlowestFirst },
  },
});
