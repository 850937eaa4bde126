/** Snapshots for tests, read through the real record parser (schema, amounts, positions). */
import { stringify } from 'yaml';
import { asRcErrors, type RcError } from '../../src/errors.js';
import { resolveLimits, type LoadLimits } from '../../src/limits.js';
import { parseSnapshotRecord } from '../../src/compose/snapshot-parse.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { EvaluationResult, RuleSet } from '../../src/model/types.js';
import type { LocatedSnapshot } from '../../src/validate/snapshot-checks.js';

/** Text of a snapshot file, as YAML or JSON. */
export interface SnapshotText { text: string; format: 'yaml' | 'json'; file?: string }

/** Parses one snapshot record; throws `RcError`/`RcErrors` when it is invalid. */
export function readSnapshot(s: SnapshotText, limits: Partial<LoadLimits> = {}): LocatedSnapshot {
  const file = s.file ?? `snapshot.${s.format}`;
  return parseSnapshotRecord({ seq: 0, file, line: 1, column: 1, text: s.text, format: s.format }, resolveLimits(limits));
}

/** A snapshot object written as JSON or YAML text. */
export function snapshotText(snapshot: unknown, format: 'yaml' | 'json'): SnapshotText {
  return { format, text: format === 'json' ? JSON.stringify(snapshot) : stringify(snapshot, { aliasDuplicateObjects: false }) };
}

/** Parses and evaluates; the result, or the errors that stopped it (never a thrown bug). */
export async function evaluateText(
  s: SnapshotText, ruleSet: RuleSet, limits: Partial<LoadLimits> = {}, options: { trace?: boolean } = {},
): Promise<{ result?: EvaluationResult; errors: RcError[] }> {
  try {
    const located = readSnapshot(s, limits);
    return { result: await evaluate(located.snapshot, ruleSet, located.doc, { trace: options.trace ?? false }), errors: [] };
  } catch (err) {
    return { errors: asRcErrors(err) };
  }
}
