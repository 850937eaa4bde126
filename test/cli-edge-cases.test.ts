/** Regressions found in review: closed pipes before any output, JSON messages, what-if totals, links on publish. */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const dir = tempDir();
const sh = (cmd: string) => spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
const cli = (...args: string[]) => runCli(args);

describe('review fixes', () => {
  it('help and version into a closed pipe end quietly', () => {
    for (const args of ['--help', '--version', 'evaluate --help']) {
      const r = sh(`node bin/reseller-credits.js ${args} | true; echo "status \${PIPESTATUS[0]}"`);
      expect(r.stderr).not.toMatch(/EPIPE|^\s+at /m);
      expect(r.stdout).toContain('status 0');
    }
  });

  it('a JSON syntax error is one line, positioned by the parser, not by text in the record', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '[\n  {\n    "account": "position 3",\n    "period": \n  }\n]\n');
    const r = await cli('evaluate', '--rules-version', '2026-01', '--format', 'csv', file);
    const line = r.stderr.split('\n').find((l) => l.includes('invalid JSON'))!;
    expect(line).toBe(`${file}:5:3: invalid JSON: Unexpected token '}'`);
    expect(r.stdout.trim().split('\n')).toHaveLength(2); // header and one error row
  });

  it('what-if totals keep the rule sets\' scale when every record is an error', async () => {
    const file = join(dir, 'only-errors.ndjson');
    writeFileSync(file, '{"broken":\n');
    const r = await cli('whatif', '--baseline', '2026-01', '--candidate', '2027-01', '--format', 'json', file);
    const j = JSON.parse(r.stdout);
    expect(j.summary).toMatchObject({ accounts: 0, errors: 1, baselineCredit: '0.00', candidateCredit: '0.00', delta: '0.00' });
  });

  it('publish writes through a symbolic link and keeps the file\'s permissions', async () => {
    const rules = join(dir, 'rules');
    cpSync('rules', rules, { recursive: true });
    const real = join(dir, 'real-2027-01.yaml');
    renameSync(join(rules, '2027-01.yaml'), real);
    chmodSync(real, 0o640);
    symlinkSync(real, join(rules, '2027-01.yaml'));
    const r = await cli('--rules-dir', rules, 'publish', '2027-01', '--approved-by', 'Test Approver');
    expect(r.status).toBe(0);
    expect(lstatSync(join(rules, '2027-01.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toMatch(/^status: published$/m);
    expect(statSync(real).mode & 0o777).toBe(0o640);
  });
});
