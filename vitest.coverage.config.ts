/**
 * `npm run coverage`: the whole suite, with the in-process tests running the
 * built `dist/` (loaded by Node itself, not transformed by vitest) instead of
 * `src/`, so that one V8 coverage collection (NODE_V8_COVERAGE, read by c8
 * through dist's source maps) counts the test processes, the CLI processes they
 * spawn and the piscina worker threads alike. See scripts/coverage.mjs.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { TEST_WORKERS } from './vitest.config.js';
import SlowestFirst from './test/support/sequencer.js';

const dist = fileURLToPath(new URL('./dist/', import.meta.url));
const mocking = ['test/hostile-inputs.test.ts', 'test/input-errors.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // worker threads write their coverage when they end; killed forks would not
    pool: 'threads',
    maxWorkers: TEST_WORKERS,
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        extends: true,
        resolve: { alias: [{ find: /^(?:\.\.\/)+src\/(.+)$/, replacement: `${dist}/$1` }] },
        test: {
          name: 'dist',
          include: ['test/**/*.test.ts'],
          exclude: mocking,
          server: { deps: { external: [/\/dist\//] } },
        },
      },
      {
        // these mock the `yaml` package under src/ (vi.mock cannot reach a module Node loads itself):
        // they run src/ as in `npm test`; only the CLI processes they spawn are counted
        extends: true,
        test: { name: 'src', include: mocking },
      },
    ],
  },
});
