/**
 * The review's checks on a candidate rule set (SPEC §10), each passed or
 * failed with a concrete counterexample: monotone percentages, bounded
 * credits over generated snapshots, the baseline's services kept, and the
 * effective window against the baseline and every published version — and
 * `CHECKS`, the table of them in report order that the review runs (adding a
 * check is adding a row; the renderers walk the outcomes it gives).
 */
import fc from 'fast-check';
import { sharedDays, windowWords as windowText } from '../folder/window.js';
import { asRcErrors, formatError } from '../errors.js';
import { Dec, HUNDRED, roundMoney, ZERO } from '../money/decimal.js';
import type { RuleSet } from '../model/types.js';
import { evaluate } from '../evaluate/evaluate.js';
import { pct, amount } from '../text/money-text.js';
import { firstPeriod, snapshotArbitrary, toLocated, unitOf, type SnapshotDoc } from './generate.js';
import type { CheckName, CheckOutcome, GenOptions } from './outcome.js';
import type { RegionCheck } from './region.js';

export type { CheckName, CheckOutcome, Counterexample, GenOptions } from './outcome.js';

/** Tier percentages never fall as `from` rises. */
export function checkMonotone(rs: RuleSet): CheckOutcome {
  const title = 'Monotone: a higher tier basis never gets a lower percentage';
  for (let i = 1; i < rs.tiers.length; i++) {
    const [lo, hi] = [rs.tiers[i - 1]!, rs.tiers[i]!];
    if (hi.creditPercent.lt(lo.creditPercent)) {
      const below = hi.from.minus(unitOf(rs));
      const $ = (d: Dec) => amount(d.toFixed(rs.rounding.scale), rs.currency);
      return {
        name: 'monotone', title, passed: false,
        summary: `${hi.name} (${pct(hi.creditPercent.toFixed())}) is lower than ${lo.name} (${pct(lo.creditPercent.toFixed())}) below it`,
        counterexample: {
          tierBasis: hi.from.toFixed(),
          text: `a tier basis of ${$(hi.from)} gets ${pct(hi.creditPercent.toFixed())} (${hi.name}) but ${$(below)} gets ${pct(lo.creditPercent.toFixed())} (${lo.name}): a reseller paying more gets a lower percentage`,
        },
      };
    }
  }
  return { name: 'monotone', title, passed: true, summary: `the ${rs.tiers.length} tiers' percentages never fall as the tier basis rises` };
}

/**
 * Over generated snapshots (SPEC §10): credit ≤ the highest percentage ×
 * credit base (rounded the rule set's way), an ineligible reseller gets 0,
 * the credit never exceeds the charges (unless `allowCreditAboveCharges`),
 * and the amount due is charges − credit rounded the rule set's way. Not
 * "credit + amount due = rounded charges": with `half-even` or `down` and
 * sub-cent charges the two differ by less than a unit, and that is correct.
 */
export async function checkBounded(rs: RuleSet, gen: GenOptions): Promise<CheckOutcome> {
  const title = rs.allowCreditAboveCharges
    ? 'Bounded: credit ≤ highest percentage × credit base; ineligible → 0; amount due = charges − credit, rounded (credit above the charges allowed)'
    : 'Bounded: credit ≤ highest percentage × credit base and ≤ the charges; ineligible → 0; amount due = charges − credit, rounded';
  const top = rs.tiers.reduce((m, t) => (t.creditPercent.gt(m) ? t.creditPercent : m), ZERO);
  const { scale, mode } = rs.rounding;
  const round = (d: Dec) => roundMoney(d, scale, mode);
  const problem = async (doc: SnapshotDoc): Promise<string | undefined> => {
    let located;
    try {
      located = toLocated(doc);
    } catch (err) {
      return `the generated snapshot is not valid: ${asRcErrors(err).map(formatError).join('; ')}`;
    }
    let r;
    try {
      r = await evaluate(located.snapshot, rs, located.doc, { lines: false });
    } catch (err) {
      return `it cannot be evaluated: ${asRcErrors(err).map(formatError).join('; ')}`;
    }
    const $ = (s: string) => amount(s, rs.currency);
    const credit = new Dec(r.credit);
    const ceiling = round(top.times(r.creditBase).div(HUNDRED));
    if (credit.lt(0)) return `credit ${$(r.credit)} is negative`;
    if (credit.gt(ceiling)) return `credit ${$(r.credit)} exceeds ${pct(top.toFixed())} × credit base ${$(r.creditBase)} = ${$(ceiling.toFixed(scale))}`;
    if (!r.eligibility.eligible && !credit.isZero()) return `the reseller is ineligible (${r.eligibility.reasons.join('; ')}) but gets a credit of ${$(r.credit)}`;
    const charges = new Dec(r.statement.charges);
    if (!rs.allowCreditAboveCharges && credit.gt(charges)) {
      return `credit ${$(r.credit)} exceeds the charges ${$(r.statement.charges)}: the amount due would be negative (the rule set does not say allowCreditAboveCharges: true)`;
    }
    const due = round(charges.minus(credit));
    if (!due.eq(r.statement.amountDue)) {
      return `amount due ${$(r.statement.amountDue)}, but charges ${$(r.statement.charges)} − credit ${$(r.credit)} = ${$(charges.minus(credit).toFixed())} rounds ${mode} to ${$(due.toFixed(scale))}`;
    }
    return undefined;
  };
  const services = [...rs.services.keys()];
  const arb = snapshotArbitrary([rs], services, firstPeriod(rs));
  const run = await fc.check(fc.asyncProperty(arb, async (doc) => (await problem(doc)) === undefined), { seed: gen.seed, numRuns: gen.runs });
  const generated = { seed: gen.seed, runs: run.numRuns };
  if (!run.failed || !run.counterexample) {
    return { name: 'bounded', title, passed: true, generated, summary: `held on ${run.numRuns} generated snapshots (seed ${gen.seed})` };
  }
  const doc = run.counterexample[0];
  const why = (await problem(doc)) ?? 'the property failed';
  return { name: 'bounded', title, passed: false, generated, summary: why, counterexample: { text: why, snapshot: doc } };
}

