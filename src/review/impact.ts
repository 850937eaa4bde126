/**
 * Money impact of the change on the portfolio (SPEC §10), through the
 * what-if engine: each record parsed once and compared with
 * `compareResults`, tallied by `WhatIfTally` (totals, migration matrix,
 * largest movers). On top of what `whatif` shows: credit per tier and per
 * commission class under each side, and every delta for the distribution.
 */
import { Dec, ZERO, formatMoney } from '../money/decimal.js';
import type { RuleSet } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import type { ErrorRecord } from '../model/records.js';
import { pinRules } from '../run/rules.js';
import { runHeld } from '../run/held-items.js';
import type { WhatIfAccount } from '../whatif/compare.js';
import { AccountSpool } from './account-spool.js';
import { WhatIfTally, type WhatIfSummary } from '../whatif/summary.js';
import type { Region, RegionOutcome } from './region.js';
import type { ImpactItem, ImpactOut, ImpactTask } from './impact-task.js';

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
  /** Every compared account, in input order: kept in a temporary file, read back when the JSON report is written. */
  accounts: AccountSpool;
  /** Records that could not be evaluated (under one side or both). */
  errors: ErrorRecord[];
}


/** Options of an impact run beyond the two rule sets. */
export interface ImpactRunOptions {
  /** worker threads (default 1: this thread) */
  jobs?: number;
  /** the region the check tallies against (`deriveRegion`) */
  region: Region;
  /** each account's region outcome, in input order (the region check's tally) */
  onRegion?: (o: RegionOutcome) => void;
  keepMovers?: number;
}

/**
 * Runs the portfolio under both sides through the run engine (the `impact`
 * row of `run/tasks.ts`): the workers evaluate, compare and place each record
 * in the region; this thread only adds up. Records refused by the run's
 * duplicate check (SPEC §4 "In one run": both claims on one account) are
 * errors and count in no tally (tiers, classes, movers, region): the items
 * are held (`run/held-items.ts`) and added up once the input has ended.
 */
export async function portfolioImpact(
  files: readonly string[], baseline: RuleSet, candidate: RuleSet, limits: LoadLimits, opts: ImpactRunOptions,
): Promise<Impact> {
  const scale = Math.max(baseline.rounding.scale, candidate.rounding.scale);
  const tally = new WhatIfTally(opts.keepMovers ?? 10, scale);
  const accounts = new AccountSpool();
  const errors: ErrorRecord[] = [];
  const tiers = { baseline: new Map<string, { accounts: number; credit: Dec }>(), candidate: new Map<string, { accounts: number; credit: Dec }>() };
  const classes = { baseline: new Map<number | 'other', Dec>(), candidate: new Map<number | 'other', Dec>() };
  const addTier = (m: Map<string, { accounts: number; credit: Dec }>, t: { tier: string; credit: string }) => {
    const x = m.get(t.tier) ?? { accounts: 0, credit: ZERO };
    m.set(t.tier, { accounts: x.accounts + 1, credit: x.credit.plus(t.credit) });
  };
  const addClasses = (into: Map<number | 'other', Dec>, from: [number | 'other', string][]) => {
    for (const [k, v] of from) into.set(k, (into.get(k) ?? ZERO).plus(v));
  };
  const rules = pinRules({ kind: 'fixed', ruleSet: baseline });
  const other = pinRules({ kind: 'fixed', ruleSet: candidate });
  const add = (item: ImpactItem): void => {
    const row = item.row;
    if (item.region) opts.onRegion?.(item.region);
    if (item.sides) {
      addTier(tiers.baseline, item.sides.baseline);
      addTier(tiers.candidate, item.sides.candidate);
      addClasses(classes.baseline, item.sides.baseline.classes);
      addClasses(classes.candidate, item.sides.candidate.classes);
    }
    tally.add(row);
    if (row.ok) accounts.add(row.row);
    else errors.push(row.error);
  };
  const { refused, held } = await runHeld<ImpactTask, ImpactOut, ImpactItem>(files, {
    limits, jobs: opts.jobs ?? 1,
    task: (items) => ({ kind: 'impact', rules, candidate: other, region: opts.region, limits, items }),
    itemsOf: (out) => out.items,
  });
  await held.drain((index) => {
    const error = refused.get(index);
    return error && { row: { seq: index, ok: false, error } };
  }, add);
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
