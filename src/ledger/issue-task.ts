/**
 * The `issue` row of the task table (`run/tasks.ts`): each record of a batch
 * checked to be of the run's period, evaluated, and its canonical snapshot and
 * result hashed (`issue-record.ts`), so the main thread only decides and writes.
 */
import { formatError } from '../errors.js';
import { expand } from '../run/batches.js';
import { choiceOf } from '../run/rules.js';
import { claimOf, markOf, type RecordMark, type Task, type TaskOut } from '../run/tasks.js';
import { issueRecord, type IssueItem } from './issue-record.js';
import type { Snapshot } from '../model/types.js';

/** Issue a batch for `period`. */
export interface IssueTask extends Task {
  kind: 'issue';
  period: string;
  trace: boolean;
  /** what the output needs: lines are left out for csv */
  lines: boolean;
}

/** Every record of the batch, in order, and its error lines for stderr. */
export interface IssueOut extends TaskOut { kind: 'issue'; items: IssueItem[]; errorLines: string[] }

/** Runs one issue task. */
export async function work(task: IssueTask): Promise<IssueOut> {
  const choice = choiceOf(task.rules, task.limits);
  const options = { trace: task.trace, lines: task.lines };
  const items: IssueItem[] = [];
  const marks: RecordMark[] = [];
  const errorLines: string[] = [];
  for (const it of expand(task.items)) {
    const seen: { snapshot?: Snapshot } = {};
    const r: IssueItem = 'record' in it
      ? await issueRecord(it.record, choice, task.period, task.limits, options, seen)
      : { seq: it.seq, ok: false, error: it.problem };
    if (!r.ok) errorLines.push(formatError(r.error.error));
    items.push(r);
    const mark = markOf(r);
    marks.push(r.ok && 'record' in it ? Object.assign(mark, claimOf(seen.snapshot!, it.record)) : mark);
  }
  return { kind: 'issue', marks, items, errorLines };
}
