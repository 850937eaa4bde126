/**
 * The task table: every portfolio command is a row (SPEC §7's commands that
 * stream a portfolio). A row names the module that does one batch of that
 * command's work — `work(task)`, in a worker thread or inline, the same code
 * either way, so output is identical byte for byte. The modules live with
 * their features (floors above this one), so the table names them by path
 * instead of importing them; a thread loads a module the first time it gets
 * a task of its kind. Adding a portfolio command adds a row here and a task
 * module in its feature's folder; the engine (`engine.ts`) does not change.
 */
import type { LoadLimits } from '../limits.js';
import type { BatchItem } from './batches.js';
import type { PinnedRules } from './rules.js';
import { accountsOfSnapshot, claimLines, type ClaimLines } from '../validate/run-duplicates.js';

/** Kind → the task module, relative to this file (in dist/ as in src/). */
export const TASKS = {
  /** `evaluate`: results formatted as the run's output (`run/evaluate-task.ts`) */
  evaluate: './evaluate-task.js',
  /** `whatif`: each record under two rule sets (`whatif/task.ts`) */
  whatif: '../whatif/task.js',
  /** `issue`: results with their canonical snapshot and hashes, for the ledger (`ledger/issue-task.ts`) */
  issue: '../ledger/issue-task.js',
  /** `review`'s money impact: both sides and the region sample of each record (`review/impact-task.ts`) */
  impact: '../review/impact-task.js',
} as const;

export type TaskKind = keyof typeof TASKS;

/** What every task carries; a kind adds its own fields. */
export interface Task {
  kind: TaskKind;
  /** the run's rule sets, pinned when it started */
  rules: PinnedRules;
  limits: LoadLimits;
  items: BatchItem[];
}

/**
 * One record as the main thread's ordered hook sees it, whatever the task:
 * where run-wide checks (the same account twice in one run) are made.
 */
export interface RecordMark {
  seq: number;
  ok: boolean;
  /** the snapshot's account and period, when it got that far */
  account?: string;
  period?: string;
  /**
   * The account keys the record claims with where it starts (`file:line`), as
   * the run's duplicate check stores them (SPEC §4 "In one run";
   * `validate/run-duplicates.ts` `claimLines`): built by the worker on records
   * that evaluated, so the main thread never re-reads a snapshot or folds a key.
   */
  claims?: ClaimLines;
}

/** What every task gives back; a kind adds its own fields. */
export interface TaskOut {
  kind: TaskKind;
  /** every record of the batch, in order */
  marks: RecordMark[];
}

/** A task module: one batch of a kind's work. */
export interface TaskModule<T extends Task = Task, O extends TaskOut = TaskOut> {
  work(task: T): Promise<O>;
}

const modules = new Map<TaskKind, Promise<TaskModule>>();

/** The module of `kind`, loaded once per thread. */
function moduleOf(kind: TaskKind): Promise<TaskModule> {
  let m = modules.get(kind);
  if (!m) {
    if (!Object.hasOwn(TASKS, kind)) return Promise.reject(new Error(`internal: no task of kind ${String(kind)}`));
    m = import(new URL(TASKS[kind], import.meta.url).href) as Promise<TaskModule>;
    modules.set(kind, m);
  }
  return m;
}

/** Runs one task, here (inline) or in a worker (`worker.ts`). */
export async function runTask(task: Task): Promise<TaskOut> {
  return (await moduleOf(task.kind)).work(task);
}

/** The mark of an output record. */
export function markOf(r: { seq: number; ok: boolean; result?: { account: string; period: string }; error?: { account?: string; period?: string } }): RecordMark {
  const who = r.ok ? r.result : r.error;
  return { seq: r.seq, ok: r.ok, ...(who?.account !== undefined ? { account: who.account } : {}), ...(who?.period !== undefined ? { period: who.period } : {}) };
}

/** The claim field of a mark (`RecordMark.claims`) for a snapshot of `period` read from `raw`. */
export function claimOf(
  snapshot: Parameters<typeof accountsOfSnapshot>[0] & { period: string }, raw: { file: string; line: number },
): { claims: ClaimLines } {
  return { claims: claimLines({ period: snapshot.period, accounts: accountsOfSnapshot(snapshot), where: `${raw.file}:${raw.line}` }) };
}
