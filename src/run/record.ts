/**
 * One portfolio record → one output record: a result, or an error record in
 * its place. Every record comes out; nothing is dropped.
 */
import { RcError, asRcErrors } from '../errors.js';
import { errorRecord, type OutputRecord } from '../model/records.js';
import type { RuleSet } from '../model/types.js';
import type { LoadLimits } from '../limits.js';
import { selectForPeriod, type RuleRepository } from '../compose/rules-dir.js';
import { parseSnapshotRecord, type RawRecord } from '../compose/snapshot-parse.js';
import { formatPath } from '../parse/source-doc.js';
import type { LocatedSnapshot } from '../validate/snapshot-checks.js';
import { evaluate, type EvaluateOptions } from '../evaluate/evaluate.js';
import { Dec } from '../money/decimal.js';
import type { CompiledRuleSet } from '../compile/compile.js';
import type { EvaluationResult, Snapshot } from '../model/types.js';
import type { SourceDoc } from '../parse/source-doc.js';
import { readSnapshot } from '../compose/snapshot-input.js';
import { withDecision } from './decision.js';

/** Options of `evaluateRecord`: the engine's, and `decision` (the program version) to add the service's `decisionId`. */
export interface RecordOptions extends EvaluateOptions { decision?: string }

/** Which rule set a snapshot is evaluated under. */
export type RuleChoice =
  | { kind: 'fixed'; ruleSet: RuleSet }
  | { kind: 'by-period'; repo: Pick<RuleRepository, 'dir' | 'ruleSets'> };

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

/**
 * Parses, validates and evaluates one raw record; never throws for bad input.
 * `seen`, when given, receives the validated snapshot (the task puts its
 * account ids on the record's mark for the run's duplicate check).
 */
export async function evaluateRecord(
  raw: RawRecord, choice: RuleChoice, limits: LoadLimits, options: RecordOptions = {}, seen?: { snapshot?: Snapshot },
): Promise<OutputRecord> {
  let located: LocatedSnapshot | undefined;
  try {
    located = parseSnapshotRecord(raw, limits);
    if (seen) seen.snapshot = located.snapshot;
    const rs = chooseRuleSet(choice, located);
    const result = await evaluate(located.snapshot, rs, located.doc, options);
    return { seq: raw.seq, ok: true, result: options.decision === undefined ? result : withDecision(result, located.doc.value, options.decision) };
  } catch (err) {
    const errors = asRcErrors(err);
    return { seq: raw.seq, ok: false, error: errorRecord(errors, located?.snapshot.account, located?.snapshot.period) };
  }
}

/** Whether `s` is a snapshot as validation leaves it (its charges are decimals), not plain data. */
function isValidated(s: unknown): s is Snapshot {
  const items = (s as { lineItems?: unknown } | null)?.lineItems;
  return Array.isArray(items) && Array.isArray((s as { managedAccounts?: unknown }).managedAccounts)
    && items.every((l) => Dec.isDecimal((l as { charge?: unknown } | null)?.charge));
}

/**
 * The library's `evaluate`: one snapshot under one rule set. The snapshot may
 * be what validation gives (`parseSnapshotRecord`, `toSnapshot`), or plain
 * data shaped like a snapshot file, or the text of one — then it is validated
 * first, as the command line validates a file, and bad data throws `RcErrors`.
 */
export async function evaluateSnapshot(
  snapshot: Snapshot | object | string, ruleSet: RuleSet | CompiledRuleSet, doc?: SourceDoc, options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  if (isValidated(snapshot)) return evaluate(snapshot, ruleSet, doc, options);
  const located = readSnapshot(snapshot, { file: doc?.file });
  return evaluate(located.snapshot, ruleSet, located.doc, options);
}
