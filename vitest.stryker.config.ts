/**
 * The in-process tests of the money path, for the mutation check (`npm run mutation`).
 * CLI and worker tests run dist/ (in other processes, or in-process through
 * test/support/run-cli.ts), so Stryker's mutants in src/ would never reach
 * them: they are left out here.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/evaluate-table.test.ts',
      'test/evaluate-properties.test.ts',
      'test/cases.test.ts',
      'test/money.test.ts',
      'test/evaluate-trace.test.ts',
      // the record and portfolio layers (src/run/record.ts, pipeline.ts) and the memo, in-process
      'test/portfolio.test.ts',
      'test/library.test.ts',
      'test/evaluate-eligibility-memo.test.ts',
      'test/run-record.test.ts',
    ],
    testTimeout: 60_000,
  },
});
