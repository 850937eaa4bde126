/**
 * Cliffs (SPEC §10, information): at each threshold whose percentage is
 * higher than the tier's below it, the band of tier bases below it, on the
 * rounding scale's grid, from which buying up to the threshold lowers the
 * amount due — for an eligible account whose lines are all its own and 100%
 * commissionable. Computed exactly: the amount due is a non-decreasing
 * function of the basis inside one tier, so the band's start is found by a
 * binary search over grid points, each evaluated with the real rounding.
 */
import { Dec, HUNDRED, roundMoney } from '../money/decimal.js';
import type { RuleSet, Tier } from '../model/types.js';
import { unitOf } from './generate.js';

/** One cliff. */
export interface Cliff {
  /** The tier the threshold starts. */
  tier: string;
  threshold: string;
  percentBelow: string;
  percentAt: string;
  /** The amount due with the basis exactly at the threshold (the first grid point at or above it). */
  dueAtThreshold: string;
  /** The band of bases that pay more than `dueAtThreshold`; absent when empty. */
  band?: { from: string; to: string };
  /** The most a basis in the band pays above `dueAtThreshold`, and at which basis. */
  worst?: { basis: string; overpays: string };
}

/** The cliffs of a rule set, or why they do not apply. */
export type CliffReport = { applicable: false; reason: string } | { applicable: true; model: string; cliffs: Cliff[] };

/** How often the bases count the own account (own payments and own value are equal for 100% lines). */
function ownCount(terms: RuleSet['tierBasis']): number {
  return terms.filter((t) => t.source === 'own').length;
}

/** The cliffs of `rs`. */
export function findCliffs(rs: RuleSet): CliffReport {
  const kt = ownCount(rs.tierBasis);
  const kc = ownCount(rs.creditBase);
  if (!kt || !kc) {
    return { applicable: false, reason: `not applicable: the ${!kt ? 'tier basis' : 'credit base'} has no own term, so buying more on the own account cannot move both` };
  }
  const u = unitOf(rs);
  const { scale, mode } = rs.rounding;
  // x: the own account's payments (= value), a grid point; the tier basis is kt·x, the credit base kc·x
  const tierOf = (x: Dec): Tier => {
    let t = rs.tiers[0]!;
    for (const k of rs.tiers) if (k.from.lte(x.times(kt))) t = k;
    return t;
  };
  const due = (x: Dec): Dec => {
    const credit = roundMoney(tierOf(x).creditPercent.times(x.times(kc)).div(HUNDRED), scale, mode);
    return roundMoney(x.minus(credit), scale, mode);
  };
  const gridAtOrAbove = (basis: Dec) => basis.div(kt).div(u).ceil().times(u);
  const cliffs: Cliff[] = [];
  for (let i = 1; i < rs.tiers.length; i++) {
    const [lo, hi] = [rs.tiers[i - 1]!, rs.tiers[i]!];
    if (!hi.from.gt(0) || !hi.creditPercent.gt(lo.creditPercent)) continue;
    const x0 = gridAtOrAbove(hi.from);
    const d0 = due(x0);
    const cliff: Cliff = {
      tier: hi.name, threshold: hi.from.toFixed(), percentBelow: lo.creditPercent.toFixed(), percentAt: hi.creditPercent.toFixed(),
      dueAtThreshold: d0.toFixed(scale),
    };
    // walk down the tiers below, one whole tier at a time while all of it pays more
    let start: Dec | undefined;
    let top = x0.minus(u);
    for (let j = i - 1; j >= 0 && top.gte(0); j--) {
      const bottom = gridAtOrAbove(rs.tiers[j]!.from);
      if (bottom.gt(top)) continue;
      if (!due(top).gt(d0)) break;
      if (due(bottom).gt(d0)) {
        start = bottom;
        top = bottom.minus(u);
        continue;
      }
      // due(bottom) ≤ d0 < due(top): the smallest grid point in (bottom, top] paying more
      let [a, b] = [bottom.div(u), top.div(u)]; // in grid units; invariant: due(a) ≤ d0 < due(b)
      while (b.minus(a).gt(1)) {
        const m = a.plus(b).div(2).floor();
        if (due(m.times(u)).gt(d0)) b = m;
        else a = m;
      }
      start = b.times(u);
      break;
    }
    if (start) {
      const to = x0.minus(u);
      cliff.band = { from: start.times(kt).toFixed(scale), to: to.times(kt).toFixed(scale) };
      cliff.worst = { basis: to.times(kt).toFixed(scale), overpays: due(to).minus(d0).toFixed(scale) };
    }
    cliffs.push(cliff);
  }
  const model = kt === 1 && kc === 1
    ? 'an eligible account whose lines are all its own and 100% commissionable (tier basis = credit base = charges)'
    : `an eligible account whose lines are all its own and 100% commissionable (the tier basis counts them ${kt}×, the credit base ${kc}×)`;
  return { applicable: true, model, cliffs };
}
