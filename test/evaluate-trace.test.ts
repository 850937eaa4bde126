/**
 * The engine's decisions as evaluate reports them in process (the CLI test of
 * --trace runs dist/ in a child, out of the mutation check's reach): the
 * trace of every leaf condition and the eligibility reasons, by hand.
 */
import { describe, expect, it } from 'vitest';
import { ruleSetWith } from './support/rules.js';
import { evaluateText, snapshotText } from './support/snapshots.js';

const leaf = (name: string, fact: string, operator: string, value: string, factValue: string, result: boolean) =>
  ({ name, fact, operator, value, factValue, result });

async function traced(snapshot: object) {
  const { result, errors } = await evaluateText(snapshotText(snapshot, 'json'), ruleSetWith(), {}, { trace: true });
  expect(errors).toEqual([]);
  return result!;
}

describe('evaluate with trace', () => {
  it('250.00 own payments, 2 distinct sub-clients, approved after the period began', async () => {
    const r = await traced({
      schemaVersion: 1, account: 'T-1', period: '2026-02', reseller: { approved: true, approvedOn: '2026-03-01' },
      subClients: ['a', 'B', ' b ', ''], lineItems: [{ service: 'hipaa-fee', amount: '250.00' }],
    });
    // tiers from 0, 50, 500, 5000: 250 reaches the first two → tier-10
    // sub-clients: a, b (B and " b " are b; the blank does not count) → 2 < 3
    // approved, but 2026-02-01 is before 2026-03-01 and credits are not retroactive
    expect(r.tier).toEqual({ name: 'tier-10', from: '50', creditPercent: '10' });
    expect(r.eligibility).toEqual({
      eligible: false, distinctSubClients: 2,
      reasons: [
        'needs at least 3 distinct sub-clients, has 2',
        'approved on 2026-03-01, after this period began (2026-02-01); no retroactive credits: credits start with the first period beginning on or after approval',
      ],
    });
    expect({ creditPercent: r.creditPercent, credit: r.credit, due: r.statement.amountDue }).toEqual({ creditPercent: '0', credit: '0.00', due: '250.00' });
    expect(r.trace).toEqual([
      { rule: 'tier', passed: true, conditions: [
        leaf('tier 0', 'tierBasis', 'decimalAtLeast', '0', '250', true),
        leaf('tier 1', 'tierBasis', 'decimalAtLeast', '50', '250', true),
        leaf('tier 2', 'tierBasis', 'decimalAtLeast', '500', '250', false),
        leaf('tier 3', 'tierBasis', 'decimalAtLeast', '5000', '250', false),
      ] },
      { rule: 'eligibility', passed: false, conditions: [
        leaf('subClients', 'distinctSubClients', 'countAtLeast', '3', '2', false),
        leaf('approved', 'approved', 'is', 'true', 'true', true),
        leaf('notRetroactive', 'periodStart', 'onOrAfter', 'approvedOn (2026-03-01)', '2026-02-01', false),
      ] },
    ]);
  });

  it('not approved: one reason only, and the approval date shows as none', async () => {
    const r = await traced({
      schemaVersion: 1, account: 'T-2', period: '2026-06', reseller: { approved: false },
      subClients: ['a', 'b', 'c'], lineItems: [{ service: 'hipaa-fee', amount: '5000.00' }],
    });
    expect(r.tier.name).toBe('tier-20'); // 5000 reaches the last threshold exactly
    expect(r.eligibility).toEqual({ eligible: false, distinctSubClients: 3, reasons: ['not approved by billing'] });
    const el = r.trace!.find((t) => t.rule === 'eligibility')!;
    expect(el.conditions.map((c) => [c.name, c.value, c.factValue, c.result])).toEqual([
      ['subClients', '3', '3', true],
      ['approved', 'true', 'false', false],
      ['notRetroactive', 'approvedOn (none)', '2026-06-01', false],
    ]);
  });

  it('eligible from the first period on or after approval: 15% of 600.25 rounded half-up', async () => {
    const r = await traced({
      schemaVersion: 1, account: 'T-3', period: '2026-03', reseller: { approved: true, approvedOn: '2026-03-01' },
      subClients: ['a', 'b', 'c'], lineItems: [{ service: 'hipaa-fee', amount: '600.25' }],
    });
    // 0.15 × 600.25 = 90.0375 → 90.04; 600.25 − 90.04 = 510.21
    expect({ tier: r.tier.name, eligible: r.eligibility.eligible, credit: r.credit, due: r.statement.amountDue })
      .toEqual({ tier: 'tier-15', eligible: true, credit: '90.04', due: '510.21' });
    expect(r.trace!.every((t) => t.passed)).toBe(true);
  });
});

describe('evaluate without trace', () => {
  it('has no trace key at all (evaluate --format json prints none), with the same decisions', async () => {
    const snapshot = {
      schemaVersion: 1, account: 'T-4', period: '2026-03', reseller: { approved: true, approvedOn: '2026-03-01' },
      subClients: ['a', 'b', 'c'], lineItems: [{ service: 'hipaa-fee', amount: '600.25' }],
    };
    const { result } = await evaluateText(snapshotText(snapshot, 'json'), ruleSetWith());
    expect(result).toBeDefined();
    expect(Object.hasOwn(result!, 'trace')).toBe(false);
    const withTrace = await traced(snapshot);
    const { trace: _t, ...rest } = withTrace;
    expect(rest).toEqual(result);
  });
});
