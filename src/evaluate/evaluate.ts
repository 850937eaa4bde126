/**
 * One snapshot under one rule set: valuation, the engine's decisions on tier
 * and eligibility, the credit rounded once, and the statement.
 */
import { formatMoney, formatPlain, HUNDRED, plus, roundMoney, ZERO, type Dec } from '../money/decimal.js';
import type { EvaluationResult, RuleSet, Snapshot, SourceTotals, Tier } from '../model/types.js';
import { compileRuleSet, type CompiledRuleSet, type Facts } from '../compile/compile.js';
import { readDecisions, runRules, type Decisions } from './decisions.js';
import type { SourceDoc } from '../parse/source-doc.js';
import { sumTerms, valuate, type Valuation } from './valuation.js';
import { eligibilityReason } from './reasons.js';
import { countDistinct, subClientKeys, type DistinctBy } from '../validate/identifiers.js';
import { RcError, RcErrors } from '../errors.js';

const compiledCache = new WeakMap<RuleSet, CompiledRuleSet>();

/** The compiled form of a rule set, built once per rule set object. */
export function compiled(ruleSet: RuleSet | CompiledRuleSet): CompiledRuleSet {
  if ('eligibilityMemo' in ruleSet) return ruleSet;
  let c = compiledCache.get(ruleSet);
  if (!c) {
    c = compileRuleSet(ruleSet);
    compiledCache.set(ruleSet, c);
  }
  return c;
}

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** Attach the engine's decisions as `trace`. Default false. */
  trace?: boolean;
  /** Attach every valued line as `lines`. Default true; a CSV summary does not need them. */
  lines?: boolean;
  /** Reuse the engine's eligibility result of the same exact facts under the same rule set. Default true. */
  eligibilityMemo?: boolean;
}

/**
 * Distinct sub-clients (SPEC §4): host names after UTS #46 mapping, or their
 * registrable domains under `distinctBy: registrable-domain`; blanks do not
 * count. `keys` are the host keys validation computed (else they are
 * computed here); a name that is no host name throws `RcErrors`.
 */
export function distinctSubClients(names: readonly string[], distinctBy: DistinctBy = 'host', keys?: readonly (string | null)[]): number {
  if (!keys) {
    const k = subClientKeys(names);
    if (k.problems.length) {
      throw new RcErrors(k.problems.map(({ index, problem }) =>
        new RcError(problem.code, problem.message, { path: `subClients[${index}]` })));
    }
    keys = k.keys;
  }
  return countDistinct(keys, distinctBy);
}

/**
 * What the evaluation of one snapshot decides, before the result is written
 * out: the valuation and its sums, the engine's decisions, the tier, the
 * percentage applied and the credit, rounded once.
 */
export interface Decided {
  ruleSet: RuleSet;
  v: Valuation;
  tierBasis: Dec;
  creditBase: Dec;
  facts: Facts;
  decisions: Decisions;
  tier: Tier;
  /** the tier's percentage when eligible, else 0 */
  percent: Dec;
  credit: Dec;
}

/**
 * Values one snapshot and has the engine decide its tier and eligibility (see
 * `evaluate`, which writes the result out; `whatif` needs only the decision).
 * Throws `RcErrors` when the snapshot cannot be evaluated under this rule set.
 */
export async function decide(
  snapshot: Snapshot,
  ruleSet: RuleSet | CompiledRuleSet,
  doc?: SourceDoc,
  options: EvaluateOptions = {},
): Promise<Decided> {
  const c = compiled(ruleSet);
  const rs = c.ruleSet;
  const v = valuate(snapshot, rs, doc, options.lines !== false);
  const tierBasis = sumTerms(v, rs.tierBasis);
  const creditBase = sumTerms(v, rs.creditBase);
  const facts: Facts = {
    tierBasis,
    distinctSubClients: distinctSubClients(snapshot.subClients, rs.eligibility.distinctBy, snapshot.subClientKeys),
    approved: snapshot.reseller.approved,
    approvedOn: snapshot.reseller.approved ? snapshot.reseller.approvedOn : undefined,
    periodStart: `${snapshot.period}-01`,
  };
  const decisions = readDecisions(await runRules(c, facts, options.eligibilityMemo !== false), options.trace ?? false);
  const tier = rs.tiers[decisions.tierIndex]!;
  const percent = decisions.eligible ? tier.creditPercent : ZERO;
  const credit = roundMoney(percent.times(creditBase).div(HUNDRED), rs.rounding.scale, rs.rounding.mode);
  return { ruleSet: rs, v, tierBasis, creditBase, facts, decisions, tier, percent, credit };
}

/** The percentage applied and the credit, as a result prints them (`whatif` shows these of each side). */
export function creditTexts(d: Decided): { creditPercent: string; credit: string } {
  return { creditPercent: formatPlain(d.percent), credit: formatMoney(d.credit, d.ruleSet.rounding.scale) };
}

/**
 * Evaluates one snapshot. Throws `RcErrors` when the snapshot cannot be
 * evaluated under this rule set (a service it does not list).
 */
export async function evaluate(
  snapshot: Snapshot,
  ruleSet: RuleSet | CompiledRuleSet,
  doc?: SourceDoc,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const decided = await decide(snapshot, ruleSet, doc, options);
  const { ruleSet: rs, v, tierBasis, creditBase, facts, decisions: d, tier, credit } = decided;
  const { creditPercent, credit: creditText } = creditTexts(decided);
  const eligible = d.eligible;
  const reasons: string[] = [];
  for (const criterion of d.failed) {
    const reason = eligibilityReason(criterion, facts, rs);
    if (reason) reasons.push(reason);
  }
  const scale = rs.rounding.scale;
  const charges = plus(v.payments.own, v.payments.managed);
  const amountDue = roundMoney(charges.minus(credit), scale, rs.rounding.mode);
  const chargesText = formatMoney(charges, scale);

  const result: EvaluationResult = {
    account: snapshot.account,
    period: snapshot.period,
    rules: { id: rs.id, sha256: rs.sha256 },
    currency: rs.currency,
    monthlyPayments: totals(v.payments, scale, v.notGiven.includes('payments')),
    monthlyValue: totals(v.value, scale, v.notGiven.includes('value')),
    tierBasis: formatMoney(tierBasis, scale),
    creditBase: formatMoney(creditBase, scale),
    bases: { tierBasis: rs.tierBasis, creditBase: rs.creditBase },
    tier: { name: tier.name, from: formatPlain(tier.from), creditPercent: formatPlain(tier.creditPercent) },
    eligibility: { eligible, distinctSubClients: facts.distinctSubClients, reasons },
    creditPercent,
    credit: creditText,
    statement: { charges: chargesText, credit: creditText, amountDue: formatMoney(amountDue, scale) },
    lines: v.lines,
    warnings: v.warnings,
  };
  if (options.trace) result.trace = d.trace;
  return result;
}

/** The sums of one measure; a measure the affiliate totals do not give is null (and adds 0 to the total). */
function totals(by: Valuation['payments'], scale: number, affiliateNotGiven: boolean): SourceTotals {
  return {
    own: formatMoney(by.own, scale),
    managed: formatMoney(by.managed, scale),
    affiliate: affiliateNotGiven ? null : formatMoney(by.affiliate, scale),
    total: formatMoney(plus(plus(by.own, by.managed), by.affiliate), scale),
  };
}
