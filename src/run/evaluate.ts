/**
 * `evaluate` over a portfolio on all cores: batches go to the workers, the
 * formatted results come back in input order and are written as they come.
 */
import { createFramer, type BatchOutput, type OutputFormat } from '../report/formats.js';
import { resolveRuleSet } from '../compose/resolve-rule-set.js';
import { loadRules } from '../compose/rules-dir.js';
import type { RunCounts } from './sequential.js';
import { runEngine, type RunInputOptions } from './engine.js';
import type { PoolStats, TaskRunner } from './pool.js';
import type { RuleChoice } from './record.js';
import { pinRules } from './rules.js';
import type { EvaluateOut, EvaluateTask } from './evaluate-task.js';
import type { RecordMark } from './tasks.js';

/** Where a run's rule sets come from: the folder, and an id or file (none: by period). */
export interface RulesSpec {
  rulesDir: string;
  ref?: string;
}

/**
 * The rule choice of `spec`, read now: the run pins what this returns
 * (`run/rules.ts`). Throws `NoRuleSetError` for a reference that names no
 * usable rule set.
 */
export function readRuleChoice(spec: RulesSpec): RuleChoice {
  const repo = loadRules(spec.rulesDir);
  return spec.ref ? { kind: 'fixed', ruleSet: resolveRuleSet(repo, spec.ref) } : { kind: 'by-period', repo };
}

/** Options of a parallel evaluate run. */
export interface EvaluateRunOptions extends RunInputOptions {
  rules: RulesSpec;
  /** The rule choice already read by the caller (the command line reads it to report problems first); default: read from `rules` when the run starts. */
  choice?: RuleChoice;
  format: OutputFormat;
  trace?: boolean;
  /** The program version: each result gets the service's `decisionId` (run/decision.ts); the CLI leaves it out. */
  decision?: string;
  /** Told at the end what the run used: the most worker threads at once and the batches. */
  onPoolStats?: (stats: PoolStats) => void;
  /** Receives the output text in order; awaited (backpressure). */
  write: (text: string) => Promise<void> | void;
  /**
   * Receives each batch of NDJSON and CSV records as UTF-8 bytes instead of
   * text (the CLI writes them to stdout as they are); without it they go to
   * `write` as text. The CSV header still goes to `write`: give both the same
   * destination (they are called in output order).
   */
  writeBytes?: (bytes: Uint8Array) => Promise<void> | void;
  /** Receives each error record's `file:line:col: path: message` line. */
  onErrorLine?: (line: string) => void;
  /** Called as each batch is read, with the input bytes read so far (read-ahead is bounded by the window). */
  onRead?: (bytes: number) => void;
  /** Called after each batch with the running counts and input bytes done. */
  onProgress?: (counts: RunCounts, bytes: number) => void;
  /** A runner of `jobs` workers to use instead of a new one; it is left open (tests share one pool). */
  runner?: TaskRunner;
  /** Each record, in input order, before its batch is written (run-wide checks). */
  onRecord?: (mark: RecordMark) => void;
}

/** Evaluates every record of `inputs`; resolves to the counts. */
export async function evaluatePortfolio(inputs: readonly string[], opts: EvaluateRunOptions): Promise<RunCounts> {
  const counts: RunCounts = { records: 0, evaluated: 0, errors: 0 };
  const framer = createFramer(opts.format);
  let bytes = 0;
  // the rule sets are read once, now, and every batch carries them (SPEC §9: one rule set per run)
  const rules = pinRules(opts.choice ?? readRuleChoice(opts.rules));
  const trace = Boolean(opts.trace);
  const writeOutput = async (output: BatchOutput): Promise<void> => {
    if ('bodies' in output) {
      let text = '';
      for (const body of output.bodies) text += framer.body(body);
      await opts.write(text);
      return;
    }
    const out = output.bytes;
    if (!out.byteLength) return;
    await opts.write(framer.head());
    if (opts.writeBytes) await opts.writeBytes(out);
    else await opts.write(Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('utf8'));
  };
  const stats = await runEngine<EvaluateTask, EvaluateOut>(inputs, {
    limits: opts.limits, inputFormat: opts.inputFormat, stdin: opts.stdin, jobs: opts.jobs, cores: opts.cores,
    runner: opts.runner, onRead: opts.onRead, onWorkerLost: opts.onWorkerLost, onRecord: opts.onRecord,
    task: (items) => ({ kind: 'evaluate', rules, format: opts.format, trace, limits: opts.limits, items, ...(opts.decision === undefined ? {} : { decision: opts.decision }) }),
    onBatch: async (out, batchBytes) => {
      counts.records += out.records;
      counts.evaluated += out.evaluated;
      counts.errors += out.errors;
      bytes += batchBytes;
      for (const l of out.errorLines) opts.onErrorLine?.(l);
      await writeOutput(out.output);
      opts.onProgress?.(counts, bytes);
    },
  });
  await opts.write(framer.end());
  opts.onPoolStats?.(stats);
  return counts;
}
