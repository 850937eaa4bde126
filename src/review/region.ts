/**
 * Where results can differ (SPEC §10): from the diff, the region outside of
 * which baseline and candidate must give identical tier (name and
 * percentage), percentage applied and credit — stated in words, then checked
 * on the portfolio and on generated snapshots outside it.
 */
import fc from 'fast-check';
import { asRcErrors, formatError } from '../errors.js';
import { Dec } from '../money/decimal.js';
import type { EvaluationResult, RuleSet, Snapshot } from '../model/types.js';
import { evaluate, distinctSubClients } from '../evaluate/evaluate.js';
import type { RuleSetDiff } from '../diff/diff.js';
import { money, pct, amount } from '../text/money-text.js';
import { firstPeriod, snapshotArbitrary, toLocated, unitOf, type SnapshotDoc } from './generate.js';
import type { CheckOutcome, GenOptions } from './outcome.js';
import type { DistinctBy } from '../validate/identifiers.js';

/** One part of the region. */
export type RegionPart =
  | { kind: 'tier-band'; from: string; until?: string; before: { tier: string; creditPercent: string }; after: { tier: string; creditPercent: string }; text: string; effect: string }
  | { kind: 'services'; services: string[]; text: string }
  | { kind: 'sub-clients'; from: number; until: number; distinctBy: DistinctBy[]; text: string }
  | { kind: 'distinct-by'; text: string }
  | { kind: 'unapproved'; text: string }
  | { kind: 'approved-after-period-start'; text: string };

/** The region: everything, or the union of its parts (empty: results never differ). */
export interface Region {
  everything: boolean;
  /** Why it is everything (a change of bases, rounding or currency). */
  because: string[];
  parts: RegionPart[];
  /** The region in one sentence. */
  text: string;
}

const EVERYTHING_SECTIONS = new Set(['tierBasis', 'creditBase', 'rounding', 'currency']);

/** The region of a diff from `baseline` to `candidate`. */
export function deriveRegion(diff: RuleSetDiff, baseline: RuleSet, candidate: RuleSet): Region {
  const because = diff.changes.filter((c) => EVERYTHING_SECTIONS.has(c.section) && !c.kind.endsWith('-order')).map((c) => c.text);
  if (because.length) {
    return { everything: true, because, parts: [], text: `for every account: ${because.join('; ')}` };
  }
  const cur = candidate.currency;
  const scale = Math.max(baseline.rounding.scale, candidate.rounding.scale);
  const u = unitOf(candidate);
  const $ = (s: string) => amount(new Dec(s).toFixed(scale), cur);
  const parts: RegionPart[] = [];
  for (const e of diff.tierEffects) {
    const band = e.until === undefined
      ? `a tier basis of ${$(e.from)} or more`
      : `a tier basis from ${$(e.from)} to ${$(new Dec(e.until).minus(u).toFixed())} (under ${$(e.until)})`;
    parts.push({ kind: 'tier-band', from: e.from, ...(e.until !== undefined ? { until: e.until } : {}), before: e.before, after: e.after,
      text: band, effect: `${e.before.tier} ${pct(e.before.creditPercent)} → ${e.after.tier} ${pct(e.after.creditPercent)}` });
  }
  const services = diff.changes.filter((c) => c.section === 'services' && ['service-added', 'service-removed', 'service-reclassified'].includes(c.kind))
    .map((c) => c.subject!).sort();
  if (services.length) {
    const named = services.map((id) => `${(candidate.services.get(id) ?? baseline.services.get(id))!.name} (${id})`);
    parts.push({ kind: 'services', services, text: `a line, in any source, of ${named.join(', ')}` });
  }
  const [ea, eb] = [baseline.eligibility, candidate.eligibility];
  if (ea.minDistinctSubClients !== eb.minDistinctSubClients) {
    const [from, until] = [Math.min(ea.minDistinctSubClients, eb.minDistinctSubClients), Math.max(ea.minDistinctSubClients, eb.minDistinctSubClients)];
    const distinctBy = [...new Set([ea.distinctBy ?? 'host', eb.distinctBy ?? 'host'])];
    parts.push({ kind: 'sub-clients', from, until, distinctBy,
      text: until - from === 1 ? `exactly ${from} distinct sub-clients` : `${from} to ${until - 1} distinct sub-clients` });
  }
  if ((ea.distinctBy ?? 'host') !== (eb.distinctBy ?? 'host')) {
    parts.push({ kind: 'distinct-by', text: 'sub-clients that are fewer by registrable domain than by host name (such as www.acme.example and acme.example)' });
  }
  if (ea.requireApproval !== eb.requireApproval) parts.push({ kind: 'unapproved', text: 'no approval by billing' });
  if (ea.retroactive !== eb.retroactive) parts.push({ kind: 'approved-after-period-start', text: 'an approval date after the period began' });
  const text = parts.length
    ? `only for accounts with ${parts.map((p) => p.text).join(', or with ')}`
    : 'nowhere: tier, percentage and credit are the same for every account';
  return { everything: false, because: [], parts, text };
}

