#!/usr/bin/env -S node --single-threaded-gc
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
// --single-threaded-gc: with a worker per core, V8's parallel GC helper threads only
// compete with the workers for the same cores; without them a 100k-snapshot run is
// ~9% faster on 2 cores (measured with `npm run bench`), and a 1-thread run the same.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
