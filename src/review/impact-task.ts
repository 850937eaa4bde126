/**
 * The `impact` row of the task table (`run/tasks.ts`): each record of a batch
 * evaluated under both sides of a review, compared, credited per tier and per
 * commission class, and placed in the change's region — in a worker, so the
 * main thread only adds up (`impact.ts`).
 */
import { asRcErrors } from '../errors.js';
import { Dec, HUNDRED, ZERO } from '../money/decimal.js';
import type { EvaluationResult, Snapshot } from '../model/types.js';
import { errorRecord } from '../model/records.js';
import { parseSnapshotRecord } from '../compose/snapshot-parse.js';
import { evaluate } from '../evaluate/evaluate.js';
import { expand } from '../run/batches.js';
import { ruleSetOf, type PinnedRules } from '../run/rules.js';
import { claimOf, markOf, type RecordMark, type Task, type TaskOut } from '../run/tasks.js';
import { compareResults, onSide, type WhatIfRow } from '../whatif/compare.js';
import { evaluateSides, regionOutcome, type Region, type RegionOutcome } from './region.js';

/** Review a batch: `rules` is the baseline. */
export interface ImpactTask extends Task {
  kind: 'impact';
  candidate: PinnedRules;
  region: Region;
}

/** One side of an account: its tier and credit, and its credit per commission class (exact decimal texts). */
export interface ImpactSide { tier: string; credit: string; classes: [number | 'other', string][] }

/** One record: its what-if row, both sides when both evaluated, and its region outcome when it parsed. */
export interface ImpactItem {
  row: WhatIfRow;
  sides?: { baseline: ImpactSide; candidate: ImpactSide };
  region?: RegionOutcome;
}

/** Every record of the batch, in order. */
export interface ImpactOut extends TaskOut { kind: 'impact'; items: ImpactItem[] }

/**
 * Credit per class of one result (see `Impact.byClass`): percentage applied ×
 * that class's value in the credit base, unrounded; `other` is the part of the
 * credit base no class accounts for.
 */
export function classCredit(r: EvaluationResult): [number | 'other', string][] {
  const into = new Map<number | 'other', Dec>();
  const p = new Dec(r.creditPercent);
  if (p.isZero()) return [];
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
  return [...into].map(([k, v]) => [k, v.toString()]);
}

const sideOf = (r: EvaluationResult): ImpactSide => ({ tier: r.tier.name, credit: r.credit, classes: classCredit(r) });

/** Runs one impact task. */
export async function work(task: ImpactTask): Promise<ImpactOut> {
  const baseline = ruleSetOf(task.rules, task.limits);
  const candidate = ruleSetOf(task.candidate, task.limits);
  const items: ImpactItem[] = [];
  const marks: RecordMark[] = [];
  for (const it of expand(task.items)) {
    let item: ImpactItem;
    let snapshot: Snapshot | undefined;
    if (!('record' in it)) {
      // a file-level problem: its first error, as the review has always reported it
      const { errors: _all, ...problem } = it.problem;
      item = { row: { seq: it.seq, ok: false, error: problem } };
    } else {
      try {
        const located = parseSnapshotRecord(it.record, task.limits);
        snapshot = located.snapshot;
        const b = await evaluate(located.snapshot, baseline, located.doc).catch((e: unknown) => { throw onSide(e, 'baseline'); });
        const c = await evaluate(located.snapshot, candidate, located.doc).catch((e: unknown) => { throw onSide(e, 'candidate'); });
        item = {
          row: { seq: it.record.seq, ok: true, row: compareResults(b, c) },
          sides: { baseline: sideOf(b), candidate: sideOf(c) },
          region: regionOutcome(task.region, { account: b.account, period: b.period, snapshot: located.snapshot, sides: { baseline: b, candidate: c } }),
        };
      } catch (err) {
        const errs = asRcErrors(err);
        item = { row: { seq: it.record.seq, ok: false, error: errorRecord(errs, snapshot?.account, snapshot?.period) } };
        if (snapshot) {
          // still a sample for the region check: rejected by one side only is a difference there
          item.region = regionOutcome(task.region, { account: snapshot.account, period: snapshot.period, snapshot, sides: await evaluateSides(snapshot, baseline, candidate) });
        }
      }
    }
    items.push(item);
    marks.push(item.row.ok && 'record' in it
      ? { seq: item.row.seq, ok: true, account: item.row.row.account, period: item.row.row.period, ...claimOf(snapshot!, it.record) }
      : markOf(item.row));
  }
  return { kind: 'impact', marks, items };
}
