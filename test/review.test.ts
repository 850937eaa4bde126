/**
 * The review's parts against hand-computed tables: checks, cliffs and the
 * region of fixture rule files (test/fixtures/review/) against the shipped
 * 2026-01, and the region claim as a property that can fail.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../src/compose/ruleset-loader.js';
import { loadRules } from '../src/compose/rules-dir.js';
import type { RuleSet } from '../src/model/types.js';
import { diffRuleSets } from '../src/diff/diff.js';
import { checkBounded, checkMonotone, checkServicesKept, checkWindow } from '../src/review/checks.js';
import { findCliffs } from '../src/review/cliffs.js';
import { checkRegion, deriveRegion, type Region } from '../src/review/region.js';
import { defaultBaseline } from '../src/review/baseline.js';
import { toLocated } from '../src/review/generate.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import { ruleSetWith } from './support/rules.js';

const repo = loadRules('rules');
const base = repo.ruleSets.find((r) => r.id === '2026-01')!;
const draft = repo.ruleSets.find((r) => r.id === '2027-01')!;
const published = repo.ruleSets.filter((r) => r.status === 'published');
const fixture = (name: string): RuleSet => loadRuleSet(`test/fixtures/review/${name}.yaml`);
const GEN = { seed: 20260110, runs: 300 };

describe('checks', () => {
  it('monotone: passes when percentages rise, fails at the first tier that falls, naming both bases', () => {
    expect(checkMonotone(base).passed).toBe(true);
    const c = checkMonotone(fixture('percent-falls'));
    expect(c.passed).toBe(false);
    // tier-20 starts at $5000 with 12%; one cent below, $4999.99 is tier-15 at 15%
    expect(c.counterexample?.tierBasis).toBe('5000');
    expect(c.counterexample?.text).toContain('a tier basis of $5,000.00 gets 12% (tier-20) but $4,999.99 gets 15% (tier-15)');
  });

  it('bounded: holds on the shipped rules and the example draft', async () => {
    for (const rs of [base, draft, fixture('rounding-change'), fixture('whole-dollars')]) {
      const c = await checkBounded(rs, GEN);
      expect(c.passed, `${rs.id}: ${c.summary}`).toBe(true);
      expect(c.generated).toEqual({ seed: GEN.seed, runs: GEN.runs });
    }
  });

  it('bounded: a credit base counting affiliate value may exceed the charges only when the rule set says so', async () => {
    const allowed = fixture('affiliate-base');
    const gen = { seed: 20260110, runs: 400 };
    const ok = await checkBounded(allowed, gen);
    expect(ok.passed, ok.summary).toBe(true);
    expect(ok.title).toContain('credit above the charges allowed');
    // the same rules without the opt-in (as a version locked before SPEC §3's rule would be): the check fails
    const { allowCreditAboveCharges: _, ...refused } = allowed;
    const c = await checkBounded(refused, gen);
    expect(c.passed).toBe(false);
    const snap = c.counterexample!.snapshot!;
    // recompute the counterexample independently of the check: evaluate it and compare by hand
    const r = await evaluate(toLocated(snap).snapshot, refused);
    const D = (x: string) => new Decimal(x);
    expect(D(r.credit).gt(r.statement.charges)).toBe(true);
    expect(D(r.statement.amountDue).lt(0)).toBe(true);
    expect(c.summary).toMatch(/^credit \$[\d,.]+ exceeds the charges \$[\d,.]+: the amount due would be negative \(the rule set does not say allowCreditAboveCharges: true\)$/);
  });

  it('bounded: half-even and down with sub-cent charges pass (SPEC §10: amount due = charges − credit, rounded)', async () => {
    for (const mode of ['half-even', 'down'] as const) {
      const rs = ruleSetWith({ rounding: { scale: 2, mode } });
      const c = await checkBounded(rs, GEN);
      expect(c.passed, `${mode}: ${c.summary}`).toBe(true);
    }
    // the case: charges $532.535, credit 12.5% of $532.535: credit + amount due is a cent short of the
    // rounded charges, and that is correct arithmetic
    const rs = ruleSetWith({ rounding: { scale: 2, mode: 'half-even' }, tiers: [
      { name: 'none', from: '0', creditPercent: '0' }, { name: 'tier-12.5', from: '50', creditPercent: '12.5' }] });
    const snap = { schemaVersion: 1, account: 'H-1', period: '2026-11', reseller: { approved: true, approvedOn: '2026-01-01' },
      subClients: ['a.example', 'b.example', 'c.example'], lineItems: [{ service: 'base-account-fee', amount: '532.535' }] };
    const r = await evaluate(toLocated(snap as never).snapshot, rs);
    const D = (x: string) => new Decimal(x);
    expect(r.credit).toBe('66.57');
    expect(r.statement.amountDue).toBe('465.96');
    expect(D(r.credit).plus(r.statement.amountDue).toFixed(2)).toBe('532.53');
    expect(D(r.statement.charges).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2)).toBe('532.54');
  });

  it('services kept: names a removed service', () => {
    expect(checkServicesKept(base, draft).passed).toBe(true);
    const c = checkServicesKept(base, fixture('service-removed'));
    expect(c.passed).toBe(false);
    expect(c.summary).toBe('removed: disk-space "Disk space (sold roughly at cost)"');
  });

  it('window: the example draft starts where 2026-01 ends; a gap and an overlap fail naming the dates', () => {
    expect(checkWindow(base, draft, published).passed).toBe(true);
    const gap = checkWindow(base, fixture('window-gap'), published);
    expect(gap.passed).toBe(false);
    expect(gap.summary).toContain('gap: 2026-01 ends before 2027-01-01 but window-gap starts on 2027-02-01');
    const early = ruleSetWith({ id: '2026-01', status: 'draft', effective: { from: '2026-12-01', until: '2028-01-01' } });
    const overlap = checkWindow(base, { ...early, id: 'early' }, published);
    expect(overlap.passed).toBe(false);
    expect(overlap.summary).toContain('overlap: early starts on 2026-12-01 but 2026-01 runs until 2027-01-01');
  });

  it('default baseline: in force the day before, else the latest that ended before (so a gap is named), else none', () => {
    expect(defaultBaseline(repo, draft)?.id).toBe('2026-01');
    expect(defaultBaseline(repo, fixture('window-gap'))?.id).toBe('2026-01');
    const first = { ...ruleSetWith({ status: 'draft', effective: { from: '2025-01-01', until: '2026-01-01' } }), id: 'older' };
    expect(defaultBaseline(repo, first)).toBeUndefined();
  });
});

describe('cliffs (exact, on the rounding grid)', () => {
  const table = (rs: RuleSet) => {
    const c = findCliffs(rs);
    if (!c.applicable) return c.reason;
    return c.cliffs.map((k) => [k.threshold, `${k.percentBelow}->${k.percentAt}`, k.dueAtThreshold, k.band?.from, k.band?.to, k.worst?.overpays]);
  };

  it('2026-01, half-up to cents: SPEC §10 example at $500 is $472.23 to $499.99', () => {
    // $50: due 50 - 5.00 = 45.00; below it 0% applies, so every basis above $45.00 pays more.
    // $500: due 500 - 75.00 = 425.00; x - round(0.1x) > 425 first at 472.23 (472.23 - 47.22 = 425.01);
    //       worst 499.99 - 50.00 = 449.99, 24.99 more.
    // $5000: due 5000 - 1000 = 4000; x - round(0.15x) > 4000 first at 4705.89 (4705.89 - 705.88 = 4000.01).
    expect(table(base)).toEqual([
      ['50', '0->10', '45.00', '45.01', '49.99', '4.99'],
      ['500', '10->15', '425.00', '472.23', '499.99', '24.99'],
      ['5000', '15->20', '4000.00', '4705.89', '4999.99', '249.99'],
    ]);
  });

  it('2027-01 (15% from $400): 340.00 due at $400, bases $377.79 to $399.99 pay more', () => {
    // 377.78 - round(37.778) = 340.00 (not more); 377.79 - 37.78 = 340.01
    expect(table(draft)[1]).toEqual(['400', '10->15', '340.00', '377.79', '399.99', '19.99']);
  });

  it('rounding down: the same bands here; whole dollars: the grid is $1', () => {
    // down: 472.23 - 47.22 = 425.01 > 425; 472.22 - 47.22 = 425.00; worst 499.99 - 49.99 (49.999 down) = 450.00, 25.00 more
    expect(table(fixture('rounding-change'))[1]).toEqual(['500', '10->15', '425.00', '472.23', '499.99', '25.00']);
    // scale 0: due 425; 472 - round(47.2) = 425; 473 - round(47.3) = 426 > 425; 499 - round(49.9) = 449
    expect(table(fixture('whole-dollars'))[1]).toEqual(['500', '10->15', '425', '473', '499', '24']);
  });

  it('a falling percentage has no cliff there; bases without an own term make cliffs not applicable', () => {
    expect(table(fixture('percent-falls')).map((r) => r[0])).toEqual(['50', '500']);
    expect(table(fixture('no-own-base'))).toContain('not applicable');
  });
});

describe('where results can differ', () => {
  const region = (rs: RuleSet) => deriveRegion(diffRuleSets(base, rs), base, rs);
  it('is derived from the diff, for each kind of change', () => {
    expect(region(draft).text).toBe('only for accounts with a tier basis from $400.00 to $499.99 (under $500.00), or with a line, in any source, of Training calls and classes (training)');
    expect(region(fixture('threshold-move')).parts).toEqual([expect.objectContaining({ kind: 'tier-band', from: '450', until: '500',
      before: { tier: 'tier-10', creditPercent: '10' }, after: { tier: 'tier-15', creditPercent: '15' } })]);
    expect(region(fixture('reclassify')).parts).toEqual([expect.objectContaining({ kind: 'services', services: ['px2-dedicated-server'] })]);
    expect(region(fixture('percent-falls')).parts).toEqual([expect.objectContaining({ kind: 'tier-band', from: '5000', text: 'a tier basis of $5,000.00 or more' })]);
    expect(region(fixture('service-removed')).parts).toEqual([expect.objectContaining({ kind: 'services', services: ['disk-space'] })]);
    expect(region(fixture('eligibility-change')).parts.map((p) => [p.kind, p.text])).toEqual([
      ['sub-clients', '3 to 4 distinct sub-clients'], ['unapproved', 'no approval by billing'], ['approved-after-period-start', 'an approval date after the period began']]);
    for (const n of ['changed-base', 'rounding-change', 'whole-dollars', 'no-own-base']) expect(region(fixture(n)).everything, n).toBe(true);
    const gap = region(fixture('window-gap'));
    expect([gap.everything, gap.parts.length]).toEqual([false, 0]);
  });

  it('holds: no generated snapshot outside the region differs (the property, for every fixture)', async () => {
    for (const n of ['threshold-move', 'reclassify', 'percent-falls', 'eligibility-change', 'window-gap', 'service-removed']) {
      const rs = fixture(n);
      const rc = await checkRegion(region(rs), base, rs, [], GEN);
      expect(rc.check.passed, `${n}: ${rc.check.summary}`).toBe(true);
      expect(rc.generatedOutside, n).toBeGreaterThan(0);
    }
  });

  it('fails naming the portfolio account that differs outside a too-small region, and tells parts that differ from parts only possible', async () => {
    const rs = fixture('threshold-move');
    const sample = async (account: string, amount: string) => {
      const s = toLocated({ schemaVersion: 1, account, period: '2027-01', reseller: { approved: true, approvedOn: '2026-01-01' },
        subClients: ['a.example', 'b.example', 'c.example'], lineItems: [{ service: 'base-account-fee', amount }] }).snapshot;
      return { account, period: '2027-01', snapshot: s, sides: { baseline: await evaluate(s, base), candidate: await evaluate(s, rs) } };
    };
    // $460.00: tier-10 10% → tier-15 15% (credit $46.00 → $69.00); $300.00 is the same under both
    const samples = [await sample('A-300', '300.00'), await sample('A-460', '460.00')];
    const full = await checkRegion(region(rs), base, rs, samples, GEN);
    expect(full.check.passed).toBe(true);
    expect(full.parts).toEqual([{ inPart: 1, differ: 1 }]);
    expect(full.portfolio).toEqual({ accounts: 2, outside: 1, differ: 1 });
    const none = await checkRegion(region(rs), base, rs, [samples[0]!], GEN);
    expect(none.parts).toEqual([{ inPart: 0, differ: 0 }]); // possible only
    const small = await checkRegion({ ...region(rs), parts: [] }, base, rs, samples, GEN);
    expect(small.check.passed).toBe(false);
    expect(small.check.summary).toBe('A-460 (2027-01) lies outside the region but differs: tier tier-10 10% → tier-15 15%, percentage applied 10% → 15%, credit $46.00 → $69.00');
  });

  it('fails with a snapshot when the region is too small', async () => {
    const cases: [string, (r: Region) => Region][] = [
      ['threshold-move', (r) => ({ ...r, parts: [] })],
      ['reclassify', (r) => ({ ...r, parts: [] })],
      ['eligibility-change', (r) => ({ ...r, parts: r.parts.filter((p) => p.kind !== 'sub-clients') })],
    ];
    for (const [n, shrink] of cases) {
      const rs = fixture(n);
      const rc = await checkRegion(shrink(region(rs)), base, rs, [], { seed: 7, runs: 400 });
      expect(rc.check.passed, n).toBe(false);
      const doc = rc.check.counterexample!.snapshot!;
      // the counterexample really differs: evaluated here under both, independently of the check
      const s = toLocated(doc).snapshot;
      const [b, c] = [await evaluate(s, base), await evaluate(s, rs)];
      expect([b.tier.name, b.creditPercent, b.credit], n).not.toEqual([c.tier.name, c.creditPercent, c.credit]);
    }
  });
});
