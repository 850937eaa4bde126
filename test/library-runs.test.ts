/**
 * The library in a long-lived process (a service, a notebook): each run of
 * `evaluatePortfolio` and `whatIfPortfolio` sees the rules folder and the
 * draft files as they are when it starts, not as an earlier run read them.
 * A publish or an edited draft between two runs changes the second run's
 * credits; nothing in between has to be restarted.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRuleSetFile } from '../src/index.js';
import { resolveLimits } from '../src/limits.js';
import { evaluatePortfolio } from '../src/run/evaluate.js';
import { whatIfPortfolio } from '../src/whatif/run-whatif.js';
import type { WhatIfRow } from '../src/whatif/compare.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-library-runs-');
const SEED = 'examples/seed-px2.yaml'; // Monthly Value $250.00, tier-10: $25.00 under 2026-01
const limits = resolveLimits();

/** A copy of the shipped rules folder (2026-01 and its lock). */
function rulesCopy(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of ['2026-01.yaml', 'rules.lock']) cpSync(join('rules', f), join(dir, f));
  return dir;
}

/** 2026-01 with tier-10 at `percent`, under another id, as text. */
function withTier10(id: string, percent: string): string {
  return readFileSync('rules/2026-01.yaml', 'utf8')
    .replace('id: "2026-01"', `id: "${id}"`)
    .replace('{ name: tier-10, from: "50",   creditPercent: "10" }', `{ name: tier-10, from: "50",   creditPercent: "${percent}" }`);
}

/** The seed snapshot 2,000 times as NDJSON: more than one 256 KiB chunk, so that --jobs 2 runs batches on a worker thread. */
const MANY = join(work, 'seed-2000.ndjson');
// 2000 resellers with the seed's figures (one reseller twice in a period would refuse both: SPEC §4)
const seed = parse(readFileSync(SEED, 'utf8')) as { account: string };
writeFileSync(MANY, Array.from({ length: 2000 }, (_, i) => `${JSON.stringify({ ...seed, account: `${seed.account}-${i}` })}\n`).join(''));

/** The distinct credits of a run over `input`. */
async function credits(rulesDir: string, jobs: number, input: string): Promise<string[]> {
  let out = '';
  const stats: { workers: number }[] = [];
  await evaluatePortfolio([input], { rules: { rulesDir }, format: 'csv', limits, jobs, write: (t) => { out += t; }, onPoolStats: (s) => stats.push(s) });
  const [head, ...rows] = out.trim().split('\n');
  const col = head!.split(',').indexOf('credit');
  if (jobs > 1) expect(stats[0]!.workers).toBeGreaterThan(0);
  return [...new Set(rows.map((r) => r.split(',')[col]!))];
}

describe('a long-lived process sees the rules as they are at each run', () => {
  for (const jobs of [1, 2]) {
    it(`evaluatePortfolio after a publish between two runs (--jobs ${jobs}${jobs > 1 ? ', on worker threads' : ''})`, async () => {
      const rules = rulesCopy(`publish-${jobs}`);
      const input = jobs > 1 ? MANY : SEED;
      expect(await credits(rules, jobs, input)).toEqual(['25.00']);
      // retire 2026-01 (its hash stays locked) and publish 2026-02 with tier-10 at 12%, for the same window
      const text = readFileSync(join(rules, '2026-01.yaml'), 'utf8');
      writeFileSync(join(rules, '2026-01.yaml'), text.replace('status: published', 'status: retired'));
      writeFileSync(join(rules, '2026-02.yaml'), withTier10('2026-02', '12'));
      const lock = JSON.parse(readFileSync(join(rules, 'rules.lock'), 'utf8')) as Record<string, string>;
      lock['2026-02'] = readRuleSetFile(join(rules, '2026-02.yaml')).ruleSet!.sha256;
      writeFileSync(join(rules, 'rules.lock'), JSON.stringify(lock));
      // 12% of $250.00
      expect(await credits(rules, jobs, input)).toEqual(['30.00']);
    });
  }

  it('whatIfPortfolio after the draft file was edited between two runs', async () => {
    const draft = join(work, '2027-09.yaml');
    const run = async () => {
      const rows: WhatIfRow[] = [];
      await whatIfPortfolio([SEED], { rulesDir: 'rules', baseline: '2026-01', candidate: draft, limits, jobs: 1, onRow: (r) => { rows.push(r); } });
      const r = rows[0]!;
      return r.ok ? [r.row.baseline.credit, r.row.candidate.credit, r.row.delta] : r.error;
    };
    writeFileSync(draft, withTier10('2027-09', '12').replace('status: published', 'status: draft'));
    expect(await run()).toEqual(['25.00', '30.00', '5.00']);
    writeFileSync(draft, withTier10('2027-09', '14').replace('status: published', 'status: draft'));
    expect(await run()).toEqual(['25.00', '35.00', '10.00']);
  });
});
