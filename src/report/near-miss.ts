/**
 * The near-miss line: how far the tier basis was from the next tier, in the
 * words a reseller reads on its statement ("$499.99 was $0.01 short of 15%").
 * One function, used by `evaluate`'s text, `ledger replay` and the statements,
 * so the three never say it differently.
 */
import { Dec, formatMoney } from '../money/decimal.js';
import type { Term } from '../model/types.js';
import { money, pct } from '../text/money-text.js';
import { safeText } from '../text/safe-text.js';

/** A tier as the line needs it (a rule set's tiers, or their stored text). */
export interface TierStep { name: string; from: string | Dec; creditPercent: string | Dec }

/** The next tier above `tierBasis` and how much more basis reaches it; undefined at the top tier. */
export function nextTier(tierBasis: string, tiers: readonly TierStep[]): { tier: TierStep; short: Dec } | undefined {
  const basis = new Dec(tierBasis);
  let best: TierStep | undefined;
  for (const t of tiers) {
    const from = new Dec(t.from.toString());
    if (from.gt(basis) && (!best || from.lt(new Dec(best.from.toString())))) best = t;
  }
  return best ? { tier: best, short: new Dec(best.from.toString()).minus(basis) } : undefined;
}

/** `own payments + managed payments + affiliate value`. */
export function termsWords(terms: readonly Term[]): string {
  return terms.map((t) => `${t.source} ${t.measure}`).join(' + ');
}

/** What the line needs of a result. */
export interface NearMissInput { tierBasis: string; currency: string; tier: { name: string }; bases: { tierBasis: Term[] } }

/**
 * `Next tier: $499.99 was $0.01 short of 15% (tier-15 from $500.00): $0.01 more in own payments + … reaches it`,
 * or, at the top, `Next tier: none, tier-20 is the highest`.
 */
export function nearMissLine(r: NearMissInput, tiers: readonly TierStep[], scale = 2): string {
  const $ = (d: Dec | string) => money(formatMoney(new Dec(d.toString()), scale), r.currency);
  const n = nextTier(r.tierBasis, tiers);
  if (!n) return `Next tier: none, ${safeText(r.tier.name)} is the highest`;
  return `Next tier: ${$(r.tierBasis)} was ${$(n.short)} short of ${pct(n.tier.creditPercent.toString())} (${safeText(n.tier.name)} from ${$(n.tier.from)}): `
    + `${$(n.short)} more in ${termsWords(r.bases.tierBasis)} reaches it`;
}
