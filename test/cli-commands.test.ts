/**
 * CLI paths the coverage of every process showed untested: `validate FILES`,
 * `whatif` with an unknown rule set or a bad `--top`, a JSON array portfolio
 * of more records than one batch on two workers, and the benchmark's maxRSS
 * report. Each runs the CLI in this process (test/support/run-cli.ts) but the
 * maxRSS report, which runs bin/reseller-credits.js as a child process.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATCH_RECORDS } from '../src/run/batches.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const dir = tempDir('rc-cli-paths-');

/** A real process: the maxRSS report is written when the process exits. */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}
/** The CLI in this process (test/support/run-cli.ts), for the rest. */
const cli = (args: string[]) => runCli(args);

describe('CLI paths', () => {
  it('validate FILES checks only those files and counts them', async () => {
    const ok = await cli(['validate', 'rules/2026-01.yaml']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toContain('1 rule set file(s) checked: 1 valid, 0 error(s)');
    const bad = await cli(['validate', 'rules/2026-01.yaml', 'test/fixtures/hostile/proto-keys.yaml']);
    expect(bad.status).toBe(1);
    // line 22 of the fixture is `__proto__: …` at column 1; its five bad keys are listed in hostile-inputs.test.ts
    expect(bad.stderr).toContain('test/fixtures/hostile/proto-keys.yaml:22:1: __proto__: unknown field "__proto__" (a reserved name)\n');
    expect(bad.stderr).toContain('2 rule set file(s) checked: 1 valid, 5 error(s)');
  });

  it('whatif with an unknown rule set is a usage error (2); --top 0 too', async () => {
    const file = join(dir, 'one.ndjson');
    writeFileSync(file, '{"schemaVersion":1,"account":"A","period":"2026-11","lineItems":[]}\n');
    const unknown = await cli(['whatif', '--baseline', '2026-01', '--candidate', '1999-01', file]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no rule set "1999-01" in rules/ (known: 2026-01, 2027-01)');
    const top = await cli(['whatif', '--baseline', '2026-01', '--candidate', '2026-01', '--top', '0', file]);
    expect(top.status).toBe(2);
    expect(top.stderr).toContain('must be a whole number from 1 to 1000000');
  });

  it('a JSON array of more records than a batch, on two workers: every record, in order, with its credit', async () => {
    const n = BATCH_RECORDS * 2 + 7;
    // account i: one hipaa-fee line of i+1 dollars, not eligible (no sub-clients): credit 0, amount due i+1
    const records = Array.from({ length: n }, (_, i) => ({
      schemaVersion: 1, account: `J-${i}`, period: '2026-11', lineItems: [{ service: 'hipaa-fee', amount: `${i + 1}.00` }],
    }));
    const file = join(dir, 'array.json');
    writeFileSync(file, JSON.stringify(records, null, 1));
    const r = await cli(['evaluate', '--rules-version', '2026-01', '--format', 'ndjson', '--jobs', '2', file]);
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { account: string; credit: string; statement: { amountDue: string } });
    expect(out.map((o) => [o.account, o.credit, o.statement.amountDue]))
      .toEqual(records.map((_, i) => [`J-${i}`, '0.00', `${i + 1}.00`]));
    expect(r.stderr).toContain(`${n} record(s): ${n} evaluated, 0 error(s)`);
  });

  it('RESELLER_CREDITS_REPORT_RSS=1 ends stderr with the peak memory in KiB', () => {
    const file = join(dir, 'rss.ndjson');
    writeFileSync(file, '{"schemaVersion":1,"account":"A","period":"2026-11","lineItems":[]}\n');
    const r = spawnCli(['evaluate', '--rules-version', '2026-01', file], { RESELLER_CREDITS_REPORT_RSS: '1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\nmaxRSS [1-9][0-9]*\n$/);
    expect(spawnCli(['evaluate', '--rules-version', '2026-01', file]).stderr).not.toContain('maxRSS');
  });
});
