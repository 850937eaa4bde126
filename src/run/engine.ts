/**
 * The run engine: one loop for every portfolio command. It reads the inputs
 * as batches, runs each batch's task (a row of `tasks.ts`) on the worker pool
 * or inline, and hands the results back on this thread in input order: first
 * every record's mark (`onRecord`, where run-wide checks go), then the batch
 * (`onBatch`, awaited: backpressure). Nothing in it is particular to a
 * command, and it keeps no state between runs, so a long-lived process (the
 * HTTP service) calls it as the command line does.
 */
import type { LoadLimits } from '../limits.js';
import type { InputFormat, ReadOptions } from '../read/portfolio.js';
import { portfolioBatches, type BatchItem } from './batches.js';
import { planRunner, runOrdered, type PoolStats, type TaskRunner } from './pool.js';
import type { RecordMark, Task, TaskOut } from './tasks.js';

/** What every portfolio run is told about its inputs and threads (`evaluatePortfolio`, `whatIfPortfolio`, …). */
export interface RunInputOptions {
  limits: LoadLimits;
  /** The format of standard input and pipes (`--input-format`); default: recognised. */
  inputFormat?: InputFormat;
  /** Standard input (a seam for tests); default `process.stdin`. */
  stdin?: ReadOptions['stdin'];
  /** Worker threads at most; 1 runs on this thread. Capped at the machine's threads and the batches (`workerLimit`). */
  jobs: number;
  /** The machine's threads (default `os.availableParallelism()`). */
  cores?: number;
  /** Told when a worker thread died and its batch was run again on this thread. */
  onWorkerLost?: (err: Error) => void;
}

/** Options of one run of the engine. */
export interface EngineOptions<T extends Task, O extends TaskOut> extends RunInputOptions {
  /** A runner to use instead of a new one; it is left open (tests share one pool). */
  runner?: TaskRunner;
  /** The task of one batch: the run's own fields around `items`. */
  task: (items: BatchItem[]) => T;
  /** Each record of each batch, in input order, before its batch's `onBatch`. */
  onRecord?: (mark: RecordMark) => void;
  /** Each batch's result and the input bytes it covered, in input order; awaited. */
  onBatch: (out: O, bytes: number) => Promise<void> | void;
  /** Called as each batch is read, with the input bytes read so far. */
  onRead?: (bytes: number) => void;
}

type Sized<T> = T & { bytes: number };

/** Runs `inputs` through the engine; resolves to what the pool used. */
export async function runEngine<T extends Task, O extends TaskOut>(inputs: readonly string[], opts: EngineOptions<T, O>): Promise<PoolStats> {
  let read = 0;
  async function* tasks(): AsyncGenerator<Sized<T>> {
    for await (const b of portfolioBatches(inputs, opts.limits, { inputFormat: opts.inputFormat, stdin: opts.stdin })) {
      read += b.bytes;
      opts.onRead?.(read);
      yield Object.assign(opts.task(b.items), { bytes: b.bytes });
    }
  }
  const shared = opts.runner;
  const plan = shared
    ? { runner: shared, tasks: tasks(), window: Math.max(1, opts.jobs) * 2, stats: () => ({ workers: shared.peakWorkers(), batches: 0 }) }
    : await planRunner(tasks(), opts.jobs, { onWorkerLost: opts.onWorkerLost, cores: opts.cores });
  try {
    await runOrdered<Sized<T>, O>(plan.tasks, plan.runner, plan.window, async (out, task) => {
      if (opts.onRecord) for (const m of out.marks) opts.onRecord(m);
      await opts.onBatch(out, task.bytes);
    });
    return plan.stats();
  } finally {
    if (!shared) await plan.runner.close();
  }
}
