/**
 * `evaluate` over a portfolio on all cores: batches go to the workers, the
 * formatted results come back in input order and are written as they come.
 */
import { randomUUID } from 'node:crypto';
import type { LoadLimits } from '../limits.js';
import type { InputFormat, ReadOptions } from '../read/portfolio.js';
import { createFramer, type BatchOutput, type OutputFormat } from '../report/formats.js';
import type { RunCounts } from './sequential.js';
import { portfolioBatches } from './batches.js';
import { planRunner, runOrdered, type PoolStats, type TaskRunner } from './pool.js';
import type { EvaluateOut, EvaluateTask, RulesSpec } from './tasks.js';

/** Options of a parallel evaluate run. */
export interface EvaluateRunOptions {
  rules: RulesSpec;
  format: OutputFormat;
  trace?: boolean;
  limits: LoadLimits;
  /** The format of standard input and pipes (`--input-format`); default: recognised. */
  inputFormat?: InputFormat;
  /** Standard input (a seam for tests); default `process.stdin`. */
  stdin?: ReadOptions['stdin'];
  /** Worker threads at most; 1 evaluates on this thread. Capped at the machine's threads and the batches (`workerLimit`). */
  jobs: number;
  /** The machine's threads (default `os.availableParallelism()`). */
  cores?: number;
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
  let bytes = 0;
  let read = 0;
  // this run reads the rules folder afresh (tasks.ts), unless the caller stamped it
  const rules: RulesSpec = opts.rules.stamp !== undefined ? opts.rules : { ...opts.rules, stamp: randomUUID() };
  async function* tasks(): AsyncGenerator<EvaluateTask & { bytes: number }> {
    for await (const b of portfolioBatches(inputs, opts.limits, { inputFormat: opts.inputFormat, stdin: opts.stdin })) {
      read += b.bytes;
      opts.onRead?.(read);
      yield { kind: 'evaluate', rules, format: opts.format, trace: Boolean(opts.trace), limits: opts.limits, items: b.items, bytes: b.bytes };
    }
  }
  const writeOutput = async (output: BatchOutput | undefined): Promise<void> => {
    if (!output) return;
    if ('bodies' in output) {
      let text = '';
      for (const body of output.bodies) text += framer.body(body);
      await opts.write(text);
      return;
    }
    const bytes = output.bytes;
    if (!bytes.byteLength) return;
    await opts.write(framer.head());
    if (opts.writeBytes) await opts.writeBytes(bytes);
    else await opts.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  };
  const shared = opts.runner;
  const plan = shared
    ? { runner: shared, tasks: tasks(), window: Math.max(1, opts.jobs) * 2, stats: () => ({ workers: shared.peakWorkers(), batches: 0 }) }
    : await planRunner(tasks(), opts.jobs, { onWorkerLost: opts.onWorkerLost, cores: opts.cores });
  try {
    await runOrdered<EvaluateTask & { bytes: number }, EvaluateOut>(plan.tasks, plan.runner, plan.window, async (out, task) => {
      counts.records += out.records;
      counts.evaluated += out.evaluated;
      counts.errors += out.errors;
      bytes += task.bytes;
      for (const l of out.errorLines) opts.onErrorLine?.(l);
      await writeOutput(out.output);
      opts.onProgress?.(counts, bytes);
    });
    await opts.write(framer.end());
    opts.onPoolStats?.(plan.stats());
  } finally {
    if (!opts.runner) await plan.runner.close();
  }
  return counts;
}
