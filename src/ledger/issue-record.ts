/**
 * One raw record of an `issue` run, in a worker: parsed, checked to be of the
 * run's period, evaluated under the rule set chosen by period, and its parsed
 * document canonicalized and hashed (SPEC §6 canonical JSON), so the main
 * thread only decides and writes.
 */
import { RcError, asRcErrors } from '../errors.js';
import { sha256Hex, type EntryResult } from './entry.js';
import { ledgerAccountKey } from './account-key.js';
import { canonicalJson } from '../parse/canonical.js';
import type { LoadLimits } from '../limits.js';
import { formatPath } from '../parse/source-doc.js';
import { chooseRuleSet, type RuleChoice } from '../run/record.js';
import { errorRecord, type ErrorRecord } from '../model/records.js';
import { evaluate, type EvaluateOptions } from '../evaluate/evaluate.js';
import { parseSnapshotRecord, type RawRecord } from '../compose/snapshot-parse.js';
import type { EvaluationResult, RuleSet, Snapshot } from '../model/types.js';
import type { LocatedSnapshot } from '../validate/snapshot-checks.js';

/** An evaluated record with its canonical snapshot, or an error record. */
export type IssueItem =
  | {
    seq: number; ok: true; result: EvaluationResult; snapshotJson: string; snapshotSha256: string; rounding: RuleSet['rounding']; entryResult: EntryResult; resultJson: string;
    /** the managed and referred accounts the snapshot claims, one per account key (the ledger records them: SPEC §4) */
    claims: { account: string; key: string }[];
  }
  | { seq: number; ok: false; error: ErrorRecord };

/**
 * Evaluates one record of an issue run for `period`; never throws for bad
 * input. `seen`, when given, receives the validated snapshot (for the mark's claim).
 */
export async function issueRecord(
  raw: RawRecord, choice: RuleChoice, period: string, limits: LoadLimits, options: EvaluateOptions = {}, seen?: { snapshot?: Snapshot },
): Promise<IssueItem> {
  let located: LocatedSnapshot | undefined;
  try {
    located = parseSnapshotRecord(raw, limits);
    const s = located.snapshot;
    if (seen) seen.snapshot = s;
    if (s.period !== period) {
      const path = ['period'];
      throw new RcError('WRONG_PERIOD', `snapshot of period ${s.period} in a run issuing ${period}; issue it with --period ${s.period}`,
        { file: located.doc.file, ...located.doc.locate(path), path: formatPath(path), account: s.account });
    }
    const rs = chooseRuleSet(choice, located);
    const result = await evaluate(s, rs, located.doc, options);
    const snapshotJson = canonicalJson(located.doc.value);
    const er = entryResult(result);
    return {
      seq: raw.seq, ok: true, result, snapshotJson, snapshotSha256: sha256Hex(snapshotJson), rounding: rs.rounding,
      entryResult: er, resultJson: canonicalJson(er), claims: claimsOf(s),
    };
  } catch (err) {
    const errors = asRcErrors(err);
    return { seq: raw.seq, ok: false, error: errorRecord(errors, located?.snapshot.account, located?.snapshot.period) };
  }
}

/** The managed and referred accounts of `s`, one per account key. */
function claimsOf(s: Snapshot): { account: string; key: string }[] {
  const out = new Map<string, string>();
  for (const a of [...s.managedAccounts, ...(s.linkedAffiliate?.referredAccounts ?? [])]) {
    const key = ledgerAccountKey(a.account);
    if (!out.has(key)) out.set(key, a.account);
  }
  return [...out].map(([key, account]) => ({ account, key }));
}

/** The figures an entry records of a result. */
export function entryResult(r: EvaluationResult): EntryResult {
  return {
    tier: r.tier.name, creditPercent: r.creditPercent, tierBasis: r.tierBasis, creditBase: r.creditBase,
    charges: r.statement.charges, credit: r.credit, eligible: r.eligibility.eligible, reasons: r.eligibility.reasons,
  };
}
