/**
 * Invariants of the evaluation (fast-check), over random snapshots of cent
 * amounts under the shipped rule set and its rounding variants. Expectations
 * are computed with decimal.js from the result's own exact figures, never
 * with floats.
 */
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { ruleSetWith } from './support/rules.js';
import { evaluateText, snapshotText } from './support/snapshots.js';
import type { EvaluationResult, RuleSet } from '../src/model/types.js';

const MODES = ['half-up', 'half-even', 'down'] as const;
const rules: Record<(typeof MODES)[number], RuleSet> = {
  'half-up': ruleSetWith({ rounding: { scale: 2, mode: 'half-up' } }),
  'half-even': ruleSetWith({ rounding: { scale: 2, mode: 'half-even' } }),
  down: ruleSetWith({ rounding: { scale: 2, mode: 'down' } }),
};
const SERVICES = [...rules['half-up'].services.keys()];

/** A money string of whole cents, from 0.00 to 20,000.00; sometimes written as a JSON number. */
const cents = (max = 2_000_000) => fc.integer({ min: 0, max }).map((c) => (c / 100).toFixed(2));
const money = (max?: number) => fc.tuple(cents(max), fc.boolean()).map(([s, asNumber]) => (asNumber ? Number(s) : s));
const lineItem = fc.oneof(
  fc.record({ service: fc.constantFrom(...SERVICES), amount: money() }),
  fc.record({ service: fc.constantFrom(...SERVICES), quantity: fc.integer({ min: 0, max: 50 }), unitPrice: money(100_000) }),
);
const account = (id: string) => fc.record({ account: fc.constant(id), lineItems: fc.array(lineItem, { maxLength: 4 }) });
const snapshot = fc.record({
  schemaVersion: fc.constant(1),
  account: fc.constant('Q-1'),
  period: fc.constantFrom('2026-01', '2026-11', '2026-12'),
  reseller: fc.oneof(
    fc.record({ approved: fc.constant(true), approvedOn: fc.constantFrom('2025-12-31', '2026-01-01', '2026-11-01', '2026-11-02') }),
    fc.constant({ approved: false })),
  subClients: fc.array(fc.constantFrom('a.example', 'B.example', ' b.example', 'c.example', 'd.example'), { maxLength: 5 }),
  lineItems: fc.array(lineItem, { maxLength: 6 }),
  managedAccounts: fc.array(fc.constantFrom('M-1', 'M-2', 'Q-1').chain(account), { maxLength: 2 }),
  linkedAffiliate: fc.oneof(
    fc.record({ account: fc.constant('AF-1'), referredAccounts: fc.array(fc.constantFrom('C-1', 'M-1').chain(account), { maxLength: 2 }) }),
    fc.tuple(cents(), cents()).map(([a, b]) => {
      const [value, payments] = [a, b].sort((x, y) => new Decimal(x).cmp(y));
      return { account: 'AF-1', totals: { payments, value } };
    })),
}, { requiredKeys: ['schemaVersion', 'account', 'period', 'lineItems'] });

async function evaluated(snap: unknown, rs: RuleSet, format: 'json' | 'yaml' = 'json'): Promise<EvaluationResult> {
  const { result, errors } = await evaluateText(snapshotText(snap, format), rs);
  expect(errors).toEqual([]);
  return result!;
}

const D = (s: string) => new Decimal(s);
const RUNS = { numRuns: 150 };