/** Which parts of `region` hold the snapshot (its tier bases under each side given). */
export function partsHolding(region: Region, snapshot: Snapshot, tierBases: readonly Dec[]): number[] {
  const hit: number[] = [];
  region.parts.forEach((p, i) => {
    if (inPart(p, snapshot, tierBases)) hit.push(i);
  });
  return hit;
}

/** Whether the snapshot lies in the region. */
export function inRegion(region: Region, snapshot: Snapshot, tierBases: readonly Dec[]): boolean {
  return region.everything || partsHolding(region, snapshot, tierBases).length > 0;
}

function inPart(p: RegionPart, s: Snapshot, tierBases: readonly Dec[]): boolean {
  switch (p.kind) {
    case 'tier-band':
      return tierBases.some((b) => b.gte(p.from) && (p.until === undefined || b.lt(p.until)));
    case 'services': {
      const set = new Set(p.services);
      const accounts = [s.lineItems, ...s.managedAccounts.map((m) => m.lineItems), ...(s.linkedAffiliate?.referredAccounts ?? []).map((r) => r.lineItems)];
      return accounts.some((lines) => lines.some((l) => set.has(l.service)));
    }
    case 'sub-clients':
      return p.distinctBy.some((by) => {
        const n = distinctSubClients(s.subClients, by, s.subClientKeys);
        return n >= p.from && n < p.until;
      });
    case 'distinct-by':
      return distinctSubClients(s.subClients, 'host', s.subClientKeys) !== distinctSubClients(s.subClients, 'registrable-domain', s.subClientKeys);
    case 'unapproved':
      return !s.reseller.approved;
    case 'approved-after-period-start':
      return s.reseller.approved && s.reseller.approvedOn !== undefined && s.reseller.approvedOn > `${s.period}-01`;
  }
}

/** How one snapshot came out under both sides: results, or the error of a side. */
export interface BothSides {
  baseline?: EvaluationResult;
  candidate?: EvaluationResult;
  baselineError?: string;
  candidateError?: string;
}

/** Evaluates a snapshot under both sides, never throwing for bad input. */
export async function evaluateSides(s: Snapshot, baseline: RuleSet, candidate: RuleSet): Promise<BothSides> {
  const out: BothSides = {};
  try {
    out.baseline = await evaluate(s, baseline, undefined, { lines: false });
  } catch (err) {
    out.baselineError = asRcErrors(err).map(formatError).join('; ');
  }
  try {
    out.candidate = await evaluate(s, candidate, undefined, { lines: false });
  } catch (err) {
    out.candidateError = asRcErrors(err).map(formatError).join('; ');
  }
  return out;
}

/** The tier bases a comparison saw (one per side that could evaluate). */
export function basesOf(b: BothSides): Dec[] {
  return [b.baseline, b.candidate].filter((r): r is EvaluationResult => r !== undefined).map((r) => new Dec(r.tierBasis));
}

/** How the two sides differ on tier name and percentage, percentage applied and credit; undefined when they agree. */
export function difference(b: BothSides): string | undefined {
  if (b.baselineError && b.candidateError) return undefined; // rejected by both alike
  if (b.baselineError) return `rejected under the baseline (${b.baselineError}) but evaluated under the candidate`;
  if (b.candidateError) return `evaluated under the baseline but rejected under the candidate (${b.candidateError})`;
  const [x, y] = [b.baseline!, b.candidate!];
  const out: string[] = [];
  if (x.tier.name !== y.tier.name || !new Dec(x.tier.creditPercent).eq(y.tier.creditPercent)) {
    out.push(`tier ${x.tier.name} ${pct(x.tier.creditPercent)} → ${y.tier.name} ${pct(y.tier.creditPercent)}`);
  }
  if (!new Dec(x.creditPercent).eq(y.creditPercent)) out.push(`percentage applied ${pct(x.creditPercent)} → ${pct(y.creditPercent)}`);
  if (!new Dec(x.credit).eq(y.credit)) out.push(`credit ${money(x.credit, x.currency)} → ${money(y.credit, y.currency)}`);
  return out.length ? out.join(', ') : undefined;
}

/** A portfolio account as the region check sees it. */
export interface RegionSample { account: string; period: string; snapshot: Snapshot; sides: BothSides }

