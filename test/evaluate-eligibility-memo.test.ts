/**
 * The eligibility memo (issue 11): per compiled rule set, keyed on the exact
 * facts the eligibility rule reads. A hit gives what a fresh engine run gives,
 * trace included; the memo of one rule set is never consulted for another;
 * the engine still decides (a rule file whose eligibility changes changes the
 * answer). Expectations are written out by hand from SPEC §1.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, ELIGIBILITY_MEMO_MAX, eligibilityKey, type Facts } from '../src/compile/compile.js';
import { compiled, evaluate } from '../src/evaluate/evaluate.js';
import { compareSnapshot } from '../src/whatif/compare.js';
import { ruleSetWith } from './support/rules.js';
import { readSnapshot, snapshotText } from './support/snapshots.js';

const leaf = (name: string, fact: string, operator: string, value: string, factValue: string, result: boolean) =>
  ({ name, fact, operator, value, factValue, result });

/** A snapshot of `amount` own payments with the given sub-clients and approval. */
function snap(account: string, amount: string, subClients: string[], reseller: object, period = '2026-04') {
  const s = readSnapshot(snapshotText({
    schemaVersion: 1, account, period, reseller, subClients, lineItems: [{ service: 'hipaa-fee', amount }],
  }, 'json'));
  return s;
}

/** Counts the eligibility engine's runs of a compiled rule set. */
function countRuns(c: ReturnType<typeof compileRuleSet>): { runs: number } {
  const n = { runs: 0 };
  const run = c.eligibility.run.bind(c.eligibility);
  c.eligibility.run = (f) => { n.runs++; return run(f); };
  return n;
}

