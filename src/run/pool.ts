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
const WORKER = fileURLToPath(new URL('../../dist/run/worker.js', import.meta.url));

/**
 * Heap limits of each worker. A batch is at most ~512 KiB of input plus one
 * record (≤ maxRecordBytes), far below these. The small young generation keeps
 * the process's peak memory near 215 MiB for a 100k portfolio (317 MiB with
 * V8's defaults, which are ~5% faster: 4.73 against 4.97 s).
 */
export const WORKER_HEAP = Object.freeze({ maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 });
// Measured and not used (issue 11, lever 4; README "Both cores"):
// - a larger young generation: 32 / 64 MiB gained ~5% at +45 / +150 MiB peak RSS while a
//   batch's results stayed alive until its end; since each NDJSON line goes off-heap as it is
//   made (formats.ts), 24 and 32 MiB gain nothing, nor does an old generation of 64 or 256 MiB;
// - the main thread as one of the evaluators (one worker given two batches at a time): 5%
//   faster at 100,000 snapshots, none at 1,000,000, where its uncapped heap takes the peak RSS
//   to 247 MiB;
// - `v8.setFlagsFromString('--single-threaded-gc')` before the pool starts: V8 aborts
//   (`Check failed: concurrent_marking_handle_ …`, SIGTRAP) at the next major GC, with
//   --jobs 1 and 2 alike: --parallel-marking cannot be turned off in a running isolate.
//   The other flags it implies survived our runs but showed no wall-time gain in paired runs.

/** The default number of jobs: the machine's cores. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * The most worker threads a run starts for `jobs` requested: no more than the
 * threads the machine can run at once (`os.availableParallelism()`, which
 * honours CPU affinity). More would only take turns on the same cores, each
 * with its own heap (256 workers took 1.4 GB for one record and sometimes
 * crashed V8). The input caps it further: see `planRunner`.
 */
export function workerLimit(jobs: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(Math.floor(jobs), Math.max(1, cores)));
}

/** What a run used: the most worker threads alive at once (0 = all on this thread) and the batches run. */
export interface PoolStats { workers: number; batches: number }

/** Something that runs tasks. */
export interface TaskRunner {
  run(task: Task): Promise<TaskOut>;
  close(): Promise<void>;
  /** The most worker threads alive at once so far (0 inline). */
  peakWorkers(): number;
}

/** Options of a runner. */
export interface RunnerOptions {
  /** Told when a worker died and its batch was run again on this thread. */
  onWorkerLost?: (err: Error) => void;
  /** The machine's threads (default `os.availableParallelism()`); a seam for tests. */
  cores?: number;
}

/** A worker that died (out of memory, exited) rather than a task that threw. */
function isWorkerLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (typeof e?.code === 'string' && e.code.startsWith('ERR_WORKER'))
    || (typeof e?.message === 'string' && /worker (exited|terminated)|terminating worker/i.test(e.message));
}

/**
 * A runner with at most `workerLimit(jobs)` workers; 1 runs inline on this
 * thread. Workers start as tasks arrive (piscina starts one when a task finds
 * none idle), so there are never more workers than tasks.
 */
export function createRunner(jobs: number, opts: RunnerOptions = {}): TaskRunner {
  const max = workerLimit(jobs, opts.cores);
  if (max <= 1) return { run: runTask, close: async () => {}, peakWorkers: () => 0 };
  const pool = new Piscina({
    // none started up front; an idle worker is kept (its rules are compiled) until the run closes the pool
    filename: WORKER, minThreads: 0, maxThreads: max, idleTimeout: Infinity,
    resourceLimits: WORKER_HEAP,
  });
  let closing = false;
  let peak = 0;
  return {
    // a worker that dies (e.g. at its heap limit) costs a retry on this thread, never a lost batch;
    // an exception thrown by the task itself is a bug and is passed on
    run: (task) => {
      const result = (pool.run(task) as Promise<TaskOut>).catch((err: unknown) => {
        if (closing || !isWorkerLoss(err)) throw err;
        opts.onWorkerLost?.(err as Error);
        return runTask(task);
      });
      peak = Math.max(peak, pool.threads.length);
      return result;
    },
    close: () => {
      closing = true;
      return pool.destroy();
    },
    peakWorkers: () => Math.max(peak, pool.threads.length),
  };
}

/** A runner sized for `source`, the source to feed it, and how many tasks to keep in flight. */
export interface RunnerPlan<T> {
  runner: TaskRunner;
  tasks: AsyncIterable<T>;
  window: number;
  /** What the run used so far (call after the run). */
  stats(): PoolStats;
}

/**
 * A runner that starts no worker for a one-batch input and never waits for
 * more input before working: the first batch runs on this thread at once (a
 * worker would only add its start-up time and heap, and a trickling stream —
 * standard input, a pipe — must not wait for a second batch); from the second
 * batch on, `createRunner(jobs)` starts workers as batches arrive, never more
 * than the batches nor `workerLimit(jobs)`.
 */
export async function planRunner<T extends Task>(source: AsyncIterable<T>, jobs: number, opts: RunnerOptions = {}): Promise<RunnerPlan<T>> {
  const max = workerLimit(jobs, opts.cores);
  let pool: TaskRunner | undefined;
  let batches = 0;
  const runner: TaskRunner = {
    run(task) {
      batches++;
      if (batches === 1 || max <= 1) return runTask(task);
      pool ??= createRunner(max, opts);
      return pool.run(task);
    },
    close: async () => { await pool?.close(); },
    peakWorkers: () => pool?.peakWorkers() ?? 0,
  };
  return { runner, tasks: source, window: max <= 1 ? 1 : max * 2, stats: () => ({ workers: runner.peakWorkers(), batches }) };
}

/**
 * Feeds tasks from `source` to `runner`, at most `window` in flight, and hands
 * each result to `sink` in submission order. While it waits for the next task
 * (a stream whose sender pauses: an NDJSON body that has sent its first lines
 * and waits for their answers), the results already done are handed on, so
 * output never waits for input that has not arrived. When the source or the
 * sink fails, the tasks still in flight are let go without unhandled rejections.
 */
export async function runOrdered<T extends Task, O extends TaskOut>(
  source: AsyncIterable<T>,
  runner: TaskRunner,
  window: number,
  sink: (out: O, task: T) => Promise<void> | void,
): Promise<void> {
  const inFlight: { task: T; result: Promise<TaskOut> }[] = [];
  const it = source[Symbol.asyncIterator]();
  let finished = false;
  let waiting = false; // a next() of the source not settled yet
  const drainHead = async () => {
    const head = inFlight.shift()!;
    await sink((await head.result) as O, head.task);
  };
  try {
    for (;;) {
      waiting = true;
      const next = it.next();
      void next.then(() => { waiting = false; }, () => { waiting = false; });
      // the results done before the next task arrives go out now, in order
      while (inFlight.length) {
        const first = await Promise.race([next.then(() => 'task', () => 'task'), inFlight[0]!.result.then(() => 'result', () => 'result')]);
        if (first === 'task') break;
        await drainHead();
      }
      const r = await next;
      if (r.done) { finished = true; break; }
      const result = runner.run(r.value);
      result.catch(() => undefined); // observed now; still awaited, in order
      inFlight.push({ task: r.value, result });
      if (inFlight.length >= window) await drainHead();
    }
    while (inFlight.length) await drainHead();
  } finally {
    inFlight.length = 0; // let go of what a failure left in flight
    // a source still waiting for input (a client's body) is told to stop without waiting for it
    if (!finished && waiting) void it.return?.()?.catch(() => undefined);
    else if (!finished) await it.return?.();
  }
}