/** Per part: how many portfolio accounts lie in it, and how many of them actually differ. */
export interface PartTally { inPart: number; differ: number }

/** The region check's outcome: the check, and the per-part tallies. */
export interface RegionCheck {
  check: CheckOutcome;
  portfolio: { accounts: number; outside: number; differ: number };
  generatedOutside: number;
  parts: PartTally[];
}

/** Tallies portfolio accounts against the region as they stream by (nothing is kept but the counts and the first counterexample). */
export class RegionTally {
  readonly parts: PartTally[];
  readonly portfolio = { accounts: 0, outside: 0, differ: 0 };
  firstOutside?: string;

  constructor(private readonly region: Region) {
    this.parts = region.parts.map(() => ({ inPart: 0, differ: 0 }));
  }

  add(s: RegionSample): void {
    this.addOutcome(regionOutcome(this.region, s));
  }

  /** Adds an account already placed (by a worker: `regionOutcome`). */
  addOutcome(o: RegionOutcome): void {
    const { why, held } = o;
    this.portfolio.accounts++;
    if (why) this.portfolio.differ++;
    for (const i of held) {
      this.parts[i]!.inPart++;
      if (why) this.parts[i]!.differ++;
    }
    if (this.region.everything || held.length) return;
    this.portfolio.outside++;
    if (why && this.firstOutside === undefined) this.firstOutside = `${o.account} (${o.period}) lies outside the region but differs: ${why}`;
  }
}

/** Where one account lies in the region and how its sides differ: what the tally adds up. */
export interface RegionOutcome {
  account: string;
  period: string;
  /** how the sides differ (`difference`), if they do */
  why?: string;
  /** the parts of the region holding it */
  held: number[];
}

/** The region outcome of a sample. */
export function regionOutcome(region: Region, s: RegionSample): RegionOutcome {
  const why = difference(s.sides);
  return { account: s.account, period: s.period, ...(why ? { why } : {}), held: partsHolding(region, s.snapshot, basesOf(s.sides)) };
}

/**
 * Checks the region claim: every portfolio account outside it (tallied in
 * `tally`, or given as `samples`) and every generated snapshot outside it
 * must come out the same under both sides.
 */
export async function checkRegion(region: Region, baseline: RuleSet, candidate: RuleSet, samples: readonly RegionSample[] | RegionTally, gen: GenOptions): Promise<RegionCheck> {
  const title = 'Region: outside it, tier, percentage and credit are identical under both versions';
  let tally: RegionTally;
  if (samples instanceof RegionTally) tally = samples;
  else {
    tally = new RegionTally(region);
    for (const s of samples) tally.add(s);
  }
  const { parts, portfolio } = tally;

  let generatedOutside = 0;
  let generated: { seed: number; runs: number } = { seed: gen.seed, runs: 0 };
  let fromGenerated: { doc: SnapshotDoc; why: string } | undefined;
  if (!region.everything) {
    const services = [...new Set([...baseline.services.keys(), ...candidate.services.keys()])].sort();
    const arb = snapshotArbitrary([baseline, candidate], services, firstPeriod(candidate));
    const outsideDiff = async (doc: SnapshotDoc): Promise<string | undefined> => {
      const s = toLocated(doc).snapshot;
      const sides = await evaluateSides(s, baseline, candidate);
      if (inRegion(region, s, basesOf(sides))) return undefined;
      generatedOutside++;
      return difference(sides);
    };
    const run = await fc.check(fc.asyncProperty(arb, async (doc) => (await outsideDiff(doc)) === undefined), { seed: gen.seed, numRuns: gen.runs });
    generated = { seed: gen.seed, runs: run.numRuns };
    if (run.failed && run.counterexample) {
      const doc = run.counterexample[0];
      fromGenerated = { doc, why: `a generated snapshot outside the region differs: ${(await outsideDiff(doc)) ?? 'it differs'}` };
    }
  }
  const base = { name: 'region' as const, title, generated };
  let check: CheckOutcome;
  if (tally.firstOutside) {
    check = { ...base, passed: false, summary: tally.firstOutside, counterexample: { text: tally.firstOutside } };
  } else if (fromGenerated) {
    check = { ...base, passed: false, summary: fromGenerated.why, counterexample: { text: fromGenerated.why, snapshot: fromGenerated.doc } };
  } else if (region.everything) {
    check = { ...base, passed: true, summary: 'the region is every account: nothing to check outside it' };
  } else {
    check = { ...base, passed: true,
      summary: `identical outside the region on ${portfolio.outside} portfolio account(s) and ${generatedOutside} generated snapshot(s) (of ${generated.runs}, seed ${gen.seed})` };
  }
  return { check, portfolio, generatedOutside, parts };
}
