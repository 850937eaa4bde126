#!/usr/bin/env node
// One server of `npm run bench:service` (bench/service.js), in its own process so that
// its RSS is its own: `node bench/service-server.js ours|baseline [workers]`. Prints its
// URL on stderr once it listens (with `workers`, then the worker pids); logs JSON to stdout
// at level info, as `serve` does (the bench sends them to /dev/null); SIGTERM closes it.
//   ours      the service as `reseller-credits serve` runs it (dist/server)
//   baseline  the same server, its evaluate route answering with the hand-written
//             baseline evaluator (bench/baseline.js) instead of the engine
//   workers   (bench only, to measure whether more processes meet the latency target)
//             N processes of the server sharing one port through node:cluster; not
//             something `serve` offers: issue runs need one writer per ledger
import cluster from 'node:cluster';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../dist/server/start.js';
import { resolveLimits } from '../dist/index.js';
import { evaluateSnapshot, loadRules } from './baseline.js';

const mode = process.argv[2];
const workers = Number(process.argv[3] ?? 0);
if (mode !== 'ours' && mode !== 'baseline') throw new Error('usage: service-server.js ours|baseline [workers]');

if (workers > 0 && cluster.isPrimary) {
  const port = await new Promise((resolve) => {
    const ready = [];
    for (let i = 0; i < workers; i++) {
      const w = cluster.fork();
      w.on('message', (m) => {
        ready.push({ pid: w.process.pid, port: m.port });
        if (ready.length === workers) resolve(ready[0].port);
      });
    }
  });
  process.stderr.write(`http://127.0.0.1:${port} ${Object.values(cluster.workers).map((w) => w.process.pid).join(' ')}\n`);
  process.once('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.kill('SIGTERM'); setTimeout(() => process.exit(0), 500); });
} else {
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
  // the workers of a cluster that listen on port 0 all get the same port (node:cluster)
  const service = await startService(options, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, { level: 'info' });
  if (cluster.isWorker) process.send({ port: new URL(service.url).port });
  else process.stderr.write(`${service.url}\n`);
  process.once('SIGTERM', () => { service.app.close().then(() => process.exit(0)); });
}
