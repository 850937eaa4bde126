/**
 * Issue 7 item 12: `--jobs` is capped at what the machine and the input can
 * use. `--jobs 256` on one record or a small portfolio exits 0 with a warning
 * and correct results; never more worker threads than batches. The worker
 * count is read from the run's debug line (RESELLER_CREDITS_DEBUG=workers)
 * and from the library's pool statistics, never from time or memory.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../src/limits.js';
import { evaluatePortfolio } from '../src/run/evaluate.js';
import { BATCH_RECORDS } from '../src/run/batches.js';
import { whatIfPortfolio } from '../src/whatif/run-whatif.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const dir = tempDir();
const cores = availableParallelism();

/** The CLI in this process (test/support/run-cli.ts), with its debug line of the workers used. */
const cli = (args: string[], debug = true) => runCli(args, { env: { RESELLER_CREDITS_DEBUG: debug ? 'workers' : '' } });

/** `n` valid snapshots as one multi-document YAML file: ceil(n / 250) batches. */
function yamlPortfolio(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`schemaVersion: 1\naccount: J-${i}\nperiod: 2026-11\nreseller: { approved: true, approvedOn: 2026-01-01 }\n`
      + `subClients: [a, b, c]\nlineItems:\n  - { service: hipaa-fee, amount: "${100 + i}.00" }\n`);
  }
  return docs.join('---\n');
}

const capWarning = `warning: --jobs 256 is more than the ${cores} thread(s) this machine can run at once: using at most ${Math.min(cores, 256)} worker thread(s)`;

describe('--jobs is capped (issue 7 item 12)', () => {
  it('--jobs 256 on one record: exit 0, the warning, no worker thread, the right credit', async () => {
    const r = await cli(['evaluate', '--format', 'json', '--jobs', '256', 'examples/seed-px2.yaml']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(capWarning);
    expect(r.stderr).toContain('debug: 0 worker thread(s) for 1 batch(es)');
    expect(JSON.parse(r.stdout)).toMatchObject({ account: 'R-1001', credit: '25.00', statement: { amountDue: '275.00' } });
  });

  it('--jobs 256 on a small portfolio: the same output as --jobs 1, at most one worker per batch and per core', async () => {
    const n = 2 * BATCH_RECORDS + 10; // 3 batches
    const file = join(dir, 'three-batches.yaml');
    writeFileSync(file, yamlPortfolio(n));
    const many = await cli(['evaluate', '--format', 'csv', '--jobs', '256', file]);
    const one = await cli(['evaluate', '--format', 'csv', '--jobs', '1', file], false);
    expect(many.status).toBe(0);
    expect(many.stderr).toContain(capWarning);
    expect(many.stderr).toContain(`debug: ${Math.min(cores, 3)} worker thread(s) for 3 batch(es)`);
    expect(many.stdout).toBe(one.stdout);
    const rows = many.stdout.trim().split('\n');
    expect(rows).toHaveLength(n + 1);
    // hipaa-fee is fully commissionable: $100.00 is in the 10% tier → 10.00
    expect(rows[1]).toContain('J-0');
    expect(rows[1]).toContain('10.00');
    expect(one.stderr).not.toContain('warning');
  });

  it('whatif --jobs 256 is capped the same way', async () => {
    const r = await cli(['whatif', '--baseline', '2026-01', '--candidate', '2026-01', '--format', 'json', '--jobs', '256', 'examples/seed-px2.yaml']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(capWarning);
    expect(r.stderr).toContain('debug: 0 worker thread(s) for 1 batch(es)');
  });

  it('--jobs within the cores is used without a warning', async () => {
    const r = await cli(['evaluate', '--format', 'json', '--jobs', String(cores), 'examples/seed-px2.yaml']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('warning');
  });

  it('the library never starts more workers than batches, even when the machine has more cores', async () => {
    const file = join(dir, 'two-batches.yaml');
    writeFileSync(file, yamlPortfolio(BATCH_RECORDS + 1)); // 2 batches
    const seen: { workers: number; batches: number }[] = [];
    let out = '';
    const counts = await evaluatePortfolio([file], {
      rules: { rulesDir: 'rules', ref: '2026-01' }, format: 'csv', limits: resolveLimits(),
      jobs: 64, cores: 64, write: (t) => { out += t; }, onPoolStats: (s) => seen.push(s),
    });
    expect(counts).toEqual({ records: BATCH_RECORDS + 1, evaluated: BATCH_RECORDS + 1, errors: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.batches).toBe(2);
    expect(seen[0]!.workers).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.workers).toBeLessThanOrEqual(2);
    expect(out.trim().split('\n')).toHaveLength(BATCH_RECORDS + 2);
  });

  it('the library caps at the cores it is given and runs one batch on the main thread', async () => {
    const seen: { workers: number; batches: number }[] = [];
    const tally = await whatIfPortfolio(['examples/seed-px2.yaml'], {
      rulesDir: 'rules', baseline: '2026-01', candidate: '2026-01', limits: resolveLimits(),
      jobs: 256, onRow: () => {}, onPoolStats: (s) => seen.push(s),
    });
    expect(tally.summary().accounts).toBe(1);
    expect(seen).toEqual([{ workers: 0, batches: 1 }]);
  });
});
