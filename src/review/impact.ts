/**
 * Money impact of the change on the portfolio (SPEC §10), through the
 * what-if engine: each record parsed once and compared with
 * `compareResults`, tallied by `WhatIfTally` (totals, migration matrix,
 * largest movers). On top of what `whatif` shows: credit per tier and per
 * commission class under each side, and every delta for the distribution.
 */
import { asRcErrors } from '../errors.js';
import { Dec, HUNDRED, ZERO, formatMoney } from '../money/decimal.js';
import type { EvaluationResult, RuleSet, Snapshot } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { readPortfolio } from '../read/portfolio.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import { evaluate } from '../evaluate/evaluate.js';
import { errorRecord, type ErrorRecord } from '../run/record.js';
import { compareResults, onSide, type WhatIfAccount, type WhatIfRow } from '../whatif/compare.js';
import { WhatIfTally, type WhatIfSummary } from '../whatif/summary.js';
import { evaluateSides, type RegionSample } from './region.js';

/** Credit of one tier (or class) under each side. */
export interface SideAmounts { baseline: string; candidate: string }

/** The impact section of a review. */
export interface Impact {
  files: string[];
  summary: WhatIfSummary;
  /** Accounts per (baseline tier, candidate tier), unchanged ones included. */
  matrix: { from: string; to: string; accounts: number }[];
  /** Credit and accounts per tier, each side under its own tiers. */
  byTier: { tier: string; baseline: { accounts: number; credit: string } | null; candidate: { accounts: number; credit: string } | null }[];
  /**
   * Credit per commission class: percentage applied × that class's value in
   * the credit base, unrounded, each side under its own classification.
   * `other` is the part of the credit base no class accounts for (payments
   * terms, affiliate totals).
   */
  byClass: { percent: number | 'other'; baseline: string; candidate: string }[];
  movers: WhatIfAccount[];
  /** Every compared account, in input order. */
  accounts: WhatIfAccount[];
  /** Records that could not be evaluated (under one side or both). */
  errors: ErrorRecord[];
}


/** Credit per class of one result (see `Impact.byClass`). */
function classCredit(r: EvaluationResult, into: Map<number | 'other', Dec>): void {
  const p = new Dec(r.creditPercent);
  if (p.isZero()) return;
  let classified = ZERO;
  for (const t of r.bases.creditBase) {
    if (t.measure !== 'value') continue;
    for (const l of r.lines) {
      if (l.source !== t.source) continue;
      const v = new Dec(l.value);
      classified = classified.plus(v);
      into.set(l.commissionable, (into.get(l.commissionable) ?? ZERO).plus(p.times(v).div(HUNDRED)));
    }
  }
  const rest = new Dec(r.creditBase).minus(classified);
  if (!rest.isZero()) into.set('other', (into.get('other') ?? ZERO).plus(p.times(rest).div(HUNDRED)));
}

/** Runs the portfolio under both sides; each account is also handed to `onSample` (the region check). */
export async function portfolioImpact(
  files: readonly string[], baseline: RuleSet, candidate: RuleSet, limits: LoadLimits,
  onSample: (s: RegionSample) => void = () => undefined, keepMovers = 10,
): Promise<Impact> {
  const scale = Math.max(baseline.rounding.scale, candidate.rounding.scale);
  const tally = new WhatIfTally(keepMovers, scale);
  const accounts: WhatIfAccount[] = [];
  const errors: ErrorRecord[] = [];
  const tiers = { baseline: new Map<string, { accounts: number; credit: Dec }>(), candidate: new Map<string, { accounts: number; credit: Dec }>() };
  const classes = { baseline: new Map<number | 'other', Dec>(), candidate: new Map<number | 'other', Dec>() };
  const addTier = (m: Map<string, { accounts: number; credit: Dec }>, r: EvaluationResult) => {
    const t = m.get(r.tier.name) ?? { accounts: 0, credit: ZERO };
    m.set(r.tier.name, { accounts: t.accounts + 1, credit: t.credit.plus(r.credit) });
  };
  for await (const item of readPortfolio(files, limits)) {
    let row: WhatIfRow;
    if (item.kind === 'problem') {
      row = { seq: item.problem.seq, ok: false, error: errorRecord([item.problem.error]) };
    } else {
      let snapshot: Snapshot | undefined;
      try {
        const located = parseSnapshotRecord(item.record, limits);
        snapshot = located.snapshot;
        const b = await evaluate(located.snapshot, baseline, located.doc).catch((e: unknown) => { throw onSide(e, 'baseline'); });
        const c = await evaluate(located.snapshot, candidate, located.doc).catch((e: unknown) => { throw onSide(e, 'candidate'); });
        row = { seq: item.record.seq, ok: true, row: compareResults(b, c) };
        onSample({ account: b.account, period: b.period, snapshot: located.snapshot, sides: { baseline: b, candidate: c } });
        addTier(tiers.baseline, b);
        addTier(tiers.candidate, c);
        classCredit(b, classes.baseline);
        classCredit(c, classes.candidate);
      } catch (err) {
        const errs = asRcErrors(err);
        row = { seq: item.record.seq, ok: false, error: errorRecord(errs, snapshot?.account, snapshot?.period) };
        if (snapshot) {
          // still a sample for the region check: rejected by one side only is a difference there
          onSample({ account: snapshot.account, period: snapshot.period, snapshot, sides: await evaluateSides(snapshot, baseline, candidate) });
        }
      }
    }
    tally.add(row);
    if (row.ok) accounts.push(row.row);
    else errors.push(row.error);
  }
  const m = tally.matrix();
  const matrix = [...m.entries()].map(([k, n]) => {
    const [from, to] = k.split(' -> ');
    return { from: from!, to: to!, accounts: n };
  });
  const names = [...new Set([...baseline.tiers.map((t) => t.name), ...candidate.tiers.map((t) => t.name)])];
  const side = (rs: RuleSet, map: Map<string, { accounts: number; credit: Dec }>, name: string) => {
    if (!rs.tiers.some((t) => t.name === name)) return null;
    const t = map.get(name);
    return { accounts: t?.accounts ?? 0, credit: (t?.credit ?? ZERO).toFixed(scale) };
  };
  const byTier = names.map((tier) => ({ tier, baseline: side(baseline, tiers.baseline, tier), candidate: side(candidate, tiers.candidate, tier) }));
  const percents = [...new Set([...baseline.commissionClasses.map((c) => c.percent), ...candidate.commissionClasses.map((c) => c.percent)])].sort((a, b) => b - a);
  const keys: (number | 'other')[] = [...percents, ...(classes.baseline.has('other') || classes.candidate.has('other') ? ['other' as const] : [])];
  const byClass = keys.map((percent) => ({
    percent,
    baseline: formatMoney(classes.baseline.get(percent) ?? ZERO, scale),
    candidate: formatMoney(classes.candidate.get(percent) ?? ZERO, scale),
  }));
  return { files: [...files], summary: tally.summary(), matrix, byTier, byClass, movers: tally.largestMovers(), accounts, errors };
}
