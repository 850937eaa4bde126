/**
 * A reseller's statement as issued (SPEC §12), gathered once for every
 * renderer (text, HTML, PDF): the issue entry's statement and figures, the
 * lines and sources recomputed from the stored snapshot under the pinned rule
 * set, the next tier and how far it is, eligibility in words, and each
 * carried adjustment with its reason. Pure: the caller reads the ledger.
 */
import { Dec, formatMoney } from '../money/decimal.js';
import type { EvaluationResult, ResultLine, RuleSet, Source } from '../model/types.js';
import type { AdjustmentReason, LedgerEntry } from '../ledger/entry.js';
import { reasonWords } from '../ledger/render.js';
import { nearMissLine, nextTier, termsWords } from '../report/near-miss.js';

/** One carried adjustment, with why it was recorded. */
export interface StatementAdjustment { entry: string; origin: string; amount: string; reason: string }

/** What every renderer shows. */
export interface StatementView {
  account: string; period: string; currency: string; scale: number;
  entry: string; recordedAt: string; rules: { id: string; sha256: string; title: string };
  lines: ResultLine[];
  monthlyPayment: string; monthlyValue: string;
  /** the tier basis, term by term (as the rule set defines it) */
  basis: { source: Source; measure: string; amount: string | null }[];
  tierBasis: string; creditBase: string;
  tier: { name: string; from: string; creditPercent: string };
  tiers: { name: string; from: string; creditPercent: string }[];
  next?: { name: string; from: string; creditPercent: string; short: string };
  nearMiss: string;
  eligible: boolean;
  eligibility: string[];
  creditPercent: string;
  credit: string; charges: string;
  adjustments: StatementAdjustment[];
  adjustmentsTotal: string;
  netCredit: string;
  amountDue: string;
}

/** `2 distinct sub-clients: 1 more needed`, and the other reasons as recorded. */
export function eligibilityLines(r: EvaluationResult, rs: Pick<RuleSet, 'eligibility'>): string[] {
  const min = rs.eligibility.minDistinctSubClients;
  const d = r.eligibility.distinctSubClients;
  const out = [d >= min ? `${d} distinct sub-clients (at least ${min} needed): met` : `${d} distinct sub-client${d === 1 ? '' : 's'}: ${min - d} more needed (at least ${min})`];
  for (const reason of r.eligibility.reasons) if (!reason.startsWith('needs at least')) out.push(reason);
  if (r.eligibility.eligible) out.push('eligible: every eligibility rule passed');
  return out;
}

/** The statement of issue entry `e`, from its recomputed result `r` under its pinned rule set `rs`. */
export function statementView(e: LedgerEntry, r: EvaluationResult, rs: RuleSet, reasons: Record<string, AdjustmentReason | undefined>): StatementView {
  const s = e.statement!;
  const scale = rs.rounding.scale;
  const $ = (d: Dec) => formatMoney(d, scale);
  const adjTotal = s.adjustments.reduce((t, a) => t.plus(a.amount), new Dec(0));
  const tiers = rs.tiers.map((t) => ({ name: t.name, from: $(t.from), creditPercent: t.creditPercent.toFixed() }));
  const n = nextTier(r.tierBasis, rs.tiers);
  return {
    account: e.account, period: e.period, currency: e.currency, scale,
    entry: e.id, recordedAt: e.recordedAt, rules: { ...e.rules, title: rs.title },
    lines: r.lines,
    monthlyPayment: r.monthlyPayments.total, monthlyValue: r.monthlyValue.total,
    basis: r.bases.tierBasis.map((t) => ({ source: t.source, measure: t.measure, amount: (t.measure === 'payments' ? r.monthlyPayments : r.monthlyValue)[t.source] })),
    tierBasis: r.tierBasis, creditBase: r.creditBase,
    tier: r.tier, tiers,
    next: n ? { name: n.tier.name, from: $(new Dec(n.tier.from.toString())), creditPercent: n.tier.creditPercent.toString(), short: $(n.short) } : undefined,
    nearMiss: nearMissLine(r, rs.tiers, scale),
    eligible: r.eligibility.eligible,
    eligibility: eligibilityLines(r, rs),
    creditPercent: r.creditPercent,
    // as issued (the hashed statement), never today's recomputation
    credit: s.credit, charges: s.charges,
    adjustments: s.adjustments.map((a) => ({ ...a, reason: reasonWords(reasons[a.entry]) || 'adjustment' })),
    adjustmentsTotal: $(adjTotal),
    netCredit: $(new Dec(s.credit).plus(adjTotal)),
    amountDue: s.amountDue,
  };
}

/** `own payments + managed payments + affiliate value` of a view. */
export function basisWords(v: StatementView): string {
  return termsWords(v.basis.map((b) => ({ source: b.source, measure: b.measure as 'payments' | 'value' })));
}
