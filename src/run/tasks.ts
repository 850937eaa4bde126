/**
 * The unit of parallel work: a batch of raw records and what to do with them.
 * `runTask` is pure with respect to its input and runs the same in a worker
 * thread and inline (`--jobs 1`), so output is identical byte for byte.
 */
import { formatError } from '../errors.js';
import { evaluateRecord, type ErrorRecord, type OutputRecord, type RuleChoice } from './record.js';
import type { LoadLimits } from '../limits.js';
import { resolveRuleSet } from '../compose/resolve-rule-set.js';
import { loadRules } from '../compose/rules-dir.js';
import type { RawRecord } from '../read/raw-record.js';
import { chunkRecords, type LinesChunk } from '../read/ndjson-chunks.js';
import type { RuleSet } from '../model/types.js';
import { createBodyBuilder, type BatchOutput, type OutputFormat } from '../report/formats.js';
import { compareRecord, type WhatIfRow } from '../whatif/compare.js';
import { issueRecord, type IssueItem } from '../ledger/issue-record.js';

/** How a worker finds its rule sets: the folder, and an id or file (none: by period). */
export interface RulesSpec {
  rulesDir: string;
  ref?: string;
  /**
   * The run's id: the folder (and a rule set file) is read afresh for each
   * new stamp, so that in a long-lived process (the library) every run sees
   * the rule sets as they are when it starts, not as an earlier run read them;
   * the batches of one run share one reading. Without a stamp the first
   * reading is kept for the life of the thread.
   */
  stamp?: string;
}

/** A record to evaluate, a chunk of NDJSON lines (split here), or a file-level problem that stands in its place. */
export type BatchItem = { record: RawRecord } | { lines: LinesChunk } | { seq: number; problem: ErrorRecord };

/** The items of a batch with NDJSON chunks split into their records. */
function* expand(items: readonly BatchItem[]): Generator<{ record: RawRecord } | { seq: number; problem: ErrorRecord }> {
  for (const it of items) {
    if ('lines' in it) for (const record of chunkRecords(it.lines)) yield { record };
    else yield it;
  }
}

/** Evaluate a batch and format each result. */
export interface EvaluateTask {
  kind: 'evaluate';
  rules: RulesSpec;
  format: OutputFormat;
  trace: boolean;
  limits: LoadLimits;
  items: BatchItem[];
  /**
   * An `issue` run of this period: snapshots of another period are error
   * records, and the batch comes back as `issued` (results with their
   * canonical snapshot and its sha256) instead of formatted bodies, since
   * what is printed depends on the ledger.
   */
  issuePeriod?: string;
}

/** Compare a batch under two rule sets. */
export interface WhatIfTask {
  kind: 'whatif';
  rulesDir: string;
  baseline: string;
  candidate: string;
  /** the run's id (see `RulesSpec.stamp`) */
  stamp?: string;
  limits: LoadLimits;
  items: BatchItem[];
}

export type Task = EvaluateTask | WhatIfTask;

/**
 * What an evaluate batch gives back: its output (`BatchOutput`: bytes for
 * NDJSON and CSV, one body per record for json and text; none for `issue`),
 * its counts, and its error lines for stderr.
 */
export interface EvaluateOut {
  kind: 'evaluate'; output?: BatchOutput; errorLines: string[]; records: number; evaluated: number; errors: number;
  /** With `issuePeriod`: every record, in order. */
  issued?: IssueItem[];
}
/** Rows of a what-if batch, in order. */
export interface WhatIfOut { kind: 'whatif'; rows: WhatIfRow[] }
export type TaskOut = EvaluateOut | WhatIfOut;

// Rule sets are loaded and compiled once per thread and reused for every batch.
const choices = new Map<string, RuleChoice>();
const refs = new Map<string, RuleSet>();

const stamps = new Map<string, string>();

/** Drops what `cache` holds under `key` when it was read for another run than `stamp`. */
function refresh(cache: Map<string, unknown>, key: string, stamp: string | undefined): void {
  if (stamp !== undefined && stamps.get(key) !== stamp) {
    cache.delete(key);
    stamps.set(key, stamp);
  }
}

function choiceFor(spec: RulesSpec): RuleChoice {
  const key = JSON.stringify({ rulesDir: spec.rulesDir, ref: spec.ref });
  refresh(choices, key, spec.stamp);
  let c = choices.get(key);
  if (!c) {
    const repo = loadRules(spec.rulesDir);
    c = spec.ref ? { kind: 'fixed', ruleSet: resolveRuleSet(repo, spec.ref) } : { kind: 'by-period', repo };
    choices.set(key, c);
  }
  return c;
}

function ruleSetFor(rulesDir: string, ref: string, stamp: string | undefined): RuleSet {
  const key = JSON.stringify({ rulesDir, ref, whatif: true });
  refresh(refs, key, stamp);
  let rs = refs.get(key);
  if (!rs) {
    rs = resolveRuleSet(loadRules(rulesDir), ref);
    refs.set(key, rs);
  }
  return rs;
}

/**
 * Evaluates (or issues) each record of `items` with `one`, in order, and
 * hands each outcome to `sink` as soon as it is made; a file-level problem
 * stands as its error record. Counts into `out`.
 */
async function runRecords<R extends OutputRecord | IssueItem>(
  items: readonly BatchItem[], out: EvaluateOut, one: (raw: RawRecord) => Promise<R>, sink: (r: R) => void,
): Promise<void> {
  for (const it of expand(items)) {
    const r = 'record' in it ? await one(it.record) : ({ seq: it.seq, ok: false, error: it.problem } as R);
    out.records++;
    if (r.ok) out.evaluated++;
    else {
      out.errors++;
      out.errorLines.push(formatError(r.error.error));
    }
    sink(r);
  }
}

/** Runs one task. */
export async function runTask(task: Task): Promise<TaskOut> {
  if (task.kind === 'whatif') {
    const b = ruleSetFor(task.rulesDir, task.baseline, task.stamp);
    const c = ruleSetFor(task.rulesDir, task.candidate, task.stamp);
    const rows: WhatIfRow[] = [];
    for (const it of expand(task.items)) {
      rows.push('record' in it
        ? await compareRecord(it.record, b, c, task.limits)
        : { seq: it.seq, ok: false, error: it.problem });
    }
    return { kind: 'whatif', rows };
  }
  const choice = choiceFor(task.rules);
  const out: EvaluateOut = { kind: 'evaluate', errorLines: [], records: 0, evaluated: 0, errors: 0 };
  const options = { trace: task.trace, lines: task.format !== 'csv' };
  const period = task.issuePeriod;
  if (period !== undefined) {
    const issued: IssueItem[] = [];
    await runRecords(task.items, out, (raw) => issueRecord(raw, choice, period, task.limits, options), (r) => issued.push(r));
    out.issued = issued;
    return out;
  }
  // each result is formatted as soon as it is made and then let go
  const bodies = createBodyBuilder(task.format, { trace: task.trace });
  await runRecords(task.items, out, (raw) => evaluateRecord(raw, choice, task.limits, options), (r) => bodies.add(r));
  out.output = bodies.finish();
  return out;
}

