#!/usr/bin/env node
// One server of `npm run bench:service` (bench/service.js), in its own process so that
// its RSS is its own: `node bench/service-server.js ours|baseline`. Prints its URL on
// stderr once it listens; logs JSON to stdout at level info, as `serve` does (the bench
// sends them to /dev/null); SIGTERM closes it.
//   ours      the service as `reseller-credits serve` runs it (dist/server)
//   baseline  the same server, its evaluate route answering with the hand-written
//             baseline evaluator (bench/baseline.js) instead of the engine
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../dist/server/start.js';
import { resolveLimits } from '../dist/index.js';
import { evaluateSnapshot, loadRules } from './baseline.js';

const mode = process.argv[2];
if (mode !== 'ours' && mode !== 'baseline') throw new Error('usage: service-server.js ours|baseline');
const options = {
  rulesDir: 'rules', ledger: join(mkdtempSync(join(tmpdir(), 'rc-bench-service-')), 'ledger.sqlite'),
  limits: resolveLimits(), jobs: 1, body: { maxBytes: 16 * 1024 * 1024, timeoutMs: 30_000 },
  maxConcurrent: 1024, readyEverySeconds: 2,
};
if (mode === 'baseline') {
  const R = loadRules('rules/2026-01.yaml');
  options.evaluator = (text) => {
    try {
      return `${JSON.stringify(evaluateSnapshot(JSON.parse(text), R))}\n`;
    } catch (err) {
      return `${JSON.stringify({ error: err.message })}\n`;
    }
  };
}
const service = await startService(options, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, { level: 'info' });
process.stderr.write(`${service.url}\n`);
process.once('SIGTERM', () => { service.app.close().then(() => process.exit(0)); });