describe('eligibility memo', () => {
  it('a hit gives the same result and trace as a miss, with the record\'s own facts', async () => {
    const c = compileRuleSet(ruleSetWith());
    const n = countRuns(c);
    const approval = { approved: true, approvedOn: '2026-05-10' };
    // same eligibility facts (2 distinct sub-clients, approved 2026-05-10, period 2026-04), different amounts
    const a = snap('M-1', '40.00', ['a', 'b'], approval);
    const b = snap('M-2', '7000.00', ['x', 'Y', ' y '], approval);
    const ra = await evaluate(a.snapshot, c, a.doc, { trace: true });
    const rb = await evaluate(b.snapshot, c, b.doc, { trace: true });
    expect(n.runs).toBe(1); // the second record's eligibility came from the memo
    const eligibilityTrace = { rule: 'eligibility', passed: false, conditions: [
      leaf('subClients', 'distinctSubClients', 'countAtLeast', '3', '2', false),
      leaf('approved', 'approved', 'is', 'true', 'true', true),
      leaf('notRetroactive', 'periodStart', 'onOrAfter', 'approvedOn (2026-05-10)', '2026-04-01', false),
    ] };
    const reasons = [
      'needs at least 3 distinct sub-clients, has 2',
      'approved on 2026-05-10, after this period began (2026-04-01); no retroactive credits: credits start with the first period beginning on or after approval',
    ];
    expect(ra.eligibility).toEqual({ eligible: false, distinctSubClients: 2, reasons });
    expect(rb.eligibility).toEqual({ eligible: false, distinctSubClients: 2, reasons });
    // the tier is each record's own: 40 reaches only 0; 7000 reaches all four thresholds
    expect(ra.trace).toEqual([
      { rule: 'tier', passed: true, conditions: [
        leaf('tier 0', 'tierBasis', 'decimalAtLeast', '0', '40', true),
        leaf('tier 1', 'tierBasis', 'decimalAtLeast', '50', '40', false),
        leaf('tier 2', 'tierBasis', 'decimalAtLeast', '500', '40', false),
        leaf('tier 3', 'tierBasis', 'decimalAtLeast', '5000', '40', false),
      ] },
      eligibilityTrace,
    ]);
    expect(rb.trace).toEqual([
      { rule: 'tier', passed: true, conditions: [
        leaf('tier 0', 'tierBasis', 'decimalAtLeast', '0', '7000', true),
        leaf('tier 1', 'tierBasis', 'decimalAtLeast', '50', '7000', true),
        leaf('tier 2', 'tierBasis', 'decimalAtLeast', '500', '7000', true),
        leaf('tier 3', 'tierBasis', 'decimalAtLeast', '5000', '7000', true),
      ] },
      eligibilityTrace,
    ]);
    expect(rb.tier.name).toBe('tier-20');
    expect(rb.credit).toBe('0.00');
  });

  it('results with the memo on equal results with it off, record for record (trace included)', async () => {
    const rs = ruleSetWith();
    const on = compileRuleSet(rs);
    const off = compileRuleSet(rs);
    const nOff = countRuns(off);
    const cases = [
      snap('E-1', '600.25', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-04-01' }),
      snap('E-2', '49.99', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-04-01' }),
      snap('E-3', '5000.00', ['a', 'b'], { approved: false }),
      snap('E-4', '12.00', ['q', 'r'], { approved: false }),
      snap('E-5', '600.25', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-04-02' }),
      snap('E-6', '600.25', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-04-01' }, '2026-05'),
    ];
    for (let round = 0; round < 2; round++) {
      for (const s of cases) {
        const withMemo = await evaluate(s.snapshot, on, s.doc, { trace: true });
        const without = await evaluate(s.snapshot, off, s.doc, { trace: true, eligibilityMemo: false });
        expect(withMemo).toEqual(without);
      }
    }
    expect(nOff.runs).toBe(12); // off: the engine every time
    // distinct exact tuples: (3, approved, 04-01, 04), (2, not approved, -, 04), (3, approved, 04-02, 04), (3, approved, 04-01, 05)
    expect(on.eligibilityMemo.size).toBe(4);
    // E-1 approved on the first day of its period: eligible, 15% of 600.25 = 90.0375 → 90.04; E-5 a day later: not
    const e1 = await evaluate(cases[0]!.snapshot, on, cases[0]!.doc);
    const e5 = await evaluate(cases[4]!.snapshot, on, cases[4]!.doc);
    expect([e1.eligibility.eligible, e1.credit, e5.eligibility.eligible, e5.credit]).toEqual([true, '90.04', false, '0.00']);
  });

  it('the key is the exact facts, never the outcome of comparing them', () => {
    const f = (over: Partial<Facts>): Facts =>
      ({ tierBasis: undefined, distinctSubClients: 3, approved: true, approvedOn: '2026-01-01', periodStart: '2026-04-01', ...over });
    // both approval dates are before the period start (same comparison outcome) but are different facts
    expect(eligibilityKey(f({ approvedOn: '2026-01-01' }))).not.toBe(eligibilityKey(f({ approvedOn: '2026-02-01' })));
    // 3 and 4 sub-clients both reach a minimum of 3, but are different facts
    expect(eligibilityKey(f({ distinctSubClients: 3 }))).not.toBe(eligibilityKey(f({ distinctSubClients: 4 })));
    expect(eligibilityKey(f({ approved: false, approvedOn: undefined }))).not.toBe(eligibilityKey(f({ approved: true, approvedOn: undefined })));
    expect(eligibilityKey(f({ periodStart: '2026-05-01' }))).not.toBe(eligibilityKey(f({})));
    // the tier basis is not an eligibility fact
    expect(eligibilityKey(f({ tierBasis: 'x' }))).toBe(eligibilityKey(f({ tierBasis: 'y' })));
    // an approval date that looks like the separator cannot collide with a missing one
    expect(eligibilityKey(f({ approvedOn: '-' }))).not.toBe(eligibilityKey(f({ approvedOn: undefined })));
  });

  it('two rule sets in one what-if keep their own memo: the engine of each decides', async () => {
    // same id, different eligibility: 3 vs 5 distinct sub-clients
    const three = ruleSetWith();
    const five = ruleSetWith({ eligibility: { minDistinctSubClients: 5 } });
    const s = snap('W-1', '600.00', ['a', 'b', 'c', 'd'], { approved: true, approvedOn: '2025-01-01' });
    for (let round = 0; round < 3; round++) {
      const ab = await compareSnapshot(s.snapshot, three, five, s.doc);
      const ba = await compareSnapshot(s.snapshot, five, three, s.doc);
      // 4 ≥ 3: 15% of 600.00 = 90.00; 4 < 5: 0.00
      expect(ab).toMatchObject({ baseline: { tier: 'tier-15', credit: '90.00' }, candidate: { tier: 'tier-15', credit: '0.00' }, delta: '-90.00' });
      expect(ba).toMatchObject({ baseline: { credit: '0.00' }, candidate: { credit: '90.00' }, delta: '90.00' });
    }
    const [c3, c5] = [compiled(three), compiled(five)];
    expect(c3.eligibilityMemo).not.toBe(c5.eligibilityMemo);
    expect([...c3.eligibilityMemo.values()].map((r) => r.result)).toEqual([true]);
    expect([...c5.eligibilityMemo.values()].map((r) => r.result)).toEqual([false]);
  });

  it('a rule file whose eligibility condition changes changes the answer (the engine is consulted)', async () => {
    const s = snap('R-1', '600.00', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-06-01' });
    // not retroactive: approved after 2026-04-01 → no credit
    const strict = await evaluate(s.snapshot, ruleSetWith(), s.doc, { trace: true });
    // retroactive: the date condition is gone from the rule → 15% of 600.00
    const retro = await evaluate(s.snapshot, ruleSetWith({ eligibility: { retroactive: true } }), s.doc, { trace: true });
    expect([strict.eligibility.eligible, strict.credit]).toEqual([false, '0.00']);
    expect([retro.eligibility.eligible, retro.credit]).toEqual([true, '90.00']);
    expect(retro.trace![1]!.conditions.map((x) => x.name)).toEqual(['subClients', 'approved']);
    // and again, now that both memos hold this tuple
    expect((await evaluate(s.snapshot, ruleSetWith(), s.doc)).credit).toBe('0.00');
    expect((await evaluate(s.snapshot, ruleSetWith({ eligibility: { retroactive: true } }), s.doc)).credit).toBe('90.00');
  });

  it('a full memo starts afresh and still answers from the engine', async () => {
    const c = compileRuleSet(ruleSetWith());
    const n = countRuns(c);
    for (let i = 0; i < ELIGIBILITY_MEMO_MAX; i++) c.eligibilityMemo.set(`filler ${i}`, undefined as never);
    const s = snap('F-1', '600.00', ['a', 'b', 'c'], { approved: true, approvedOn: '2026-01-01' });
    const r = await evaluate(s.snapshot, c, s.doc);
    expect([n.runs, c.eligibilityMemo.size, r.credit]).toEqual([1, 1, '90.00']);
  });

  it('concurrent evaluations on one compiled rule set never cut each other short', async () => {
    const c = compileRuleSet(ruleSetWith());
    // amount i × 100.00 with 3 sub-clients, approved long before: tier by the thresholds 0/50/500/5000
    const snaps = Array.from({ length: 60 }, (_, i) =>
      snap(`C-${i}`, `${i * 100}.00`, ['a', 'b', 'c'], { approved: true, approvedOn: '2025-01-01' }));
    const results = await Promise.all(snaps.map((s) => evaluate(s.snapshot, c, s.doc, { eligibilityMemo: false })));
    const expected = (amount: number) => amount >= 5000 ? 'tier-20' : amount >= 500 ? 'tier-15' : amount >= 50 ? 'tier-10' : 'none';
    expect(results.map((r) => r.tier.name)).toEqual(snaps.map((_, i) => expected(i * 100)));
    expect(results.every((r) => r.eligibility.eligible)).toBe(true);
  });
});
