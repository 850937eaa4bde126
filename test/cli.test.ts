/**
 * The command line as a user meets it: `node bin/reseller-credits.js …` for a
 * few end-to-end tests, `main()` of dist/ in this process for the rest
 * (dist/ is built by `npm test` before vitest). Outputs, exit statuses
 * (SPEC §5: 0 good, 1 invalid input, 2 usage or no usable rule set) and error
 * lines `file:line:column: path: message` without stack traces.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { shippedRulesText } from './support/rules.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

/** A real process, as a user runs it: kept for a few end-to-end tests (exit statuses 0, 1 and 2 of the launcher). */
function spawnCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The same CLI in this process (test/support/run-cli.ts), for everything else. */
const cli = (...args: string[]) => runCli(args);

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);
const SEED = 'examples/seed-px2.yaml';
const MULTI = 'test/fixtures/portfolio/multi.yaml';
const work = tempDir();
let n = 0;
/** A fresh folder inside this file's temp folder. */
const freshDir = () => { const d = join(work, String(n++)); mkdirSync(d); return d; };
const lockedHash = () => (JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>)['2026-01'];

describe('evaluate', () => {
  it('explains the seed example in the seed\'s own words', () => {
    const r = spawnCli('evaluate', SEED);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Monthly Value = 100% × 25 × $4.00 + 75% × 1 × $200.00 = $250.00');
    expect(r.stdout).toContain('$25.00');
    expect(r.stdout).toMatch(/Credit = 10% × \$250\.00 = \$25\.00/);
    expect(r.stdout).toMatch(/amount due \$275\.00/);
    expect(r.stderr).toContain('1 record(s): 1 evaluated, 0 error(s)');
  });

  it('--format json of one snapshot prints one object with the SPEC §5 fields', async () => {
    const r = await cli('evaluate', '--format', 'json', SEED);
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(Array.isArray(o)).toBe(false);
    expect(o).toMatchObject({
      account: 'R-1001', period: '2026-11',
      rules: { id: '2026-01', sha256: lockedHash() },
      monthlyPayments: { own: '300.00', managed: '0.00', affiliate: '0.00', total: '300.00' },
      monthlyValue: { own: '250.00', managed: '0.00', affiliate: '0.00', total: '250.00' },
      tierBasis: '300.00', creditBase: '250.00',
      tier: { name: 'tier-10', from: '50', creditPercent: '10' },
      eligibility: { eligible: true, distinctSubClients: 3, reasons: [] },
      creditPercent: '10',
      credit: '25.00',
      statement: { charges: '300.00', credit: '25.00', amountDue: '275.00' },
      warnings: [],
    });
    expect(o.rules.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(o.lines).toContainEqual(expect.objectContaining(
      { account: 'R-1001', source: 'own', service: 'px2-dedicated-server', charge: '200.00', commissionable: 75, value: '150.00' }));
  });

  it('--format json of several snapshots prints an array, an error record in place of a bad one', async () => {
    const r = await cli('evaluate', '--format', 'json', SEED, MULTI);
    expect(r.status).toBe(1);
    const a = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(a.map((o) => o.account)).toEqual(['R-1001', 'Y-1', 'Y-2', 'Y-3']);
    expect(a[2]).toEqual({
      account: 'Y-2',
      error: expect.objectContaining({ message: expect.stringContaining('exponent'), file: MULTI, line: 13, column: 29, path: 'lineItems[0].amount' }),
    });
    expect(a[3]).toMatchObject({ credit: '0.00', tier: { name: 'none' } });
    expect(r.stderr).toContain(`${MULTI}:13:29: lineItems[0].amount: `);
    expect(r.stderr).toContain('4 record(s): 3 evaluated, 1 error(s)');
    noStackTrace(r.stderr);
  });

  it('--format json of one bad snapshot prints its error record alone', async () => {
    const dir = freshDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"schemaVersion":1,"account":"B-1","period":"2026-11","lineItems":[{"service":"web-hosting","amount":"1.00"}]}');
    const r = await cli('evaluate', '--format', 'json', file);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ account: 'B-1', error: { code: 'UNKNOWN_SERVICE', file, line: 1, path: 'lineItems[0].service' } });
    expect(r.stderr).toMatch(new RegExp(`^${file}:1:\\d+: lineItems\\[0\\]\\.service: service "web-hosting" is not in rule set 2026-01`, 'm'));
    noStackTrace(r.stderr);
  });

  it('--format ndjson prints one object per line, errors included', async () => {
    const r = await cli('evaluate', '--format', 'ndjson', 'test/fixtures/portfolio/mixed.ndjson');
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { account?: string; credit?: string; error?: { line: number } });
    expect(lines).toHaveLength(10);
    expect(lines.filter((l) => l.error).map((l) => l.error!.line)).toEqual([3, 4, 5, 7, 8, 10, 11]);
    expect(lines.filter((l) => !l.error).map((l) => [l.account, l.credit])).toEqual([['P-1', '10.00'], ['P-6', '0.00'], ['P-9', '75.00']]);
    expect(r.stderr).toContain('10 record(s): 3 evaluated, 7 error(s)');
    noStackTrace(r.stderr);
  });

  it('an ineligible reseller is explained with its reasons', async () => {
    const r = await cli('evaluate', '--rules-version', '2026-01', 'examples/portfolio.ndjson');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Not eligible: not approved by billing');
    expect(r.stdout).toContain('Warning: account C-50 appears as affiliate and as managed; counted once, as managed');
  });

  it('--rules-file evaluates under a draft outside the rules folder', async () => {
    const dir = freshDir();
    const doc = parse(shippedRulesText(), { schema: 'core' }) as Record<string, unknown>;
    Object.assign(doc, { id: '2099-01', status: 'draft', tiers: [
      { name: 'none', from: '0', creditPercent: '0' }, { name: 'tier-12', from: '50', creditPercent: '12' }] });
    const file = join(dir, '2099-01.yaml');
    writeFileSync(file, stringify(doc));
    const r = await cli('evaluate', '--format', 'json', '--rules-file', file, SEED);
    expect(r.status).toBe(0);
    // 12% of 250.00
    expect(JSON.parse(r.stdout)).toMatchObject({ rules: { id: '2099-01' }, tier: { name: 'tier-12' }, credit: '30.00' });
  });
});

