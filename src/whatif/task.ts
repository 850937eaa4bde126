/** The `whatif` row of the task table (`run/tasks.ts`): each record of a batch compared under two rule sets. */
import { expand } from '../run/batches.js';
import { ruleSetOf, type PinnedRules } from '../run/rules.js';
import { claimOf, markOf, type RecordMark, type Task, type TaskOut } from '../run/tasks.js';
import { compareRecord, type WhatIfRow } from './compare.js';
import type { Snapshot } from '../model/types.js';

/** Compare a batch under two rule sets: `rules` is the baseline. */
export interface WhatIfTask extends Task {
  kind: 'whatif';
  candidate: PinnedRules;
}

/** Rows of a what-if batch, in order. */
export interface WhatIfOut extends TaskOut { kind: 'whatif'; rows: WhatIfRow[] }

/** Runs one what-if task. */
export async function work(task: WhatIfTask): Promise<WhatIfOut> {
  const b = ruleSetOf(task.rules, task.limits);
  const c = ruleSetOf(task.candidate, task.limits);
  const rows: WhatIfRow[] = [];
  const marks: RecordMark[] = [];
  for (const it of expand(task.items)) {
    const seen: { snapshot?: Snapshot } = {};
    const row: WhatIfRow = 'record' in it
      ? await compareRecord(it.record, b, c, task.limits, seen)
      : { seq: it.seq, ok: false, error: it.problem };
    rows.push(row);
    marks.push(row.ok && 'record' in it
      ? { seq: row.seq, ok: true, account: row.row.account, period: row.row.period, ...claimOf(seen.snapshot!, it.record) }
      : markOf(row));
  }
  return { kind: 'whatif', marks, rows };
}