/** Every service of the baseline is still listed by the candidate. */
export function checkServicesKept(baseline: RuleSet, candidate: RuleSet): CheckOutcome {
  const title = `Services kept: every service of ${baseline.id} is still listed`;
  const gone = [...baseline.services.keys()].filter((id) => !candidate.services.has(id)).sort();
  if (!gone.length) return { name: 'services-kept', title, passed: true, summary: `all ${baseline.services.size} services of ${baseline.id} are listed` };
  const named = gone.map((id) => `${id} "${baseline.services.get(id)!.name}"`).join(', ');
  return {
    name: 'services-kept', title, passed: false,
    summary: `removed: ${named}`,
    counterexample: { text: `a snapshot with a line of ${gone[0]} is evaluated under ${baseline.id} but rejected under ${candidate.id} (service removed: ${named})` },
  };
}

/** The candidate starts where the baseline ends and overlaps no other published version. */
export function checkWindow(baseline: RuleSet, candidate: RuleSet, published: readonly RuleSet[]): CheckOutcome {
  const title = `Window: starts where ${baseline.id} ends, overlaps no published version`;
  const problems: string[] = [];
  const c = candidate.effective;
  const b = baseline.effective;
  if (b.until === undefined) {
    problems.push(`${baseline.id} has no end date (${windowText(baseline)}): the candidate, from ${c.from}, overlaps it from ${c.from < b.from ? b.from : c.from} on`);
  } else if (b.until < c.from) {
    problems.push(`gap: ${baseline.id} ends before ${b.until} but ${candidate.id} starts on ${c.from}; periods from ${b.until} to before ${c.from} would have no rule set`);
  } else if (b.until > c.from) {
    problems.push(`overlap: ${candidate.id} starts on ${c.from} but ${baseline.id} runs until ${b.until} (exclusive); ${c.from} to before ${b.until} would be in both`);
  }
  for (const p of published) {
    if (p.id === candidate.id || (p.id === baseline.id && problems.length)) continue;
    const shared = sharedDays(p, candidate);
    if (shared) {
      problems.push(`overlap with published ${p.id} (${windowText(p)}): from ${shared.start}${shared.end ? ` to before ${shared.end}` : ' on'}`);
    }
  }
  if (!problems.length) {
    return { name: 'window', title, passed: true, summary: `${candidate.id} runs ${windowText(candidate)}, starting where ${baseline.id} ends` };
  }
  return { name: 'window', title, passed: false, summary: problems.join('; '), counterexample: { text: problems[0]! } };
}

/** What a check may look at. */
export interface CheckContext {
  baseline: RuleSet;
  candidate: RuleSet;
  /** the rules folder's published versions */
  published: readonly RuleSet[];
  gen: GenOptions;
  /** the region check, already run (its tallies are part of the report too) */
  region: RegionCheck;
}

/** The checks of a review, in report order. */
export const CHECKS: readonly { name: CheckName; run(ctx: CheckContext): CheckOutcome | Promise<CheckOutcome> }[] = [
  { name: 'monotone', run: (x) => checkMonotone(x.candidate) },
  { name: 'bounded', run: (x) => checkBounded(x.candidate, x.gen) },
  { name: 'services-kept', run: (x) => checkServicesKept(x.baseline, x.candidate) },
  { name: 'window', run: (x) => checkWindow(x.baseline, x.candidate, x.published) },
  { name: 'region', run: (x) => x.region.check },
];
