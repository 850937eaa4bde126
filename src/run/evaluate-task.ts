/**
 * The `evaluate` row of the task table: each record of a batch evaluated and
 * formatted as soon as it is made (NDJSON and CSV as bytes, json and text as
 * one body per record), its error lines for stderr, and a mark per record.
 */
import { formatError } from '../errors.js';
import type { OutputRecord } from '../model/records.js';
import { createBodyBuilder, type BatchOutput, type OutputFormat } from '../report/formats.js';
import { expand } from './batches.js';
import { evaluateRecord, type RuleChoice } from './record.js';
import type { RuleSet } from '../model/types.js';
import { choiceOf } from './rules.js';
import type { Snapshot } from '../model/types.js';
import { claimOf, markOf, type RecordMark, type Task, type TaskOut } from './tasks.js';

/** Evaluate a batch and format each result. */
export interface EvaluateTask extends Task {
  kind: 'evaluate';
  format: OutputFormat;
  trace: boolean;
  /** The program version: each result gets the service's `decisionId` (run/decision.ts). */
  decision?: string;
}

/**
 * What an evaluate batch gives back: its output (`BatchOutput`: bytes for
 * NDJSON and CSV, one body per record for json and text), its counts, and its
 * error lines for stderr.
 */
export interface EvaluateOut extends TaskOut {
  kind: 'evaluate'; output: BatchOutput; errorLines: string[]; records: number; evaluated: number; errors: number;
}

/** The tiers of the rule set a result names, by id (the near-miss line of the text format). */
function tiersOf(c: RuleChoice): (id: string) => RuleSet['tiers'] | undefined {
  return (id) => (c.kind === 'fixed' ? (c.ruleSet.id === id ? c.ruleSet.tiers : undefined) : c.repo.ruleSets.find((r) => r.id === id)?.tiers);
}

/** Runs one evaluate task. */
export async function work(task: EvaluateTask): Promise<EvaluateOut> {
  const choice = choiceOf(task.rules, task.limits);
  const options = { trace: task.trace, lines: task.format !== 'csv', decision: task.decision };
  // each result is formatted as soon as it is made and then let go
  const bodies = createBodyBuilder(task.format, { trace: task.trace, tiersOf: task.format === 'text' ? tiersOf(choice) : undefined });
  const marks: RecordMark[] = [];
  const errorLines: string[] = [];
  let evaluated = 0;
  for (const it of expand(task.items)) {
    const seen: { snapshot?: Snapshot } = {};
    const r: OutputRecord = 'record' in it
      ? await evaluateRecord(it.record, choice, task.limits, options, seen)
      : { seq: it.seq, ok: false, error: it.problem };
    if (r.ok) evaluated++;
    else errorLines.push(formatError(r.error.error));
    const mark = markOf(r);
    marks.push(r.ok && 'record' in it ? Object.assign(mark, claimOf(seen.snapshot!, it.record)) : mark);
    bodies.add(r);
  }
  return { kind: 'evaluate', marks, output: bodies.finish(), errorLines, records: marks.length, evaluated, errors: marks.length - evaluated };
}
