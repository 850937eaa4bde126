/**
 * One portfolio record → one output record: a result, or an error record in
 * its place. Every record comes out; nothing is dropped.
 */
import { RcError, asRcErrors, type ErrorRecordBody } from '../errors.js';
import type { EvaluationResult, RuleSet } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { selectForPeriod, type RuleRepository } from '../compose/rules-dir.js';
import { parseSnapshotRecord, type RawRecord } from '../compose/snapshot-parse.js';
import { formatPath } from '../parse/source-doc.js';
import type { LocatedSnapshot } from '../validate/snapshot-checks.js';
import { evaluate, type EvaluateOptions } from '../evaluate/evaluate.js';

/** Which rule set a snapshot is evaluated under. */
export type RuleChoice =
  | { kind: 'fixed'; ruleSet: RuleSet }
  | { kind: 'by-period'; repo: RuleRepository };

/** An error in place of a result (SPEC §5). */
export interface ErrorRecord {
  account?: string;
  period?: string;
  error: ErrorRecordBody;
  /** All problems of the record when there are several; `error` is the first. */
  errors?: ErrorRecordBody[];
}

/** What one input record becomes. */
export type OutputRecord =
  | { seq: number; ok: true; result: EvaluationResult }
  | { seq: number; ok: false; error: ErrorRecord };

/** The rule set for `located`, or a positioned NO_RULE_SET error. */
export function chooseRuleSet(choice: RuleChoice, located: LocatedSnapshot): RuleSet {
  if (choice.kind === 'fixed') return choice.ruleSet;
  const period = located.snapshot.period;
  const rs = selectForPeriod(choice.repo, period);
  if (rs) return rs;
  const path = ['period'];
  throw new RcError('NO_RULE_SET',
    `no published rule set in ${choice.repo.dir}/ is effective on ${period}-01; publish one for this period or pass --rules-version`,
    { file: located.doc.file, ...located.doc.locate(path), path: formatPath(path), account: located.snapshot.account });
}

/** Parses, validates and evaluates one raw record; never throws for bad input. */
export async function evaluateRecord(raw: RawRecord, choice: RuleChoice, limits: LoadLimits, options: EvaluateOptions = {}): Promise<OutputRecord> {
  let located: LocatedSnapshot | undefined;
  try {
    located = parseSnapshotRecord(raw, limits);
    const rs = chooseRuleSet(choice, located);
    return { seq: raw.seq, ok: true, result: await evaluate(located.snapshot, rs, located.doc, options) };
  } catch (err) {
    const errors = asRcErrors(err);
    return { seq: raw.seq, ok: false, error: errorRecord(errors, located?.snapshot.account, located?.snapshot.period) };
  }
}

/** Builds the error record of a list of errors (the first is the headline). */
export function errorRecord(errors: readonly RcError[], account?: string, period?: string): ErrorRecord {
  const first = errors[0]!;
  const acct = account ?? first.account;
  const rec: ErrorRecord = {
    ...(acct !== undefined ? { account: acct } : {}),
    ...(period !== undefined ? { period } : {}),
    error: first.toJSON(),
  };
  if (errors.length > 1) rec.errors = errors.map((e) => e.toJSON());
  return rec;
}

