/**
 * What-if for one account: the same snapshot, parsed once, evaluated under a
 * baseline and a candidate rule set, and the difference.
 */
import { asRcErrors, RcError, RcErrors } from '../errors.js';
import { Dec } from '../money/decimal.js';
import type { EvaluationResult, RuleSet, Snapshot } from '../model/types.js';
import type { SourceDoc } from '../parse/source-doc.js';
import type { LoadLimits } from '../limits.js';
import { parseSnapshotRecord, type RawRecord } from '../compose/snapshot-parse.js';
import { errorRecord, type ErrorRecord } from '../model/records.js';
import { creditTexts, decide, type Decided } from '../evaluate/evaluate.js';

/** One side of a comparison. */
export interface WhatIfSide { tier: string; creditPercent: string; credit: string }

/** One account compared (SPEC §5 `accounts[]`). */
export interface WhatIfAccount {
  account: string;
  period: string;
  baseline: WhatIfSide;
  candidate: WhatIfSide;
  /** candidate credit − baseline credit */
  delta: string;
}

/** A compared account, or the error that kept it out (in input order). */
export type WhatIfRow = { seq: number; ok: true; row: WhatIfAccount } | { seq: number; ok: false; error: ErrorRecord };

const side = (r: EvaluationResult): WhatIfSide => ({ tier: r.tier.name, creditPercent: r.creditPercent, credit: r.credit });

/** One side as `evaluate` would print it (the same texts), from the decision alone. */
const decidedSide = (d: Decided): WhatIfSide => ({ tier: d.tier.name, ...creditTexts(d) });

/** Compares two already-evaluated results of the same snapshot. */
export function compareResults(b: EvaluationResult, c: EvaluationResult): WhatIfAccount {
  return compareSides(b.account, b.period, side(b), side(c));
}

function compareSides(account: string, period: string, b: WhatIfSide, c: WhatIfSide): WhatIfAccount {
  const delta = new Dec(c.credit).minus(b.credit);
  const scale = Math.max((b.credit.split('.')[1] ?? '').length, (c.credit.split('.')[1] ?? '').length);
  return { account, period, baseline: b, candidate: c, delta: delta.toFixed(scale) };
}

/**
 * Evaluates one snapshot under both rule sets; throws `RcErrors` naming the
 * side that failed. Only the decisions are made (`decide`): the rest of a
 * result, which the comparison does not show, is never written out.
 */
export async function compareSnapshot(snapshot: Snapshot, baseline: RuleSet, candidate: RuleSet, doc?: SourceDoc): Promise<WhatIfAccount> {
  const opts = { trace: false, lines: false };
  const b = await decide(snapshot, baseline, doc, opts).catch((e: unknown) => { throw onSide(e, 'baseline'); });
  const c = await decide(snapshot, candidate, doc, opts).catch((e: unknown) => { throw onSide(e, 'candidate'); });
  return compareSides(snapshot.account, snapshot.period, decidedSide(b), decidedSide(c));
}

/**
 * Parses `raw` once and evaluates it under both rule sets. Never throws for
 * bad input. `seen`, when given, receives the validated snapshot (for the mark's claim).
 */
export async function compareRecord(
  raw: RawRecord, baseline: RuleSet, candidate: RuleSet, limits: LoadLimits, seen?: { snapshot?: Snapshot },
): Promise<WhatIfRow> {
  let account: string | undefined;
  let period: string | undefined;
  try {
    const { snapshot, doc } = parseSnapshotRecord(raw, limits);
    if (seen) seen.snapshot = snapshot;
    account = snapshot.account;
    period = snapshot.period;
    return { seq: raw.seq, ok: true, row: await compareSnapshot(snapshot, baseline, candidate, doc) };
  } catch (err) {
    return { seq: raw.seq, ok: false, error: errorRecord(asRcErrors(err), account, period) };
  }
}

/** The errors of one side, each message prefixed with the side's name. */
export function onSide(err: unknown, which: 'baseline' | 'candidate'): RcErrors {
  return new RcErrors(asRcErrors(err).map((e) => new RcError(e.code, `${which}: ${e.message}`,
    { file: e.file, line: e.line, column: e.column, path: e.path, account: e.account })));
}
