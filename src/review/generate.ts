/**
 * Generated snapshots for the review's checks: fast-check arbitraries that
 * aim at the places where rule sets differ — amounts at every threshold of
 * both versions and one rounding unit either side, sub-client counts around
 * both minimums, approval dates around the period start — plus random cents.
 * Each is a plain snapshot document, validated by the product's own parser.
 */
import fc from 'fast-check';
import { Dec } from '../money/decimal.js';
import type { RuleSet } from '../model/types.js';
import { resolveLimits } from '../limits.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import type { LocatedSnapshot } from '../validate/snapshot-checks.js';

/** The plain document of a generated snapshot (what a counterexample shows). */
export type SnapshotDoc = Record<string, unknown>;

/** One rounding unit of a rule set: 0.01 for scale 2. */
export function unitOf(rs: RuleSet): Dec {
  return new Dec(1).div(new Dec(10).pow(rs.rounding.scale));
}

/** The amounts worth trying: each threshold of each rule set, a unit and half a unit either side. */
function interestingAmounts(sets: readonly RuleSet[]): string[] {
  const out = new Set<string>(['0.00', '0.01', '0.05', '109.9999']);
  for (const rs of sets) {
    const u = unitOf(rs);
    for (const t of rs.tiers) {
      for (const d of [t.from, t.from.minus(u), t.from.plus(u), t.from.minus(u.div(2)), t.from.plus(u.div(2))]) {
        if (d.gte(0) && d.decimalPlaces() <= 6) out.add(d.toFixed());
      }
    }
  }
  return [...out].sort();
}

/** The day before `iso` (YYYY-MM-DD), in UTC. */
export function dayBefore(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function dayAfter(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Snapshot documents billing only services every one of `sets` knows (so
 * that none is rejected for an unknown service) unless `services` says
 * otherwise, for the period starting on `periodStart`'s month.
 */
export function snapshotArbitrary(sets: readonly RuleSet[], services: readonly string[], period: string): fc.Arbitrary<SnapshotDoc> {
  const amounts = interestingAmounts(sets);
  const cents = fc.integer({ min: 0, max: 1_200_000 }).map((c) => new Dec(c).div(100).toFixed(2));
  const amount = fc.oneof({ arbitrary: fc.constantFrom(...amounts), weight: 2 }, { arbitrary: cents, weight: 1 });
  const svc = services.length ? fc.constantFrom(...services) : fc.constant('no-service');
  const line = fc.oneof(
    fc.record({ service: svc, amount }),
    fc.record({ service: svc, quantity: fc.integer({ min: 0, max: 20 }), unitPrice: cents.map((c) => new Dec(c).div(10).toFixed(2)) }),
  );
  const mins = sets.map((r) => r.eligibility.minDistinctSubClients);
  const maxSubs = Math.max(...mins, 3) + 1;
  const start = `${period}-01`;
  const account = (id: string) => fc.record({ account: fc.constant(id), lineItems: fc.array(line, { maxLength: 2 }) });
  return fc.record({
    schemaVersion: fc.constant(1),
    account: fc.constant('GEN-1'),
    period: fc.constant(period),
    reseller: fc.oneof(
      { arbitrary: fc.constantFrom(dayBefore(start), start, dayAfter(start)).map((approvedOn) => ({ approved: true, approvedOn })), weight: 3 },
      { arbitrary: fc.constant({ approved: false }), weight: 1 }),
    subClients: fc.integer({ min: 0, max: maxSubs }).map((n) => Array.from({ length: n }, (_, i) => `client-${i + 1}.example`)),
    lineItems: fc.oneof(fc.array(line, { minLength: 1, maxLength: 1 }), fc.array(line, { maxLength: 4 })),
    managedAccounts: fc.array(account('GEN-1-M'), { maxLength: 1 }),
    linkedAffiliate: fc.oneof(
      fc.record({ account: fc.constant('GEN-AF'), referredAccounts: fc.array(account('GEN-C'), { maxLength: 1 }) }),
      fc.tuple(amount, amount).map(([a, b]) => {
        const [value, payments] = new Dec(a).lte(b) ? [a, b] : [b, a];
        return { account: 'GEN-AF', totals: { payments, value } };
      })),
  }, { requiredKeys: ['schemaVersion', 'account', 'period', 'reseller', 'subClients', 'lineItems'] });
}

const LIMITS = resolveLimits();

/** A generated document as the product reads it (throws `RcErrors` like any snapshot). */
export function toLocated(doc: SnapshotDoc): LocatedSnapshot {
  return parseSnapshotRecord({ seq: 0, file: '<generated snapshot>', line: 1, column: 1, text: JSON.stringify(doc), format: 'json' }, LIMITS);
}

/** The billing month a rule set's window starts in (YYYY-MM). */
export function firstPeriod(rs: RuleSet): string {
  return rs.effective.from.slice(0, 7);
}
