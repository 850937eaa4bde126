/**
 * `whatIf` for library users: snapshots already in memory, compared under two
 * rule sets, with the same shape as `whatif --format json` (SPEC §5).
 */
import { asRcErrors } from '../errors.js';
import { errorRecord, type ErrorRecord } from '../model/records.js';
import type { RuleSet, Snapshot } from '../model/types.js';
import { compareSnapshot, type WhatIfAccount, type WhatIfRow } from './compare.js';
import { WhatIfTally, type WhatIfSummary } from './summary.js';

/** The full comparison of a portfolio. */
export interface WhatIfReport {
  baseline: { id: string; sha256: string };
  candidate: { id: string; sha256: string };
  /** One entry per snapshot, in order: a comparison or an error record. */
  accounts: (WhatIfAccount | ErrorRecord)[];
  summary: WhatIfSummary;
}

/** Compares every snapshot under `baseline` and `candidate`. */
export async function whatIf(snapshots: readonly Snapshot[], baseline: RuleSet, candidate: RuleSet): Promise<WhatIfReport> {
  const tally = new WhatIfTally(10, Math.max(baseline.rounding.scale, candidate.rounding.scale));
  const accounts: (WhatIfAccount | ErrorRecord)[] = [];
  let seq = 0;
  for (const s of snapshots) {
    let row: WhatIfRow;
    try {
      row = { seq, ok: true, row: await compareSnapshot(s, baseline, candidate) };
    } catch (err) {
      row = { seq, ok: false, error: errorRecord(asRcErrors(err), s.account, s.period) };
    }
    seq++;
    tally.add(row);
    accounts.push(row.ok ? row.row : row.error);
  }
  return {
    baseline: { id: baseline.id, sha256: baseline.sha256 },
    candidate: { id: candidate.id, sha256: candidate.sha256 },
    accounts,
    summary: tally.summary(),
  };
}
