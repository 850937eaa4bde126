/**
 * Runs tasks on a piscina worker pool, or inline for one job. Results come
 * back in submission order with a bounded number in flight, so output order
 * equals input order and memory stays flat.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runTask, type Task, type TaskOut } from './tasks.js';

/** Where the compiled worker lives (tests run the sources, workers always run dist/). */
const WORKER = fileURLToPath(new URL('../../dist/parallel/worker.js', import.meta.url));

/**
 * Heap limits of each worker. A batch is at most ~512 KiB of input plus one
 * record (≤ maxRecordBytes), far below these. The small young generation keeps
 * the process's peak memory near 220 MiB (measured: ~330 MiB with V8's
 * defaults, for a 100k portfolio) at no measurable cost in time.
 */
export const WORKER_HEAP = Object.freeze({ maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 });

/** The default number of jobs: the machine's cores. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** Something that runs tasks. */
export interface TaskRunner {
  run(task: Task): Promise<TaskOut>;
  close(): Promise<void>;
}

/** Options of a runner. */
export interface RunnerOptions {
  /** Told when a worker died and its batch was run again on this thread. */
  onWorkerLost?: (err: Error) => void;
}

/** A worker that died (out of memory, exited) rather than a task that threw. */
function isWorkerLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (typeof e?.code === 'string' && e.code.startsWith('ERR_WORKER'))
    || (typeof e?.message === 'string' && /worker (exited|terminated)|terminating worker/i.test(e.message));
}

/** A runner with `jobs` workers; `jobs` = 1 runs inline on this thread. */
export function createRunner(jobs: number, opts: RunnerOptions = {}): TaskRunner {
  if (jobs <= 1) return { run: runTask, close: async () => {} };
  const pool = new Piscina({
    filename: WORKER, minThreads: jobs, maxThreads: jobs, idleTimeout: 1000,
    resourceLimits: WORKER_HEAP,
  });
  let closing = false;
  return {
    // a worker that dies (e.g. at its heap limit) costs a retry on this thread, never a lost batch;
    // an exception thrown by the task itself is a bug and is passed on
    run: (task) => (pool.run(task) as Promise<TaskOut>).catch((err: unknown) => {
      if (closing || !isWorkerLoss(err)) throw err;
      opts.onWorkerLost?.(err as Error);
      return runTask(task);
    }),
    close: () => {
      closing = true;
      return pool.destroy();
    },
  };
}

/**
 * Feeds tasks from `source` to `runner`, at most `window` in flight, and hands
 * each result to `sink` in submission order. When the source or the sink
 * fails, the tasks still in flight are let go without unhandled rejections.
 */
export async function runOrdered<T extends Task, O extends TaskOut>(
  source: AsyncIterable<T>,
  runner: TaskRunner,
  window: number,
  sink: (out: O, task: T) => Promise<void> | void,
): Promise<void> {
  const inFlight: { task: T; result: Promise<TaskOut> }[] = [];
  try {
    for await (const task of source) {
      const result = runner.run(task);
      result.catch(() => undefined); // observed now; still awaited, in order, below
      inFlight.push({ task, result });
      if (inFlight.length >= window) {
        const head = inFlight.shift()!;
        await sink((await head.result) as O, head.task);
      }
    }
    while (inFlight.length) {
      const head = inFlight.shift()!;
      await sink((await head.result) as O, head.task);
    }
  } finally {
    inFlight.length = 0; // let go of what a failure left in flight
  }
}
