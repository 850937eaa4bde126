/**
 * `evaluate` over a portfolio on all cores: batches go to the workers, the
 * formatted results come back in input order and are written as they come.
 */
import type { LoadLimits } from '../load/limits.js';
import { createFramer, type OutputFormat } from '../report/formats.js';
import type { RunCounts } from '../evaluate/pipeline.js';
import { portfolioBatches } from './batches.js';
import { createRunner, runOrdered, type TaskRunner } from './pool.js';
import type { EvaluateOut, EvaluateTask, RulesSpec } from './tasks.js';

/** Options of a parallel evaluate run. */
export interface EvaluateRunOptions {
  rules: RulesSpec;
  format: OutputFormat;
  trace?: boolean;
  limits: LoadLimits;
  /** Worker threads; 1 evaluates on this thread. */
  jobs: number;
  /** Receives the output text in order; awaited (backpressure). */
  write: (text: string) => Promise<void> | void;
  /** Receives each error record's `file:line:col: path: message` line. */
  onErrorLine?: (line: string) => void;
  /** Called as each batch is read, with the input bytes read so far (read-ahead is bounded by the window). */
  onRead?: (bytes: number) => void;
  /** Told when a worker thread died and its batch was run again on the main thread. */
  onWorkerLost?: (err: Error) => void;
  /** Called after each batch with the running counts and input bytes done. */
  onProgress?: (counts: RunCounts, bytes: number) => void;
  /** A runner of `jobs` workers to use instead of a new one; it is left open (tests share one pool). */
  runner?: TaskRunner;
}

/** Evaluates every record of `inputs`; resolves to the counts. */
export async function evaluatePortfolio(inputs: readonly string[], opts: EvaluateRunOptions): Promise<RunCounts> {
  const counts: RunCounts = { records: 0, evaluated: 0, errors: 0 };
  const framer = createFramer(opts.format);
  const runner = opts.runner ?? createRunner(opts.jobs, { onWorkerLost: opts.onWorkerLost });
  let bytes = 0;
  let read = 0;
  async function* tasks(): AsyncGenerator<EvaluateTask & { bytes: number }> {
    for await (const b of portfolioBatches(inputs, opts.limits)) {
      read += b.bytes;
      opts.onRead?.(read);
      yield { kind: 'evaluate', rules: opts.rules, format: opts.format, trace: Boolean(opts.trace), limits: opts.limits, items: b.items, bytes: b.bytes };
    }
  }
  try {
    await runOrdered<EvaluateTask & { bytes: number }, EvaluateOut>(tasks(), runner, opts.jobs <= 1 ? 1 : opts.jobs * 2, async (out, task) => {
      let text = '';
      for (const body of out.bodies) text += framer.body(body);
      counts.records += out.records;
      counts.evaluated += out.evaluated;
      counts.errors += out.errors;
      bytes += task.bytes;
      for (const l of out.errorLines) opts.onErrorLine?.(l);
      await opts.write(text);
      opts.onProgress?.(counts, bytes);
    });
    await opts.write(framer.end());
  } finally {
    if (!opts.runner) await runner.close();
  }
  return counts;
}