describe('exit statuses', () => {
  it.each([
    ['an unknown --rules-version', ['evaluate', '--rules-version', 'no-such', SEED], /no rule set "no-such"/],
    ['an unknown option', ['evaluate', '--bogus', SEED], /unknown option/],
    ['no files', ['evaluate'], /missing required argument/],
    ['both --rules-version and --rules-file', ['evaluate', '--rules-version', '2026-01', '--rules-file', 'rules/2026-01.yaml', SEED], /not both/],
    ['an unknown --format', ['evaluate', '--format', 'xml', SEED], /xml/],
    ['an unknown command', ['frobnicate'], /unknown command/],
  ])('%s is a usage error: 2', async (_name, args, message) => {
    const r = await cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    noStackTrace(r.stderr);
  });

  it('no usable rule set is 2', () => {
    const r = spawnCli('evaluate', '--rules-dir', freshDir(), SEED);
    expect(r.status).toBe(2);
    noStackTrace(r.stderr);
  });

  it('an invalid snapshot is 1, a good one 0', () => {
    expect(spawnCli('evaluate', MULTI).status).toBe(1);
    expect(spawnCli('evaluate', 'examples/seed-1500.yaml').status).toBe(0);
  });
});

describe('validate', () => {
  it('the shipped rules folder is valid: 0', () => {
    const r = spawnCli('validate');
    expect(r.stderr).not.toMatch(/:\d+:\d+: /);
    expect(r.status).toBe(0);
  });

  it('a broken rules folder: 1, every error as file:line:column: path: message, no stack trace', async () => {
    const dir = freshDir();
    const rules = join(dir, 'rules');
    cpSync('rules', rules, { recursive: true });
    const broken = join(rules, '2099-01.yaml');
    writeFileSync(broken, shippedRulesText()
      .replace('id: "2026-01"', 'id: "2099-01"')
      .replace('status: published', 'status: draft')
      .replace('from: "500", ', 'from: "40",  ')
      .replace('creditPercent: "20"', 'creditPercent: 20')
      .replace('disk-space:                  { name: "Disk space (sold roughly at cost)", commissionable: 0 }',
        'disk-space:                  { name: "Disk space (sold roughly at cost)", commissionable: 0 }\n  disk-space: { name: twice, commissionable: 0 }'));
    const r = await cli('validate', '--rules-dir', rules);
    expect(r.status).toBe(1);
    noStackTrace(r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(broken));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l).toMatch(new RegExp(`^${broken}:\\d+:\\d+: \\S+: \\S.*$`));
    expect(lines.join('\n')).toContain('services.disk-space: duplicate key');

    // once the duplicate key is gone, the other two problems are both listed
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('\n  disk-space: { name: twice, commissionable: 0 }', ''));
    const again = await cli('validate', '--rules-dir', rules);
    expect(again.status).toBe(1);
    const lines2 = again.stderr.split('\n').filter((l) => l.startsWith(broken));
    expect(lines2).toHaveLength(1);
    expect(lines2[0]).toMatch(/:\d+:\d+: tiers\[3\]\.creditPercent: must be a decimal string in quotes: write creditPercent: "20"$/);
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('creditPercent: 20', 'creditPercent: "101"'));
    const third = (await cli('validate', '--rules-dir', rules)).stderr.split('\n').filter((l) => l.startsWith(broken));
    expect(third.map((l) => l.replace(/^.*?:\d+:\d+: (\S+): .*$/, '$1'))).toEqual(['tiers[2].from', 'tiers[3].creditPercent']);
  });
});

describe('evaluate --trace', () => {
  it('json carries every engine condition with its fact value and outcome; text lists them', async () => {
    const plain = JSON.parse((await cli('evaluate', '--format', 'json', 'examples/seed-px2.yaml')).stdout);
    expect(plain.trace).toBeUndefined();
    const traced = JSON.parse((await cli('evaluate', '--format', 'json', '--trace', 'examples/seed-px2.yaml')).stdout);
    const tier = traced.trace.find((t: { rule: string }) => t.rule === 'tier');
    expect(tier.passed).toBe(true);
    // tier basis 300.00 reaches the 0 and 50 thresholds, not 500 or 5000
    expect(tier.conditions.map((c: { value: string; result: boolean }) => `${c.value}:${c.result}`)).toEqual(['0:true', '50:true', '500:false', '5000:false']);
    expect(tier.conditions[0].factValue).toBe('300');
    const el = traced.trace.find((t: { rule: string }) => t.rule === 'eligibility');
    expect(el.conditions.map((c: { name: string; result: boolean }) => `${c.name}:${c.result}`))
      .toEqual(['subClients:true', 'approved:true', 'notRetroactive:true']);
    const text = (await cli('evaluate', '--trace', 'examples/portfolio.ndjson')).stdout;
    expect(text).toContain('✗ periodStart 2026-11-01 onOrAfter approvedOn (2026-11-10)');
  });
});
