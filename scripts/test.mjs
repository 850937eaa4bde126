#!/usr/bin/env node
// `npm test`: the whole vitest suite (after the build). With RC_COVERAGE=1 — as
// CI runs it (.ci/run) — the same suite under V8 coverage of every process,
// failing below coverage-floors.json (scripts/coverage.mjs, also `npm run
// coverage`). Either way the output ends with the line `N passed, N failed`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.env.RC_COVERAGE === '1') {
  await import('./coverage.mjs');
} else {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
  const suite = spawn(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  suite.on('close', (code, signal) => { process.exitCode = signal ? 1 : code ?? 1; });
}
