import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../src/limits.js';
import { loadRuleSet } from '../src/compose/ruleset-loader.js';
import { createWhatIfWriter, type WhatIfFormat } from '../src/whatif/render.js';
import type { WhatIfRow } from '../src/whatif/compare.js';
import { whatIfPortfolio } from '../src/whatif/run-whatif.js';
import { tempDir } from './support/temp.js';

const dir = tempDir();

// A candidate: tier-15 starts at 400 instead of 500, and disk-space is no longer listed.
function writeCandidate(): string {
  const doc = parseDocument(readFileSync('rules/2026-01.yaml', 'utf8'));
  doc.set('id', 'cand');
  doc.set('status', 'draft');
  doc.setIn(['tiers', 2, 'from'], '400');
  doc.deleteIn(['services', 'disk-space']);
  const file = join(dir, 'cand.yaml');
  writeFileSync(file, String(doc));
  return file;
}

const snap = (account: string, lineItems: object[]) => JSON.stringify({
  schemaVersion: 1, account, period: '2026-11',
  reseller: { approved: true, approvedOn: '2026-01-15' },
  subClients: ['a.example', 'b.example', 'c.example'],
  lineItems,
});

// Hand-computed:
//  A: 450.00 at 100% → baseline tier-10 10% = 45.00; candidate tier-15 15% = 67.50; delta +22.50
//  B: 100.00 → tier-10 both, 10.00; delta 0
//  C: 600.00 → tier-15 both, 90.00; delta 0
//  D: uses disk-space → candidate error (service not listed)
const portfolio = [
  snap('A', [{ service: 'hipaa-fee', amount: '450.00' }]),
  snap('B', [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4.00' }]),
  snap('C', [{ service: 'hipaa-fee', amount: '600.00' }]),
  snap('D', [{ service: 'disk-space', amount: '80.00' }]),
].join('\n');

async function run(format: WhatIfFormat, jobs = 1) {
  const input = join(dir, 'p.ndjson');
  writeFileSync(input, `${portfolio}\n`);
  const candidate = writeCandidate();
  const rows: WhatIfRow[] = [];
  const writer = createWhatIfWriter(format, loadRuleSet('rules/2026-01.yaml'), loadRuleSet(candidate));
  let text = writer.start();
  const tally = await whatIfPortfolio([input], {
    rulesDir: 'rules', baseline: '2026-01', candidate, limits: resolveLimits(), jobs,
    onRow: (r) => { rows.push(r); text += writer.row(r); },
  });
  text += writer.end(tally);
  return { rows, tally, text };
}

describe('whatif', () => {
  it('totals, deltas and the tier migration matrix match the hand computation', async () => {
    const { tally, rows } = await run('json');
    expect(tally.summary()).toEqual({
      accounts: 3, errors: 1,
      baselineCredit: '145.00', candidateCredit: '167.50', delta: '22.50',
      gaining: 1, losing: 0, unchanged: 2,
      tierChanges: { 'tier-10 -> tier-15': 1 },
    });
    expect(rows.map((r) => (r.ok ? `${r.row.account} ${r.row.delta}` : `error ${r.error.account}`)))
      .toEqual(['A 22.50', 'B 0.00', 'C 0.00', 'error D']);
  });

  it('names the side and the service of a candidate error, with its position', async () => {
    const { rows } = await run('json');
    const d = rows[3]!;
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error.error).toMatchObject({ code: 'UNKNOWN_SERVICE', line: 4, path: 'lineItems[0].service' });
    expect(d.error.error.message).toMatch(/^candidate: service "disk-space" is not in rule set cand/);
  });

  it('json follows SPEC §5 and keeps the error record in place', async () => {
    const { text } = await run('json');
    const j = JSON.parse(text);
    expect(j.baseline.id).toBe('2026-01');
    expect(j.candidate.id).toBe('cand');
    expect(j.candidate.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.accounts).toHaveLength(4);
    expect(j.accounts[0]).toEqual({
      account: 'A', period: '2026-11',
      baseline: { tier: 'tier-10', creditPercent: '10', credit: '45.00' },
      candidate: { tier: 'tier-15', creditPercent: '15', credit: '67.50' },
      delta: '22.50',
    });
    expect(j.accounts[3].error.code).toBe('UNKNOWN_SERVICE');
    expect(j.summary.tierChanges).toEqual({ 'tier-10 -> tier-15': 1 });
  });

  it('csv parses back to the same numbers', async () => {
    const { text, tally } = await run('csv');
    const records = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({ account: 'A', baselineCredit: '45.00', candidateCredit: '67.50', delta: '22.50', baselineTier: 'tier-10', candidateTier: 'tier-15' });
    expect(records[3]!.error).toMatch(/disk-space/);
    // the rows add up to the summary
    const sum = (k: string) => records.filter((r) => !r.error).reduce((s, r) => s + Math.round(Number(r[k]) * 100), 0);
    expect(sum('baselineCredit')).toBe(Math.round(Number(tally.summary().baselineCredit) * 100));
    expect(sum('candidateCredit')).toBe(Math.round(Number(tally.summary().candidateCredit) * 100));
  });

  it('text shows the summary, the matrix and the largest mover', async () => {
    const { text } = await run('text');
    expect(text).toContain('$145.00');
    expect(text).toContain('$167.50');
    expect(text).toContain('+$22.50');
    expect(text).toMatch(/tier-10 +│ · +│ 1 +│ 1 +│/); // tier-10 row: one stays, one moves to tier-15
    expect(text).toMatch(/│ A +│ 2026-11 │ tier-10 \$45\.00 +│ tier-15 \$67\.50 │ \+\$22\.50 │/);
  });

  it('gives the same rows with two worker threads', async () => {
    const one = await run('json', 1);
    const two = await run('json', 2);
    expect(two.text).toBe(one.text);
    // and both are right, by the hand computation above
    expect(two.tally.summary()).toMatchObject({ accounts: 3, errors: 1, baselineCredit: '145.00', candidateCredit: '167.50', delta: '22.50' });
    expect(JSON.parse(two.text).accounts.map((a: { account?: string }) => a.account)).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('whatIf (library)', () => {
  it('compares snapshots in memory with the same figures as the command', async () => {
    const { whatIf } = await import('../src/whatif/what-if.js');
    const { parseSnapshotRecord } = await import('../src/compose/snapshot-parse.js');
    const snapshots = portfolio.split('\n').map((text, i) =>
      parseSnapshotRecord({ seq: i, file: 'p.ndjson', line: i + 1, column: 1, text, format: 'json' }, resolveLimits()).snapshot);
    const report = await whatIf(snapshots, loadRuleSet('rules/2026-01.yaml'), loadRuleSet(writeCandidate()));
    expect(report.summary).toMatchObject({ accounts: 3, errors: 1, baselineCredit: '145.00', candidateCredit: '167.50', delta: '22.50' });
    expect(report.accounts[3]).toMatchObject({ account: 'D', error: { code: 'UNKNOWN_SERVICE' } });
  });
});

describe('compareSnapshot makes only the decisions, and shows what evaluate would print', () => {
  it('over generated snapshots under 2026-01 and 2027-01 (different tiers, percentages and rounding), each side equals the evaluated result', async () => {
    const { generatePortfolio } = await import('../bench/generate.js');
    const { parseSnapshotRecord } = await import('../src/compose/snapshot-parse.js');
    const { evaluate } = await import('../src/evaluate/evaluate.js');
    const { compareResults, compareSnapshot } = await import('../src/whatif/compare.js');
    const file = join(dir, 'gen.ndjson');
    await generatePortfolio({ count: 400, seed: 7, bad: 0, out: file });
    const b = loadRuleSet('rules/2026-01.yaml');
    const c = loadRuleSet('rules/2027-01.yaml');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const kinds = new Set<string>();
    for (const [i, text] of lines.entries()) {
      const { snapshot, doc } = parseSnapshotRecord({ seq: i, file, line: i + 1, column: 1, format: 'json', text }, resolveLimits());
      const compared = await compareSnapshot(snapshot, b, c, doc);
      expect(compared).toEqual(compareResults(await evaluate(snapshot, b, doc), await evaluate(snapshot, c, doc)));
      kinds.add(`${compared.baseline.tier}/${compared.candidate.creditPercent}/${compared.delta === '0.00' ? 'same' : 'moved'}`);
    }
    expect(kinds.size).toBeGreaterThan(5); // several tiers, percentages and deltas were compared
  });
});
