/**
 * The service's decision id (SPEC §13): one id for "this snapshot, under
 * this rule set, by this program", so a billing system can say which
 * decision it acted on and anyone can recompute it from the answer's own
 * fields. The snapshot's sha256 is the ledger's (`snapshotSha256` of an
 * entry: the sha256 of the snapshot's canonical JSON, SPEC §6), so an
 * evaluation and the entry that later issues the same snapshot name the
 * same snapshot.
 *
 * `decisionId = sha256("decision|" + rules.sha256 + "|" + snapshotSha256 + "|" + programVersion)`,
 * lower-case hex. Only the service asks for it: the CLI's output (and every
 * pinned output and regression case) stays as it was.
 */
import { createHash } from 'node:crypto';
import type { EvaluationResult } from '../model/types.js';
import { canonicalJson } from '../parse/canonical.js';

/** The decision id of a rule set's sha256, a snapshot's canonical sha256 and a program version. */
export function decisionId(rulesSha256: string, snapshotSha256: string, programVersion: string): string {
  return createHash('sha256').update(`decision|${rulesSha256}|${snapshotSha256}|${programVersion}`, 'utf8').digest('hex');
}

/** The sha256 of a snapshot's canonical JSON (its document value, as read). */
export function snapshotSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/** `result` with `decisionId` and the two inputs it is computed from besides `rules.sha256`. */
export function withDecision(result: EvaluationResult, snapshotValue: unknown, programVersion: string): EvaluationResult {
  const snapshot = snapshotSha256(snapshotValue);
  return { ...result, decisionId: decisionId(result.rules.sha256, snapshot, programVersion), snapshotSha256: snapshot, programVersion };
}
