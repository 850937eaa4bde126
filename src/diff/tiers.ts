/**
 * The tier part of a rule set diff: tiers matched by name (moved,
 * re-percented, added, removed, renamed), and the bands of tier bases that
 * land in another tier or percentage as a result.
 */
import { canonicalJson } from '../parse/canonical.js';
import { Dec } from '../money/decimal.js';
import { amount as amountText, pct } from '../text/money-text.js';
import type { RuleSetDocument } from '../validate/ruleset-checks.js';
import { change, type RuleSetChange } from './change.js';

/** A band of tier bases whose tier or percentage changes. */
export interface TierEffect {
  from: string;
  /** Exclusive; absent for the top band. */
  until?: string;
  before: { tier: string; creditPercent: string };
  after: { tier: string; creditPercent: string };
}

type DocTier = RuleSetDocument['tiers'][number];

/** Tier changes from `A` to `B`. */
export function tierChanges(A: RuleSetDocument, B: RuleSetDocument): RuleSetChange[] {
  // amounts as the review writes them: `$20,000.00`, not `$20000`
  const $a = (s: string) => amountText(s, A.currency, A.rounding.scale);
  const $b = (s: string) => amountText(s, B.currency, B.rounding.scale);
  const out: RuleSetChange[] = [];
  const inA = new Map(A.tiers.map((t) => [t.name, t]));
  const inB = new Map(B.tiers.map((t) => [t.name, t]));
  const same = (x: string, y: string) => new Dec(x).eq(new Dec(y));
  const plain = (t: DocTier) => ({ name: t.name, from: t.from, creditPercent: t.creditPercent });

  for (const tb of B.tiers) {
    const ta = inA.get(tb.name);
    if (!ta) continue;
    if (!same(ta.from, tb.from)) {
      out.push(change('tiers', 'tier-moved', tb.name, ta.from, tb.from, `${tb.name} moves: starts at ${$b(tb.from)} (was ${$a(ta.from)})`));
    } else if (ta.from !== tb.from) {
      out.push(change('tiers', 'tier-rewritten', tb.name, ta.from, tb.from, `${tb.name} start written "${tb.from}" (was "${ta.from}"): the same amount`));
    }
    if (!same(ta.creditPercent, tb.creditPercent)) {
      out.push(change('tiers', 'tier-percent', tb.name, ta.creditPercent, tb.creditPercent,
        `${tb.name} credit percentage ${pct(tb.creditPercent)} (was ${pct(ta.creditPercent)})`));
    } else if (ta.creditPercent !== tb.creditPercent) {
      out.push(change('tiers', 'tier-rewritten', tb.name, ta.creditPercent, tb.creditPercent,
        `${tb.name} percentage written "${tb.creditPercent}" (was "${ta.creditPercent}"): the same percentage`));
    }
  }
  const removed = A.tiers.filter((t) => !inB.has(t.name));
  const added = B.tiers.filter((t) => !inA.has(t.name));
  // A tier that only changed its name is a rename, not a removal and an addition.
  for (const ta of [...removed]) {
    const tb = added.find((t) => same(t.from, ta.from) && same(t.creditPercent, ta.creditPercent));
    if (!tb) continue;
    removed.splice(removed.indexOf(ta), 1);
    added.splice(added.indexOf(tb), 1);
    out.push(change('tiers', 'tier-renamed', tb.name, ta.name, tb.name,
      `tier ${ta.name} renamed to ${tb.name} (from ${$b(tb.from)}, ${pct(tb.creditPercent)}); cases that expect the old name must be updated`));
  }
  for (const tb of added) {
    out.push(change('tiers', 'tier-added', tb.name, undefined, plain(tb), `new tier ${tb.name}: from ${$b(tb.from)}, ${pct(tb.creditPercent)}`));
  }
  for (const ta of removed) {
    out.push(change('tiers', 'tier-removed', ta.name, plain(ta), undefined, `tier ${ta.name} removed (was from ${$a(ta.from)}, ${pct(ta.creditPercent)})`));
  }
  return out;
}

/** The tier (name and percent) that holds a tier basis of `x`. */
function tierAt(tiers: readonly DocTier[], x: Dec): DocTier {
  let found = tiers[0]!;
  for (const t of tiers) if (new Dec(t.from).lte(x)) found = t;
  return found;
}

/** The bands of tier bases whose tier or percentage differs between `A` and `B`, adjacent bands merged. */
export function tierEffects(A: RuleSetDocument, B: RuleSetDocument): TierEffect[] {
  const points = [...A.tiers, ...B.tiers].map((t) => new Dec(t.from)).sort((x, y) => x.comparedTo(y))
    .filter((p, i, all) => i === 0 || !p.eq(all[i - 1]!));
  const effects: TierEffect[] = [];
  points.forEach((p, i) => {
    const ta = tierAt(A.tiers, p);
    const tb = tierAt(B.tiers, p);
    if (ta.name === tb.name && new Dec(ta.creditPercent).eq(new Dec(tb.creditPercent))) return;
    const next = points[i + 1];
    const before = { tier: ta.name, creditPercent: ta.creditPercent };
    const after = { tier: tb.name, creditPercent: tb.creditPercent };
    const last = effects[effects.length - 1];
    if (last && last.until === p.toFixed() && canonicalJson([last.before, last.after]) === canonicalJson([before, after])) {
      if (next) last.until = next.toFixed();
      else delete last.until;
      return;
    }
    const e: TierEffect = { from: p.toFixed(), before, after };
    if (next) e.until = next.toFixed();
    effects.push(e);
  });
  return effects;
}