describe('evaluation invariants', () => {
  it('credit ≤ credit base × the highest tier percentage / 100 (plus at most half a cent of rounding)', async () => {
    const top = Decimal.max(...rules['half-up'].tiers.map((t) => D(t.creditPercent.toFixed())));
    await fc.assert(fc.asyncProperty(snapshot, fc.constantFrom(...MODES), async (snap, mode) => {
      const r = await evaluated(snap, rules[mode]);
      const ceiling = D(r.creditBase).times(top).div(100);
      expect(D(r.credit).gte(0)).toBe(true);
      expect(D(r.credit).minus(ceiling).lte(mode === 'down' ? 0 : '0.005'), `${r.credit} vs ${ceiling}`).toBe(true);
      // and exactly the applied percentage of the base, rounded once
      const exact = D(r.creditBase).times(r.creditPercent).div(100);
      const rm = { 'half-up': Decimal.ROUND_HALF_UP, 'half-even': Decimal.ROUND_HALF_EVEN, down: Decimal.ROUND_DOWN }[mode];
      expect(r.credit).toBe(exact.toDecimalPlaces(2, rm).toFixed(2));
    }), RUNS);
  });

  it('raising the tier basis never lowers the tier', async () => {
    const index = (r: EvaluationResult) => rules['half-up'].tiers.findIndex((t) => t.name === r.tier.name);
    await fc.assert(fc.asyncProperty(snapshot, fc.array(lineItem, { minLength: 1, maxLength: 3 }), async (snap, more) => {
      const before = await evaluated(snap, rules['half-up']);
      const after = await evaluated({ ...snap, lineItems: [...snap.lineItems, ...more] }, rules['half-up']);
      expect(D(after.tierBasis).gte(before.tierBasis)).toBe(true);
      expect(index(after)).toBeGreaterThanOrEqual(index(before));
      expect(D(after.tier.creditPercent).gte(before.tier.creditPercent)).toBe(true);
      // the tier is the highest whose threshold the exact basis reaches
      const tiers = rules['half-up'].tiers;
      const i = index(after);
      expect(D(after.tierBasis).gte(tiers[i]!.from.toFixed())).toBe(true);
      if (i + 1 < tiers.length) expect(D(after.tierBasis).lt(tiers[i + 1]!.from.toFixed())).toBe(true);
    }), RUNS);
  });

  it('the same snapshot as YAML and as JSON gives the same result', async () => {
    await fc.assert(fc.asyncProperty(snapshot, async (snap) => {
      expect(await evaluated(snap, rules['half-up'], 'yaml')).toEqual(await evaluated(snap, rules['half-up'], 'json'));
    }), RUNS);
  });

  it('amounts as JSON numbers or as decimal strings give the same result', async () => {
    const asStrings = (v: unknown): unknown => (typeof v === 'number' && !Number.isInteger(v) ? String(v)
      : Array.isArray(v) ? v.map(asStrings)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asStrings(x)])) : v);
    await fc.assert(fc.asyncProperty(snapshot, async (snap) => {
      expect(await evaluated(asStrings(snap), rules['half-up'])).toEqual(await evaluated(snap, rules['half-up']));
    }), RUNS);
  });

  it('credit + amount due = charges, at scale 2, in every rounding mode', async () => {
    await fc.assert(fc.asyncProperty(snapshot, fc.constantFrom(...MODES), async (snap, mode) => {
      const r = await evaluated(snap, rules[mode]);
      expect(D(r.statement.credit).plus(r.statement.amountDue).toFixed(2)).toBe(D(r.statement.charges).toFixed(2));
      expect(r.statement.credit).toBe(r.credit);
      expect(r.statement.charges).toBe(D(r.monthlyPayments.own).plus(r.monthlyPayments.managed).toFixed(2));
    }), RUNS);
  });

  it('totals are the sums of their parts, and value never exceeds payments', async () => {
    await fc.assert(fc.asyncProperty(snapshot, async (snap) => {
      const r = await evaluated(snap, rules['half-up']);
      for (const t of [r.monthlyPayments, r.monthlyValue]) {
        expect(D(t.own).plus(t.managed).plus(t.affiliate).eq(t.total)).toBe(true);
      }
      for (const s of ['own', 'managed', 'affiliate'] as const) {
        expect(D(r.monthlyValue[s]).lte(r.monthlyPayments[s])).toBe(true);
      }
      const lineSum = (src: string, f: 'charge' | 'value') => r.lines.filter((l) => l.source === src)
        .reduce((s, l) => s.plus(l[f]), new Decimal(0));
      expect(lineSum('own', 'charge').eq(r.monthlyPayments.own)).toBe(true);
      expect(lineSum('managed', 'value').eq(r.monthlyValue.managed)).toBe(true);
      expect(D(r.tierBasis).eq(D(r.monthlyPayments.own).plus(r.monthlyPayments.managed).plus(r.monthlyValue.affiliate))).toBe(true);
      expect(D(r.creditBase).eq(D(r.monthlyValue.own).plus(r.monthlyValue.managed))).toBe(true);
      if (!r.eligibility.eligible) expect([r.creditPercent, r.credit]).toEqual(['0', '0.00']);
    }), RUNS);
  });
});
